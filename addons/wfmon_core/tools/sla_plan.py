"""The SLA plan of a case and its status at an instant (stdlib only, never imports odoo).

A case's clock starts at ``start`` and runs in the working hours of a
:class:`~.sla_clock.WorkSchedule`. Its policy gives two working-hour targets for its
severity: a response target (0 = none) and a resolution target. :func:`plan` turns them
into instants (the deadlines and the at-risk instant) and tells the scanner when to
look at the case first; :func:`status` says, at ``now``, whether the case is on track,
at risk, breached or paused, how much of its budget is consumed, and when to look next.

Working hours the case spent waiting (``paused_hours``) push every instant later by as
much: the plan of a case that waited 3 working hours is the plan of a case that started
3 working hours later. Escalation steps are planned by :mod:`.escalation`, from the
clocks :func:`clocks` builds.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from . import escalation
from .sla_clock import WorkSchedule, add_working_hours, working_hours_between

#: at-risk share of the resolution budget when neither the policy nor the company sets one
DEFAULT_AT_RISK_RATIO = 0.75


def usable(schedule: WorkSchedule | None) -> WorkSchedule:
    """``schedule``, or around the clock when there is none (or it has no working
    time): a deadline must always be reachable."""
    if schedule is None or not schedule.attendances:
        return WorkSchedule.always()
    return schedule


@dataclass(frozen=True)
class Plan:
    """The instants of one clock (naive UTC; ``None`` where there is no target)."""

    start: datetime
    response_hours: float = 0.0
    resolution_hours: float = 0.0
    response_deadline: datetime | None = None
    resolution_deadline: datetime | None = None
    at_risk_date: datetime | None = None
    #: the first instant the scanner must look at the case (may be past)
    next_check: datetime | None = None


def clocks(
    start: datetime | None,
    response_hours: float,
    response_deadline: datetime | None,
    resolution_hours: float,
    resolution_deadline: datetime | None,
    paused_hours: float = 0.0,
) -> dict[str, escalation.Clock]:
    """The clocks escalation steps watch, by name; empty without a start.

    A clock whose deadline is ``None`` (no target, or a response clock that stopped
    because someone responded) never makes a step due."""
    if not start:
        return {}
    return {
        "response": escalation.Clock(
            start, response_hours, response_deadline or None, paused_hours
        ),
        "resolution": escalation.Clock(
            start, resolution_hours, resolution_deadline or None, paused_hours
        ),
    }


def plan(
    schedule: WorkSchedule | None,
    start: datetime,
    response_hours: float | None,
    resolution_hours: float | None,
    now: datetime,
    *,
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO,
    paused_hours: float = 0.0,
    steps: Iterable[escalation.StepSpec] = (),
) -> Plan:
    """Plan a clock starting at ``start``.

    ``resolution_hours`` ``None``: the policy has no target for the severity, and the
    plan is empty (no deadline, nothing to check). Otherwise the resolution deadline
    and the at-risk instant (``at_risk_ratio`` of the budget) are that many working
    hours after ``start`` plus ``paused_hours``; the response deadline too when
    ``response_hours`` is set. Nothing is evaluated yet: :attr:`Plan.next_check` is
    the first moment something may change, in the past when the clock started in the
    past (the next scan then catches up at once), and counts the due instants of
    ``steps``.
    """
    if resolution_hours is None:
        return Plan(start=start)
    schedule = usable(schedule)
    response_hours = response_hours or 0.0
    resolution = add_working_hours(schedule, start, resolution_hours + paused_hours)
    response = (
        add_working_hours(schedule, start, response_hours + paused_hours)
        if response_hours
        else None
    )
    at_risk = add_working_hours(schedule, start, resolution_hours * at_risk_ratio + paused_hours)
    watched = clocks(start, response_hours, response, resolution_hours, resolution, paused_hours)
    first = escalation.next_check(
        now,
        pending=[response, at_risk, resolution]
        + [due for _key, due in escalation.pending_steps(schedule, steps, watched)],
    )
    return Plan(
        start=start,
        response_hours=response_hours,
        resolution_hours=resolution_hours,
        response_deadline=response,
        resolution_deadline=resolution,
        at_risk_date=at_risk,
        next_check=first,
    )


@dataclass(frozen=True)
class Clock:
    """What :func:`status` reads of an open case's clock (naive UTC)."""

    start: datetime | None
    resolution_hours: float
    resolution_deadline: datetime | None
    response_deadline: datetime | None = None
    at_risk_date: datetime | None = None
    responded_at: datetime | None = None
    paused_hours: float = 0.0
    #: since when the clock is paused (the case waits); ``None`` while it runs
    paused_since: datetime | None = None


@dataclass(frozen=True)
class Status:
    """The status of an open clock at an instant."""

    status: str
    progress: float
    #: next instant the scanner must look at the case, ``None`` for never
    next_check: datetime | None


def next_check(clock: Clock, now: datetime, pending: Sequence[datetime] = ()) -> datetime | None:
    """The next instant the status of ``clock`` may change, or the earliest of
    ``pending`` (due instants of steps not fired yet) even if it is past: the next
    scan then fires it."""
    return escalation.next_check(
        now,
        upcoming=[
            clock.at_risk_date,
            clock.resolution_deadline,
            None if clock.responded_at else clock.response_deadline,
        ],
        pending=pending,
    )


def status(
    schedule: WorkSchedule | None,
    clock: Clock,
    now: datetime,
    pending: Sequence[datetime] = (),
) -> Status:
    """The status of an open case's clock at ``now``.

    ``paused`` while the clock is paused (and then nothing is scheduled);
    ``breached`` from the resolution deadline on, or from the response deadline on
    while nobody responded; ``at_risk`` from the at-risk instant on; else
    ``on_track``. Progress is the share (in %) of the resolution budget consumed,
    pauses excluded. Without a resolution deadline the clock is ``on_track`` at 0 %
    and never checked.
    """
    if not clock.resolution_deadline:
        return Status("on_track", 0.0, None)
    schedule = usable(schedule)
    paused = clock.paused_hours
    if clock.paused_since:
        paused += working_hours_between(schedule, clock.paused_since, now)
    elapsed = max(working_hours_between(schedule, clock.start, now) - paused, 0.0)
    progress = elapsed / clock.resolution_hours * 100 if clock.resolution_hours else 0.0
    response_late = (
        clock.response_deadline and not clock.responded_at and now >= clock.response_deadline
    )
    if clock.paused_since:
        return Status("paused", round(progress, 2), None)
    if now >= clock.resolution_deadline or response_late:
        state = "breached"
    elif clock.at_risk_date and now >= clock.at_risk_date:
        state = "at_risk"
    else:
        state = "on_track"
    return Status(state, round(progress, 2), next_check(clock, now, pending))
