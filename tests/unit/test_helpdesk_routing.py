"""Tests of wfmon_helpdesk/tools/routing.py (loaded by path, odoo-free)."""

import pytest
from conftest import load_tool

routing = load_tool("wfmon_helpdesk", "routing")
TeamSpec = routing.TeamSpec

# core's case state machine (wfmon_core/models/wfmon_case.py), as the models pass it
TRANSITIONS = {
    "new": {"assigned", "in_progress", "waiting", "resolved", "cancelled"},
    "assigned": {"new", "in_progress", "waiting", "resolved", "cancelled"},
    "in_progress": {"assigned", "waiting", "resolved", "cancelled"},
    "waiting": {"in_progress", "resolved", "cancelled"},
    "resolved": {"in_progress"},
    "cancelled": {"new"},
}

FRONT = TeamSpec(1)
NORTH = TeamSpec(2, regions=frozenset({"North"}))
STORE_7 = TeamSpec(3, site_ids=frozenset({7}))
TEAMS = [FRONT, NORTH, STORE_7]


def test_store_team_wins_over_region_team():
    assert routing.pick_team(TEAMS, site_id=7, region="North", current=1) == 3


def test_region_team_when_no_team_serves_the_store():
    assert routing.pick_team(TEAMS, site_id=8, region="North", current=None) == 2


def test_no_store_no_region_keeps_the_ticket_where_it_is():
    assert routing.pick_team(TEAMS, site_id=None, region=None, current=1) == 1
    assert routing.pick_team(TEAMS, site_id=99, region="South", current=None) is None


def test_a_ticket_staff_put_with_a_store_or_region_team_stays():
    assert routing.pick_team(TEAMS, site_id=7, region="North", current=2) == 2


def test_a_team_routing_does_not_know_is_left_alone():
    assert routing.pick_team(TEAMS, site_id=7, current=42) == 42


def test_front_door_is_a_team_without_store_or_region():
    assert FRONT.is_front_door
    assert not NORTH.is_front_door
    assert not STORE_7.is_front_door


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("queue", None), ("leader", 10), ("store_manager", 20), ("unknown", None)],
)
def test_assignee_by_policy(policy, expected):
    assert routing.pick_assignee(policy, 10, 20, member_ids=(10, 20)) == expected


def test_store_manager_outside_the_team_falls_back_to_the_leader():
    assert routing.pick_assignee("store_manager", 10, 20, member_ids=(10,)) == 10
    assert routing.pick_assignee("store_manager", None, None) is None


@pytest.mark.parametrize(
    ("priority", "severity"),
    [
        ("0", "low"),
        ("1", "medium"),
        ("2", "high"),
        ("3", "critical"),
        (None, "medium"),
        ("x", "medium"),
    ],
)
def test_severity_for_priority(priority, severity):
    assert routing.severity_for(priority) == severity


@pytest.mark.parametrize(
    ("current", "target", "path"),
    [
        ("new", "in_progress", ["in_progress"]),
        ("assigned", "new", []),
        ("new", "new", []),
        ("in_progress", "new", ["assigned", "new"]),
        ("in_progress", "waiting", ["waiting"]),
        ("waiting", "in_progress", ["in_progress"]),
        ("waiting", "resolved", ["resolved"]),
        ("resolved", "in_progress", ["in_progress"]),
        ("resolved", "waiting", ["in_progress", "waiting"]),
        ("resolved", "new", ["in_progress", "assigned", "new"]),
        ("cancelled", "in_progress", ["new", "in_progress"]),
        ("resolved", "cancelled", ["in_progress", "cancelled"]),
        ("in_progress", None, []),
    ],
)
def test_state_path(current, target, path):
    assert routing.state_path(current, target, TRANSITIONS) == path


def test_state_path_refuses_an_unreachable_state():
    with pytest.raises(ValueError):
        routing.state_path("resolved", "assigned", {"resolved": set()})
