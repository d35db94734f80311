"""Decide which escalation steps are due (stdlib only, never imports odoo)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

TRIGGERS = ("ratio", "breach")
CLOCKS = ("response", "resolution")
SEVERITY_ORDER = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class StepSpec:
    """One escalation step of an SLA policy.

    ``key``: the step's database id. ``trigger``: ``'ratio'`` fires when the
    clock's elapsed ratio >= ``value`` (0.5 = half of the budget consumed);
    ``'breach'`` fires when the clock is breached and its working hours past the
    deadline >= ``value`` (0 = at breach, 4 = breach + 4 h). ``deadline``: the
    clock watched, ``'response'`` or ``'resolution'``.
    """

    key: int
    trigger: str
    value: float
    deadline: str = "resolution"

    def __post_init__(self) -> None:
        """Validate trigger and clock names."""
        if self.trigger not in TRIGGERS:
            raise ValueError(f"trigger must be one of {TRIGGERS}, got {self.trigger!r}")
        if self.deadline not in CLOCKS:
            raise ValueError(f"deadline must be one of {CLOCKS}, got {self.deadline!r}")


def _ratio_due(step: StepSpec, ratios: Mapping[str, float]) -> bool:
    """Whether a ``'ratio'`` step is due; a clock without a ratio never fires."""
    ratio = ratios.get(step.deadline)
    return ratio is not None and ratio >= step.value


def _breach_due(
    step: StepSpec, hours_past: Mapping[str, float | None], breached: Mapping[str, bool]
) -> bool:
    """Whether a ``'breach'`` step is due; never before the clock is breached.

    A breached clock with ``hours_past`` missing or ``None`` counts as 0 h past.
    """
    if not breached.get(step.deadline):
        return False
    past = hours_past.get(step.deadline)
    return (past or 0.0) >= step.value


def is_due(
    step: StepSpec,
    *,
    ratios: Mapping[str, float],
    hours_past: Mapping[str, float | None],
    breached: Mapping[str, bool],
) -> bool:
    """Whether ``step``'s trigger condition holds (ignoring whether it already fired)."""
    if step.trigger == "ratio":
        return _ratio_due(step, ratios)
    return _breach_due(step, hours_past, breached)


def due_steps(
    steps: Iterable[StepSpec],
    *,
    ratios: Mapping[str, float],
    hours_past: Mapping[str, float | None],
    breached: Mapping[str, bool],
    fired: set[int] | frozenset[int],
) -> list[int]:
    """Return the keys of the steps due now and not yet fired, in input order.

    ``ratios`` / ``hours_past`` / ``breached`` are keyed by ``'response'`` /
    ``'resolution'``; a missing clock never fires. Keys in ``fired`` are never
    returned and each key is returned at most once.
    """
    result: list[int] = []
    for step in steps:
        if step.key in fired or step.key in result:
            continue
        if is_due(step, ratios=ratios, hours_past=hours_past, breached=breached):
            result.append(step.key)
    return result


def next_severity(current: str, order: Sequence[str] = SEVERITY_ORDER) -> str:
    """Return the severity one level above ``current``, saturating at the top.

    An unknown ``current`` is returned unchanged.
    """
    if current not in order:
        return current
    index = list(order).index(current)
    return order[min(index + 1, len(order) - 1)]
