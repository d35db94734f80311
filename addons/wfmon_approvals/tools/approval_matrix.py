"""Approval matrix arithmetic: which policy applies, who approves, when a level is decided.

Plain Python, stdlib only; it must never import odoo. The Odoo models read the
records, turn them into the small value objects below, and write the outcome back.

Policy selection ("most specific wins")
---------------------------------------
A policy *matches* a document when its guarded model and action are those of the
call, its company (if any) is the document's, its site (if any) is the document's,
its exception type (if any) is the document's, every extra scope it names (e.g. a
product category added by the retail module) holds, its condition domain (if any)
holds, and the amount lies in its band ``[min_amount, max_amount)`` (``max_amount``
0 = no upper bound). Among matches the highest :func:`specificity` wins, then the
lowest ``sequence``, then the lowest key (oldest record).

Approver resolution
-------------------
Raw approvers of a level (its users, its group's members, or the user a field
path on the document leads to) are mapped through active delegations to their
substitutes, then everyone the segregation-of-duties rules exclude is dropped:
the requester, whoever decided an earlier level of the same request, members of
the policy's incompatible groups. When nobody is left the level's backup approver
is tried the same way.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

#: Points each kind of scope adds to a policy's specificity. A site or exception
#: type pins a policy harder than a company; a condition harder than an amount band.
WEIGHTS = {
    "site": 8,
    "case_type": 8,
    "extra": 8,
    "condition": 4,
    "company": 2,
    "band": 1,
}
MODES = ("any", "all", "n")


@dataclass(frozen=True)
class PolicySpec:
    """What selection needs to know about one policy."""

    key: int
    name: str
    model: str
    action: str
    sequence: int = 10
    company_id: int | None = None
    site_id: int | None = None
    case_type_id: int | None = None
    min_amount: float = 0.0
    max_amount: float = 0.0
    has_condition: bool = False
    #: extra scope names this policy restricts (e.g. ``("product_category",)``)
    extra_scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentFacts:
    """What selection needs to know about one document."""

    model: str
    action: str
    amount: float = 0.0
    company_id: int | None = None
    site_id: int | None = None
    case_type_id: int | None = None
    #: keys of the policies whose condition domain holds for this document
    condition_ok: frozenset[int] = frozenset()
    #: ``{policy key: names of the extra scopes that hold}``
    extra_ok: Mapping[int, frozenset[str]] = field(default_factory=dict)
    #: ``{policy key: amount}`` when policies read different amount fields or
    #: currencies; a policy missing here uses :attr:`amount`
    amounts: Mapping[int, float] = field(default_factory=dict)
    #: labels used in explanations
    site_label: str = ""
    case_type_label: str = ""
    #: ``{extra scope name: why it holds, in words}``, e.g. ``credit_hold`` ->
    #: "the customer is over its credit limit"
    scope_reasons: Mapping[str, str] = field(default_factory=dict)
    #: the guarded action in words, e.g. "Confirm Order (Sales Order)"
    action_label: str = ""

    def amount_for(self, policy: "PolicySpec") -> float:
        """The document's amount as ``policy`` measures it."""
        return self.amounts.get(policy.key, self.amount)


@dataclass(frozen=True)
class Selection:
    """The outcome of :func:`select_policy`."""

    policy: PolicySpec | None
    explanation: str
    candidates: tuple[PolicySpec, ...] = ()


def specificity(policy: PolicySpec) -> int:
    """Score of a policy's scope: the more it pins down, the higher."""
    score = 0
    if policy.site_id:
        score += WEIGHTS["site"]
    if policy.case_type_id:
        score += WEIGHTS["case_type"]
    score += WEIGHTS["extra"] * len(policy.extra_scopes)
    if policy.has_condition:
        score += WEIGHTS["condition"]
    if policy.company_id:
        score += WEIGHTS["company"]
    if policy.min_amount or policy.max_amount:
        score += WEIGHTS["band"]
    return score


def in_band(amount: float, min_amount: float, max_amount: float) -> bool:
    """``min_amount <= amount < max_amount``; a zero ``max_amount`` has no upper bound."""
    if amount < min_amount:
        return False
    return not max_amount or amount < max_amount


def mismatch(policy: PolicySpec, facts: DocumentFacts) -> str | None:
    """Why ``policy`` does not apply to ``facts`` (``None`` when it does)."""
    if policy.model != facts.model or policy.action != facts.action:
        return "other model or action"
    if policy.company_id and policy.company_id != facts.company_id:
        return "other company"
    if policy.site_id and policy.site_id != facts.site_id:
        return "other store / warehouse"
    if policy.case_type_id and policy.case_type_id != facts.case_type_id:
        return "other exception type"
    missing = set(policy.extra_scopes) - set(facts.extra_ok.get(policy.key, ()))
    if missing:
        return "outside its " + ", ".join(sorted(missing)).replace("_", " ")
    if not in_band(facts.amount_for(policy), policy.min_amount, policy.max_amount):
        return "amount outside its band"
    if policy.has_condition and policy.key not in facts.condition_ok:
        return "condition not met"
    return None


def sort_key(policy: PolicySpec) -> tuple[int, int, int]:
    """Order of preference: most specific, then lowest sequence, then oldest."""
    return (-specificity(policy), policy.sequence, policy.key)


def format_amount(value: float) -> str:
    """``1234.5`` -> ``'1,234.50'``."""
    return f"{value:,.2f}"


def reasons(policy: PolicySpec, facts: DocumentFacts) -> list[str]:
    """Why a matching policy applies, in words a person would use."""
    out = []
    if policy.site_id:
        out.append(f"the document is at {facts.site_label or 'its store / warehouse'}")
    if policy.case_type_id:
        out.append(f"it concerns {facts.case_type_label or 'its exception type'}")
    for scope in policy.extra_scopes:
        out.append(facts.scope_reasons.get(scope) or scope.replace("_", " ") + " applies")
    if policy.min_amount or policy.max_amount:
        amount = format_amount(facts.amount_for(policy))
        if policy.min_amount and policy.max_amount:
            band = (
                f"between {format_amount(policy.min_amount)} and {format_amount(policy.max_amount)}"
            )
        elif policy.max_amount:
            band = f"below {format_amount(policy.max_amount)}"
        else:
            band = f"from {format_amount(policy.min_amount)} up"
        out.append(f"the amount, {amount}, is {band}")
    if policy.has_condition:
        out.append("the document meets its condition")
    if not out:
        out.append(f"it applies to every {facts.action_label or 'such action'}")
    return out


def _join(parts: list[str]) -> str:
    """``['a', 'b', 'c']`` -> ``'a, b and c'``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def select_policy(policies: Iterable[PolicySpec], facts: DocumentFacts) -> Selection:
    """Pick the most specific matching policy and explain the choice in words:
    "Credit release and margin approval applies: the customer is over its
    credit limit and the margin or a discount is outside policy; it is the most
    specific of 3 matching policies." """
    matching = sorted(
        (p for p in policies if mismatch(p, facts) is None),
        key=sort_key,
    )
    if not matching:
        return Selection(None, "no approval policy matches", ())
    best = matching[0]
    text = f"{best.name} applies: " + _join(reasons(best, facts))
    if len(matching) == 1:
        text += "; it is the only policy that matches."
    elif specificity(matching[1]) == specificity(best):
        text += (
            f"; {len(matching)} policies match, equally specific: it comes first in the "
            f"matrix's order (before {matching[1].name})."
        )
    else:
        text += (
            f"; it is the most specific of {len(matching)} matching policies "
            f"(next: {matching[1].name})."
        )
    return Selection(best, text, tuple(matching))


# ----------------------------------------------------------------------
# Approvers
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class Delegation:
    """``user`` is away from ``date_from`` to ``date_to`` (inclusive); ``substitute`` acts."""

    user: int
    substitute: int
    date_from: date
    date_to: date

    def active_on(self, day: date) -> bool:
        """Whether the delegation covers ``day``."""
        return self.date_from <= day <= self.date_to


@dataclass(frozen=True)
class Assignment:
    """One person asked to decide, possibly on behalf of an absent approver."""

    user: int
    on_behalf_of: int | None = None


class NoApprover(ValueError):
    """Nobody is left to decide a level; ``excluded`` says who was dropped and why."""

    def __init__(self, excluded: tuple[tuple[int, str], ...]):
        self.excluded = excluded
        detail = ", ".join(f"{u} ({why})" for u, why in excluded) or "nobody configured"
        super().__init__(f"no eligible approver: {detail}")


@dataclass(frozen=True)
class Routing:
    """The outcome of :func:`route_level`."""

    assignments: tuple[Assignment, ...]
    required: int
    excluded: tuple[tuple[int, str], ...] = ()
    used_backup: bool = False

    @property
    def users(self) -> tuple[int, ...]:
        """User ids asked to decide."""
        return tuple(a.user for a in self.assignments)


def substitute_of(user: int, delegations: Iterable[Delegation], day: date, depth: int = 5) -> int:
    """Follow active delegations from ``user`` (chains allowed, cycles stop)."""
    by_user = {}
    for deleg in delegations:
        if deleg.active_on(day) and deleg.user != deleg.substitute:
            by_user.setdefault(deleg.user, deleg.substitute)
    seen = {user}
    current = user
    for _ in range(depth):
        nxt = by_user.get(current)
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        current = nxt
    return current


def required_approvals(mode: str, n: int, eligible: int) -> int:
    """How many approvals decide a level: any -> 1, all -> everyone, n -> N (capped)."""
    if mode not in MODES:
        raise ValueError(f"unknown approval mode {mode!r}")
    if eligible <= 0:
        return 0
    if mode == "any":
        return 1
    if mode == "all":
        return eligible
    return max(1, min(n, eligible))


def _eligible(
    raw: Iterable[int],
    *,
    requester: int | None,
    decided: frozenset[int],
    incompatible: frozenset[int],
    delegations: tuple[Delegation, ...],
    day: date,
) -> tuple[list[Assignment], list[tuple[int, str]]]:
    assignments: list[Assignment] = []
    excluded: list[tuple[int, str]] = []
    seen: set[int] = set()
    for user in raw:
        actor = substitute_of(user, delegations, day)
        behalf = user if actor != user else None
        if actor == requester:
            excluded.append((actor, "requester"))
            continue
        if actor in decided:
            excluded.append((actor, "decided an earlier level"))
            continue
        if actor in incompatible:
            excluded.append((actor, "incompatible group"))
            continue
        if actor in seen:
            continue
        seen.add(actor)
        assignments.append(Assignment(actor, behalf))
    return assignments, excluded


def route_level(
    approvers: Iterable[int],
    *,
    mode: str = "any",
    n: int = 1,
    requester: int | None = None,
    decided: Iterable[int] = (),
    incompatible: Iterable[int] = (),
    delegations: Iterable[Delegation] = (),
    day: date | None = None,
    backup: int | None = None,
) -> Routing:
    """Who must decide a level, and how many approvals it takes.

    Raises :class:`NoApprover` (a ``ValueError``) when nobody eligible is left,
    backup included.
    """
    day = day or date.today()
    kwargs = {
        "requester": requester,
        "decided": frozenset(decided),
        "incompatible": frozenset(incompatible),
        "delegations": tuple(delegations),
        "day": day,
    }
    assignments, excluded = _eligible(list(dict.fromkeys(approvers)), **kwargs)
    used_backup = False
    if not assignments and backup:
        assignments, more = _eligible([backup], **kwargs)
        excluded += more
        used_backup = bool(assignments)
    if not assignments:
        raise NoApprover(tuple(excluded))
    required = required_approvals(mode if not used_backup else "any", n, len(assignments))
    return Routing(tuple(assignments), required, tuple(excluded), used_backup)


@dataclass(frozen=True)
class LevelPlan:
    """A level as the matrix configures it, before any document: its approvers
    when they are known without one (named users, a group's members), ``None``
    for a person named by the document; its backup approver."""

    name: str
    approvers: frozenset[int] | None
    backup: int | None = None


#: why a level may be left with nobody eligible (see :func:`level_gaps`)
GAP_REASONS = ("empty", "incompatible", "earlier", "document")


@dataclass(frozen=True)
class LevelGap:
    level: str
    reason: str  # one of GAP_REASONS
    users: tuple[int, ...] = ()


def level_gaps(levels: Iterable[LevelPlan], incompatible: Iterable[int] = ()) -> list[LevelGap]:
    """The levels of a policy that may have nobody eligible to decide them.

    Segregation of duties removes the members of the incompatible groups from
    every level, and whoever decided an earlier level from the later ones: a
    level whose approvers are ``empty``, all ``incompatible``, or all approvers
    of an ``earlier`` level (``users``: them) may be left with nobody, unless its
    backup approver is none of those. A level naming a person on the
    ``document`` depends on each document: without a backup it may have nobody.
    """
    incompatible = frozenset(incompatible)
    earlier: set[int] = set()
    gaps = []
    for level in levels:
        backup_ok = level.backup is not None and level.backup not in incompatible | earlier
        reason, users = None, ()
        if level.approvers is None:
            reason = "document"
        elif not level.approvers:
            reason = "empty"
        elif not level.approvers - incompatible:
            reason = "incompatible"
        elif level.approvers - incompatible <= earlier:
            reason = "earlier"
            users = tuple(sorted(level.approvers - incompatible))
        if reason and not backup_ok:
            gaps.append(LevelGap(level.name, reason, users))
        earlier |= level.approvers or set()
    return gaps


def level_outcome(required: int, approvals: int, rejections: int) -> str:
    """``'rejected'`` on any rejection (a veto), ``'approved'`` once enough approvals
    are in, else ``'pending'``."""
    if rejections:
        return "rejected"
    if required and approvals >= required:
        return "approved"
    return "pending"


# ----------------------------------------------------------------------
# Snapshots
# ----------------------------------------------------------------------
def _normalise(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in sorted(value.items())}
    if isinstance(value, (date,)):
        return value.isoformat()
    return value


def snapshot_fingerprint(values: Mapping) -> str:
    """Stable SHA-256 of the guarded values of a document.

    Floats are rounded to 6 decimals and keys sorted, so the same values always
    give the same digest; any change of a guarded value changes it.
    """
    payload = json.dumps(_normalise(dict(values)), sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def changed_keys(before: Mapping, after: Mapping) -> list[str]:
    """Keys whose (normalised) values differ between two snapshots."""
    keys = set(before) | set(after)
    return sorted(k for k in keys if _normalise(before.get(k)) != _normalise(after.get(k)))


# ----------------------------------------------------------------------
# The guard's verdict
# ----------------------------------------------------------------------
#: what the guard does with a record: let it through; let it through and use up its
#: approved request; hold it on its pending request; hold it on a new request; let it
#: through on a new request approved at once (below the policy's auto-approve limit)
VERDICTS = ("pass", "consume", "wait", "request", "auto")


@dataclass(frozen=True)
class OpenRequest:
    """The request of a record still open for the guarded action: pending, or
    approved and not used yet."""

    approved: bool
    fingerprint: str


@dataclass(frozen=True)
class Verdict:
    """What the guard does with one record, and whether its open request expires
    (``expire``: ``'no_policy'`` or ``'changed'``, else ``None``)."""

    action: str
    expire: str | None = None

    @property
    def allowed(self) -> bool:
        """Whether the guarded action may run on the record now."""
        return self.action in ("pass", "consume", "auto")


def guard_verdict(
    policy_applies: bool,
    request: OpenRequest | None,
    fingerprint: str | None = None,
    amount: float = 0.0,
    auto_approve_limit: float = 0.0,
) -> Verdict:
    """Decide what the guard of an action does with one record.

    ``policy_applies``: a policy of the matrix selects the record. ``request``: its
    open request, if any. ``fingerprint``: :func:`snapshot_fingerprint` of its guarded
    values now. Without a policy the record passes and an open request expires. With
    one, an open request taken on the same values decides: used up when approved,
    waited on when pending; a request taken on other values expires, and a new
    request is made, approved at once when ``amount`` is below a non-zero
    ``auto_approve_limit``.
    """
    if not policy_applies:
        return Verdict("pass", "no_policy" if request else None)
    if request and request.fingerprint == fingerprint:
        return Verdict("consume" if request.approved else "wait")
    expire = "changed" if request else None
    if auto_approve_limit and amount < auto_approve_limit:
        return Verdict("auto", expire)
    return Verdict("request", expire)
