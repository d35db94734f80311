"""When escalation steps are due, and what the SLA scanner looks at next (stdlib only,
never imports odoo).

A step is due from one instant on, computed by :func:`step_due_at` and nowhere else:
firing (:func:`due_steps`), the next scan (:func:`next_check`) and the plan made when a
case opens or is re-planned all read that same instant, so a step can never be due for
one of them and not for the other. An overdue step that has not fired keeps the next scan
in the past until it fires, whatever made it overdue (waiting, a re-plan, a backdated
clock start).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .sla_clock import WorkSchedule, add_working_hours

TRIGGERS = ("ratio", "breach")
CLOCKS = ("response", "resolution")


@dataclass(frozen=True)
class StepSpec:
    """One escalation step of an SLA policy.

    ``key``: the step's database id. ``trigger``: ``'ratio'`` fires once the share
    ``value`` of the clock's working-hour budget is consumed (0.5 = halfway);
    ``'breach'`` fires ``value`` working hours after the clock's deadline (0 = at
    breach, 4 = breach + 4 h). ``deadline``: the clock watched, ``'response'`` or
    ``'resolution'``.
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


@dataclass(frozen=True)
class Clock:
    """One running SLA clock of a case (naive UTC datetimes).

    ``start``: when the clock started. ``budget_hours``: its working-hour target.
    ``deadline``: when the budget runs out (pauses included); ``None`` when the clock
    does not run (no target, or a response clock that stopped because someone
    responded): its steps are never due. ``paused_hours``: working hours the clock
    was paused so far; a ratio step moves later by that much, like the deadline.
    """

    start: datetime
    budget_hours: float
    deadline: datetime | None
    paused_hours: float = 0.0


def _ceil_second(value: datetime) -> datetime:
    """Round up to the whole second (Odoo's clock has no microseconds)."""
    if value.microsecond:
        return value.replace(microsecond=0) + timedelta(seconds=1)
    return value


def step_due_at(
    schedule: WorkSchedule, step: StepSpec, clocks: Mapping[str, Clock]
) -> datetime | None:
    """Return the instant from which ``step`` is due, or ``None`` if it never is.

    ``'ratio'``: ``budget * value + paused`` working hours after the start, i.e. when
    the elapsed share of the budget reaches ``value``. ``'breach'``: ``value`` working
    hours after the deadline. ``None`` when the clock the step watches is missing or
    has no deadline. Rounded up to the whole second, so that a stored instant and
    ``now`` taken from Odoo's clock compare exactly.
    """
    clock = clocks.get(step.deadline)
    if clock is None or clock.deadline is None:
        return None
    if step.trigger == "ratio":
        hours = clock.budget_hours * step.value + clock.paused_hours
        return _ceil_second(add_working_hours(schedule, clock.start, hours))
    return _ceil_second(add_working_hours(schedule, clock.deadline, step.value))


def pending_steps(
    schedule: WorkSchedule,
    steps: Iterable[StepSpec],
    clocks: Mapping[str, Clock],
    fired: Iterable[int] = (),
) -> list[tuple[int, datetime]]:
    """Return ``(key, due instant)`` of the steps not fired yet that will ever be due,
    in input order, each key once."""
    skip = set(fired)
    result = []
    for step in steps:
        if step.key in skip:
            continue
        skip.add(step.key)
        due_at = step_due_at(schedule, step, clocks)
        if due_at is not None:
            result.append((step.key, due_at))
    return result


def due_steps(
    schedule: WorkSchedule,
    steps: Iterable[StepSpec],
    clocks: Mapping[str, Clock],
    now: datetime,
    fired: Iterable[int] = (),
) -> list[int]:
    """Return the keys of the steps due at ``now`` and not fired yet, in input order."""
    return [key for key, due_at in pending_steps(schedule, steps, clocks, fired) if due_at <= now]


def next_check(
    now: datetime,
    *,
    upcoming: Iterable[datetime | None] = (),
    pending: Iterable[datetime | None] = (),
) -> datetime | None:
    """Return the next instant the scanner must look at a case, or ``None``.

    ``upcoming``: instants at which the SLA status may change; they count only
    while ahead of ``now`` (the status at ``now`` is already known). ``pending``:
    instants that count even when past, such as the due instants of steps that have
    not fired: an overdue step makes the next check overdue, so the next scan fires
    it. Empty values are ignored.
    """
    candidates = [at for at in upcoming if at and at > now]
    candidates.extend(at for at in pending if at)
    return min(candidates) if candidates else None
