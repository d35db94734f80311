"""How a customer ticket is routed, assigned and followed by its case.

Plain Python, no Odoo: the models hand in ids and plain values.
"""

from collections import deque
from typing import NamedTuple

#: ticket priority (helpdesk_mgmt: "0" low .. "3" very high) -> case severity
PRIORITY_SEVERITY = {"0": "low", "1": "medium", "2": "high", "3": "critical"}

#: a case state that already satisfies a ticket stage's wanted state: a stage
#: "New" is met by a case that is new or assigned to someone but not started
SATISFIES = {"new": {"new", "assigned"}}


class TeamSpec(NamedTuple):
    """What routing needs of one helpdesk team."""

    id: int
    site_ids: frozenset = frozenset()
    regions: frozenset = frozenset()

    @property
    def is_front_door(self):
        """A team serving no store and no region (a general inbox): tickets
        arriving there are routed on to the team serving the customer."""
        return not self.site_ids and not self.regions


def severity_for(priority):
    """The case severity of a ticket priority (medium when unknown)."""
    return PRIORITY_SEVERITY.get(priority or "1", "medium")


def pick_team(teams, site_id=None, region=None, current=None):
    """The id of the team a ticket belongs with, or ``current`` unchanged.

    :param teams: :class:`TeamSpec` in order of preference (sequence)
    :param site_id: the customer's store, if known
    :param region: the region of that store, if known
    :param current: the ticket's team id, if any

    A ticket that already sits with a team serving a store or a region stays
    there (staff chose it). Otherwise the first team serving the store wins,
    then the first team serving the region; failing both, the ticket stays.
    """
    by_id = {team.id: team for team in teams}
    if current and current in by_id and not by_id[current].is_front_door:
        return current
    if current and current not in by_id:
        # a team routing cannot see (archived, other company): leave it alone
        return current
    if site_id:
        for team in teams:
            if site_id in team.site_ids:
                return team.id
    if region:
        for team in teams:
            if region in team.regions:
                return team.id
    return current


def pick_assignee(policy, leader_id=None, store_manager_id=None, member_ids=()):
    """The user a new ticket is assigned to under the team's ``policy``.

    ``queue``: nobody (the team picks it up); ``leader``: the team leader;
    ``store_manager``: the manager of the customer's store when they are a
    member of the team, else the team leader. ``None`` when nobody fits.
    """
    if policy == "leader":
        return leader_id or None
    if policy == "store_manager":
        if store_manager_id and store_manager_id in set(member_ids):
            return store_manager_id
        return leader_id or None
    return None


def state_path(current, target, transitions):
    """The case states to go through, in order, to move from ``current`` to
    the state a ticket stage wants (``target``), along ``transitions``
    (``{state: set of next states}``, core's state machine).

    Empty when ``current`` already satisfies ``target``; the shortest path
    otherwise. Raises ``ValueError`` when no path exists.
    """
    if not target or current == target or current in SATISFIES.get(target, ()):
        return []
    seen = {current: None}
    queue = deque([current])
    while queue:
        state = queue.popleft()
        for nxt in sorted(transitions.get(state, ())):
            if nxt in seen:
                continue
            seen[nxt] = state
            if nxt == target:
                path = [nxt]
                while seen[path[-1]] != current:
                    path.append(seen[path[-1]])
                return list(reversed(path))
            queue.append(nxt)
    raise ValueError(f"no way from case state {current!r} to {target!r}")
