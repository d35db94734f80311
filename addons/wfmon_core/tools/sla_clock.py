"""Working-time arithmetic for SLA clocks, modelled on Odoo's ``resource.calendar``.

Conventions
-----------
* Every datetime taken or returned is **naive UTC** (how Odoo stores ``Datetime``
  fields). Aware datetimes are accepted and converted to naive UTC.
* Attendance hours are *local* wall-clock hours in the schedule's time zone; they
  are turned into UTC per calendar day with :mod:`zoneinfo`, so DST changes are
  handled exactly (a 0-6 shift lasts 5 real hours on the spring-forward night).
* Working time is computed with integer microseconds internally, so
  ``working_hours_between(s, add_working_hours(s, h)) == h`` up to float rounding.

This module is stdlib-only and must never import odoo.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Interval = tuple[datetime, datetime]
Pause = tuple[datetime, datetime | None]

#: Deadlines further ahead than this raise ``ValueError`` (5 years, leap days included).
MAX_HORIZON = timedelta(days=5 * 365 + 2)
#: Size of the chunks :func:`add_working_hours` walks through.
CHUNK = timedelta(days=7)

_US_PER_HOUR = 3_600_000_000
_ONE_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Attendance:
    """One weekly working slot, in local wall-clock hours.

    ``weekday``: 0 = Monday ... 6 = Sunday (Odoo's ``dayofweek`` as int).
    ``hour_from`` / ``hour_to``: local hours, ``0 <= hour_from <= hour_to <= 24``;
    24.0 means midnight at the end of the day. Overnight shifts are two
    attendances (Mon 22-24 + Tue 0-6); :meth:`WorkSchedule.intervals` merges them.
    ``week_type``: 0 or 1 for two-week calendars (``None`` = every week).
    """

    weekday: int
    hour_from: float
    hour_to: float
    week_type: int | None = None

    def __post_init__(self) -> None:
        """Validate the slot."""
        if self.weekday not in range(7):
            raise ValueError(f"weekday must be 0..6, got {self.weekday!r}")
        if not 0.0 <= self.hour_from <= self.hour_to <= 24.0:
            raise ValueError(
                f"need 0 <= hour_from <= hour_to <= 24, got {self.hour_from}-{self.hour_to}"
            )
        if self.week_type not in (None, 0, 1):
            raise ValueError(f"week_type must be None, 0 or 1, got {self.week_type!r}")

    @property
    def duration(self) -> float:
        """Nominal length of the slot in hours (ignoring DST)."""
        return self.hour_to - self.hour_from


def week_type_of(day: date) -> int:
    """Return the two-week calendar parity of ``day`` (same formula as Odoo)."""
    return int(math.floor((day.toordinal() - 1) / 7) % 2)


def _naive_utc(value: datetime) -> datetime:
    """Return ``value`` as a naive UTC datetime."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Convert a naive local wall-clock datetime to naive UTC (fold=0 on ambiguity)."""
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _utc_to_local_date(value: datetime, zone: ZoneInfo) -> date:
    """Return the local calendar date of a naive UTC datetime."""
    return value.replace(tzinfo=UTC).astimezone(zone).date()


def _hour_offset(hours: float) -> timedelta:
    """Turn float hours into a timedelta rounded to the second."""
    return timedelta(seconds=round(hours * 3600))


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort intervals and merge the overlapping or touching ones; drop empty ones."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """Remove the (sorted, merged) ``holes`` from the (sorted, merged) ``intervals``."""
    result: list[Interval] = []
    for start, end in intervals:
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                result.append((cursor, h_start))
            cursor = max(cursor, h_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def _length_us(start: datetime, end: datetime) -> int:
    """Length of ``[start, end)`` in integer microseconds."""
    return (end - start) // _ONE_US


@dataclass(frozen=True)
class WorkSchedule:
    """A weekly working-time calendar with closed periods.

    ``tz``: IANA time zone of the attendance hours (e.g. ``"Europe/Brussels"``).
    ``attendances``: the weekly slots. ``leaves``: naive-UTC ``[start, end)``
    closed periods (public holidays, company leaves). ``two_weeks``: alternate
    between attendances of ``week_type`` 0 and 1 (``None`` applies to both).
    Lists are accepted and stored as tuples.
    """

    tz: str
    attendances: tuple[Attendance, ...]
    leaves: tuple[tuple[datetime, datetime], ...] = ()
    two_weeks: bool = False

    def __post_init__(self) -> None:
        """Normalise containers and validate the time zone."""
        object.__setattr__(self, "attendances", tuple(self.attendances))
        object.__setattr__(
            self, "leaves", tuple((_naive_utc(s), _naive_utc(e)) for s, e in self.leaves)
        )
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc

    @classmethod
    def always(cls) -> "WorkSchedule":
        """Return a 24/7 schedule in UTC (used when no calendar is configured)."""
        return cls(tz="UTC", attendances=tuple(Attendance(d, 0.0, 24.0) for d in range(7)))

    @cached_property
    def zone(self) -> ZoneInfo:
        """The :class:`ZoneInfo` of :attr:`tz`."""
        return ZoneInfo(self.tz)

    @cached_property
    def _merged_leaves(self) -> list[Interval]:
        """Leaves sorted and merged."""
        return _merge(self.leaves)

    @property
    def has_working_time(self) -> bool:
        """Whether at least one attendance has a positive duration."""
        return any(att.duration > 0 for att in self.attendances)

    def _attendances_on(self, day: date) -> list[Attendance]:
        """Attendances that apply on the local calendar ``day``."""
        weekday = day.weekday()
        parity = week_type_of(day) if self.two_weeks else None
        return [
            att
            for att in self.attendances
            if att.weekday == weekday
            and (parity is None or att.week_type is None or att.week_type == parity)
        ]

    @cached_property
    def _results(self) -> dict[tuple, object]:
        """Results already computed on this schedule: the cases of a batch share
        their start (now) and their targets, so each sum is worked out once."""
        return {}

    @cached_property
    def _days(self) -> dict[date, tuple[Interval, ...]]:
        """The intervals of the days already computed (a schedule is read for a
        whole batch of cases: each day's time-zone arithmetic is done once)."""
        return {}

    def _day_intervals(self, day: date) -> tuple[Interval, ...]:
        """Raw naive-UTC intervals of the attendances of the local ``day``."""
        found = self._days.get(day)
        if found is None:
            midnight = datetime.combine(day, time())
            found = self._days[day] = tuple(
                (
                    _local_to_utc(midnight + _hour_offset(att.hour_from), self.zone),
                    _local_to_utc(midnight + _hour_offset(att.hour_to), self.zone),
                )
                for att in self._attendances_on(day)
            )
        return found

    def intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """Return the naive-UTC working intervals inside ``[start, end)``.

        Intervals are sorted, touching/overlapping ones are merged (so an
        overnight 22-24 + 0-6 shift is one interval) and leaves are subtracted.
        """
        start, end = _naive_utc(start), _naive_utc(end)
        if end <= start:
            return []
        day = _utc_to_local_date(start, self.zone) - timedelta(days=1)
        last = _utc_to_local_date(end, self.zone) + timedelta(days=1)
        raw: list[Interval] = []
        while day <= last:
            raw.extend(self._day_intervals(day))
            day += timedelta(days=1)
        clipped = [(max(s, start), min(e, end)) for s, e in raw]
        holes = [h for h in self._merged_leaves if h[1] > start and h[0] < end]
        return _subtract(_merge(clipped), holes)


def _memoized(function):
    """``function(schedule, *args)``, computed once per schedule and arguments."""

    def wrapper(schedule: WorkSchedule, *args):
        key = (function.__name__, *args)
        try:
            return schedule._results[key]
        except KeyError:
            result = schedule._results[key] = function(schedule, *args)
            return result

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


@_memoized
def _working_us(schedule: WorkSchedule, start: datetime, end: datetime) -> int:
    """Working microseconds in ``[start, end)``."""
    return sum(_length_us(s, e) for s, e in schedule.intervals(start, end))


@_memoized
def _add_working_us(schedule: WorkSchedule, start: datetime, amount_us: int) -> datetime:
    """Earliest instant at which ``amount_us`` working microseconds have elapsed."""
    if amount_us <= 0:
        return start
    if not schedule.has_working_time:
        raise ValueError("the work schedule has no working time at all (no attendance hours)")
    limit = start + MAX_HORIZON
    cursor, remaining = start, amount_us
    while cursor < limit:
        chunk_end = min(cursor + CHUNK, limit)
        for s, e in schedule.intervals(cursor, chunk_end):
            length = _length_us(s, e)
            if length >= remaining:
                return s + timedelta(microseconds=remaining)
            remaining -= length
        cursor = chunk_end
    raise ValueError(
        f"the deadline would lie more than 5 years after {start.isoformat()} "
        "(schedule has too little working time, or leaves cover it)"
    )


@_memoized
def _subtract_working_us(schedule: WorkSchedule, end: datetime, amount_us: int) -> datetime:
    """Latest instant from which ``amount_us`` working microseconds elapse until ``end``."""
    if amount_us <= 0:
        return end
    if not schedule.has_working_time:
        raise ValueError("the work schedule has no working time at all (no attendance hours)")
    limit = end - MAX_HORIZON
    cursor, remaining = end, amount_us
    while cursor > limit:
        chunk_start = max(cursor - CHUNK, limit)
        for s, e in reversed(schedule.intervals(chunk_start, cursor)):
            length = _length_us(s, e)
            if length >= remaining:
                return e - timedelta(microseconds=remaining)
            remaining -= length
        cursor = chunk_start
    raise ValueError(
        f"the instant would lie more than 5 years before {end.isoformat()} "
        "(schedule has too little working time, or leaves cover it)"
    )


def _hours_to_us(hours: float) -> int:
    """Convert hours to integer microseconds, rejecting negative or non-finite values."""
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"hours must be a finite number >= 0, got {hours!r}")
    return round(hours * _US_PER_HOUR)


def working_hours_between(schedule: WorkSchedule, start: datetime, end: datetime) -> float:
    """Return the working hours in ``[start, end)``; 0 if ``end <= start``."""
    return _working_us(schedule, _naive_utc(start), _naive_utc(end)) / _US_PER_HOUR


def add_working_hours(schedule: WorkSchedule, start: datetime, hours: float) -> datetime:
    """Return the earliest instant at which ``hours`` working hours have elapsed from ``start``.

    ``hours == 0`` returns ``start`` unchanged. When ``start`` lies outside working
    time, counting begins at the next working interval. If the budget runs out
    exactly at the end of an interval, that end is returned (not the start of the
    next interval). Walks the schedule one week-chunk at a time.

    Raises ``ValueError`` for negative hours, a schedule without any working
    time, or a deadline more than 5 years after ``start``.
    """
    return _add_working_us(schedule, _naive_utc(start), _hours_to_us(hours))


def subtract_working_hours(schedule: WorkSchedule, end: datetime, hours: float) -> datetime:
    """Return the latest instant from which ``hours`` working hours elapse until ``end``.

    The mirror image of :func:`add_working_hours` (e.g. "older than N working
    hours" thresholds): ``working_hours_between(schedule, result, end) == hours``.
    ``hours == 0`` returns ``end`` unchanged; when ``end`` lies outside working
    time, counting back begins at the end of the previous working interval. If
    the budget runs out exactly at the start of an interval, that start is returned.

    Raises ``ValueError`` for negative hours, a schedule without any working
    time, or a result more than 5 years before ``end``.
    """
    return _subtract_working_us(schedule, _naive_utc(end), _hours_to_us(hours))


def _pause_blocks(
    pauses: Iterable[Pause], now: datetime | None, since: datetime | None = None
) -> list[Interval]:
    """Normalise pauses into merged naive-UTC blocks clipped to ``[since, now)``.

    An open pause (end ``None``) runs up to ``now``; it is an error without ``now``.
    """
    now = _naive_utc(now) if now is not None else None
    blocks: list[Interval] = []
    for p_start, p_end in pauses:
        if p_end is None:
            if now is None:
                raise ValueError("an open pause (end None) needs an explicit `now`")
            p_end = now
        p_start, p_end = _naive_utc(p_start), _naive_utc(p_end)
        if now is not None:
            p_end = min(p_end, now)
        if since is not None:
            p_start = max(p_start, since)
        blocks.append((p_start, p_end))
    return _merge(blocks)


def _paused_us(schedule: WorkSchedule, blocks: Iterable[Interval]) -> int:
    """Working microseconds covered by already merged pause blocks."""
    return sum(_working_us(schedule, s, e) for s, e in blocks)


def paused_working_hours(schedule: WorkSchedule, pauses: Iterable[Pause], now: datetime) -> float:
    """Return the working hours covered by ``pauses`` up to ``now``.

    ``pauses`` are ``(start, end_or_None)`` naive-UTC pairs; an open pause counts
    up to ``now`` and every pause is clipped at ``now``. Overlapping pauses are
    counted once.
    """
    return _paused_us(schedule, _pause_blocks(pauses, now)) / _US_PER_HOUR


def compute_deadline(
    schedule: WorkSchedule,
    start: datetime,
    hours: float,
    pauses: Iterable[Pause] = (),
    now: datetime | None = None,
) -> datetime:
    """Return the SLA deadline: ``hours`` working hours after ``start``, extended by pauses.

    Definition: pauses are clipped to ``[start, now)`` (open pauses run up to
    ``now``; with ``now=None`` closed pauses are not clipped and an open pause
    raises ``ValueError``) and merged into blocks. The deadline ``D`` is the
    smallest fixed point of::

        D = add_working_hours(start, hours + working hours of the blocks beginning before D)

    i.e. a pause that begins before the (extended) deadline stops the clock and
    its whole working time is added; a pause beginning at or after the deadline
    changes nothing (the clock was already breached). Computed by iterating from
    the plain deadline; each round either adds a block or stops, so at most
    ``len(blocks) + 1`` rounds are needed.
    """
    start = _naive_utc(start)
    budget_us = _hours_to_us(hours)
    deadline = _add_working_us(schedule, start, budget_us)
    blocks = _pause_blocks(pauses, now, since=start)
    for _ in range(len(blocks) + 1):
        counted = [b for b in blocks if b[0] < deadline]
        extended = _add_working_us(schedule, start, budget_us + _paused_us(schedule, counted))
        if extended == deadline:
            break
        deadline = extended
    return deadline


def elapsed_ratio(
    schedule: WorkSchedule,
    start: datetime,
    deadline: datetime,
    now: datetime,
    pauses: Iterable[Pause] = (),
) -> float:
    """Return the fraction of the SLA budget consumed at ``now``.

    ``consumed`` = working time in ``[start, now)`` minus paused working time in
    that range; ``budget`` = working time in ``[start, deadline)`` minus paused
    working time in ``[start, min(now, deadline))``. Returns ``consumed / budget``,
    which is not clamped (it exceeds 1.0 after the deadline). Returns 0.0 when
    ``now <= start``; with a zero budget returns 1.0 if ``now >= deadline``, else 0.0.
    """
    start, deadline, now = _naive_utc(start), _naive_utc(deadline), _naive_utc(now)
    if now <= start:
        return 0.0
    pauses = list(pauses)
    budget_blocks = _pause_blocks(pauses, min(now, deadline), since=start)
    budget = _working_us(schedule, start, deadline) - _paused_us(schedule, budget_blocks)
    if budget <= 0:
        return 1.0 if now >= deadline else 0.0
    consumed_blocks = _pause_blocks(pauses, now, since=start)
    consumed = _working_us(schedule, start, now) - _paused_us(schedule, consumed_blocks)
    return max(consumed, 0) / budget


def sla_status(now: datetime, deadline: datetime, ratio: float, at_risk_ratio: float) -> str:
    """Return ``'breached'``, ``'at_risk'`` or ``'on_track'``.

    Breached as soon as ``now >= deadline`` (the deadline is the instant the budget
    is fully consumed, so the boundary itself is breached); otherwise at risk when
    ``ratio >= at_risk_ratio``; otherwise on track.
    """
    if _naive_utc(now) >= _naive_utc(deadline):
        return "breached"
    if ratio >= at_risk_ratio:
        return "at_risk"
    return "on_track"


def hours_past(schedule: WorkSchedule, deadline: datetime, now: datetime) -> float:
    """Return the working hours elapsed after ``deadline`` (0 if ``now <= deadline``)."""
    return working_hours_between(schedule, deadline, now)
