"""Tests of wfmon_core/tools/sla_clock.py (loaded by path, odoo-free).

All expected datetimes are naive UTC; comments give the local wall-clock time.
Brussels is UTC+1 in winter (CET) and UTC+2 in summer (CEST).
"""

import sys
from datetime import datetime, timedelta

import pytest
from conftest import load_tool

sc = load_tool("wfmon_core", "sla_clock")

Attendance = sc.Attendance
WorkSchedule = sc.WorkSchedule


def dt(text: str) -> datetime:
    """Parse a naive UTC ISO datetime."""
    return datetime.fromisoformat(text)


def office(tz: str = "Europe/Brussels", leaves=()) -> "WorkSchedule":
    """40 h/week: Mon-Fri 08-12 + 13-17 local."""
    atts = [Attendance(d, h0, h1) for d in range(5) for h0, h1 in ((8, 12), (13, 17))]
    return WorkSchedule(tz=tz, attendances=tuple(atts), leaves=tuple(leaves))


def overnight(tz: str = "Europe/Brussels") -> "WorkSchedule":
    """Night shifts Mon-Fri 22:00 -> 06:00 next morning, as two attendances each."""
    atts = [Attendance(d, 22, 24) for d in range(5)] + [Attendance(d, 0, 6) for d in range(1, 6)]
    return WorkSchedule(tz=tz, attendances=tuple(atts))


BRUSSELS = office()


# --- add_working_hours: basic office calendar --------------------------------------------


def test_friday_afternoon_rolls_over_weekend():
    # Fri 12 Jan 2024 15:00 CET + 4 h = Fri 15-17 (2 h) + Mon 08-10 (2 h) -> Mon 10:00 CET.
    assert sc.add_working_hours(BRUSSELS, dt("2024-01-12 14:00"), 4) == dt("2024-01-15 09:00")
    # Fri 16:00 CET + 4 h = Fri 16-17 (1 h) + Mon 08-11 (3 h) -> Mon 11:00 CET.
    assert sc.add_working_hours(BRUSSELS, dt("2024-01-12 15:00"), 4) == dt("2024-01-15 10:00")


def test_budget_ending_on_interval_end_returns_that_end():
    # Fri 15:00 CET + 2 h -> Fri 17:00 CET, not Monday 08:00 (earliest instant).
    assert sc.add_working_hours(BRUSSELS, dt("2024-01-12 14:00"), 2) == dt("2024-01-12 16:00")


def test_start_inside_lunch_break():
    # Mon 15 Jan 12:30 CET (lunch) + 1 h -> counting starts 13:00 -> 14:00 CET.
    assert sc.add_working_hours(BRUSSELS, dt("2024-01-15 11:30"), 1) == dt("2024-01-15 13:00")
    assert sc.working_hours_between(BRUSSELS, dt("2024-01-15 11:30"), dt("2024-01-15 13:00")) == 1


def test_start_on_saturday_begins_monday():
    # Sat 13 Jan 10:00 CET + 0.5 h -> Mon 08:30 CET.
    assert sc.add_working_hours(BRUSSELS, dt("2024-01-13 09:00"), 0.5) == dt("2024-01-15 07:30")


def test_zero_hours_returns_start_even_outside_working_time():
    saturday = dt("2024-01-13 09:00")
    assert sc.add_working_hours(BRUSSELS, saturday, 0) == saturday
    assert sc.compute_deadline(BRUSSELS, saturday, 0) == saturday
    assert sc.working_hours_between(BRUSSELS, saturday, saturday) == 0


def test_negative_hours_rejected():
    with pytest.raises(ValueError, match="hours"):
        sc.add_working_hours(BRUSSELS, dt("2024-01-15 07:00"), -1)


def test_public_holiday_monday_is_skipped():
    # Mon 15 Jan 2024 closed all day local (14 Jan 23:00 -> 15 Jan 23:00 UTC).
    holiday = (dt("2024-01-14 23:00"), dt("2024-01-15 23:00"))
    schedule = office(leaves=[holiday])
    # Fri 16:00 CET + 4 h = Fri 1 h + Tue 08-11 -> Tue 16 Jan 11:00 CET.
    assert sc.add_working_hours(schedule, dt("2024-01-12 15:00"), 4) == dt("2024-01-16 10:00")
    assert sc.working_hours_between(schedule, dt("2024-01-15 00:00"), dt("2024-01-16 00:00")) == 0


def test_half_day_leave_is_subtracted_from_intervals():
    # Leave Mon 15 Jan 10:00-14:00 CET.
    schedule = office(leaves=[(dt("2024-01-15 09:00"), dt("2024-01-15 13:00"))])
    assert schedule.intervals(dt("2024-01-15 00:00"), dt("2024-01-16 00:00")) == [
        (dt("2024-01-15 07:00"), dt("2024-01-15 09:00")),
        (dt("2024-01-15 13:00"), dt("2024-01-15 16:00")),
    ]


def test_easter_monday_right_after_spring_dst_change():
    # DST starts Sun 31 Mar 2024; Easter Monday 1 Apr is a holiday (CEST day = 22:00-22:00 UTC).
    schedule = office(leaves=[(dt("2024-03-31 22:00"), dt("2024-04-01 22:00"))])
    # Fri 29 Mar 16:00 CET + 4 h = Fri 1 h + Tue 2 Apr 08-11 CEST -> 09:00 UTC.
    assert sc.add_working_hours(schedule, dt("2024-03-29 15:00"), 4) == dt("2024-04-02 09:00")


# --- subtract_working_hours ---------------------------------------------------------------


def test_subtract_working_hours_over_weekend():
    # Mon 15 Jan 10:00 CET - 4 h = Mon 08-10 (2 h) + Fri 15-17 (2 h) -> Fri 12 Jan 15:00 CET.
    got = sc.subtract_working_hours(BRUSSELS, dt("2024-01-15 09:00"), 4)
    assert got == dt("2024-01-12 14:00")
    # Budget exhausted at an interval start returns that start (latest instant).
    assert sc.subtract_working_hours(BRUSSELS, dt("2024-01-15 09:00"), 2) == dt("2024-01-15 07:00")
    # From Sunday: counting back starts at Fri 17:00 CET.
    assert sc.subtract_working_hours(BRUSSELS, dt("2024-01-14 12:00"), 1) == dt("2024-01-12 15:00")


def test_subtract_working_hours_edge_cases():
    sunday = dt("2024-01-14 12:00")
    assert sc.subtract_working_hours(BRUSSELS, sunday, 0) == sunday
    # Autumn DST weekend: Mon 28 Oct 09:00 CET - 2 h -> Fri 25 Oct 16:00 CEST.
    got = sc.subtract_working_hours(BRUSSELS, dt("2024-10-28 08:00"), 2)
    assert got == dt("2024-10-25 14:00")
    assert sc.subtract_working_hours(WorkSchedule.always(), sunday, 36) == dt("2024-01-13 00:00")
    with pytest.raises(ValueError, match="no working time"):
        sc.subtract_working_hours(WorkSchedule(tz="UTC", attendances=()), sunday, 1)
    closed = office(leaves=[(dt("2018-01-01 00:00"), dt("2024-02-01 00:00"))])
    with pytest.raises(ValueError, match="5 years"):
        sc.subtract_working_hours(closed, sunday, 1)
    with pytest.raises(ValueError, match="hours"):
        sc.subtract_working_hours(BRUSSELS, sunday, -2)


# --- DST ----------------------------------------------------------------------------------


def test_spring_dst_week_intervals():
    got = BRUSSELS.intervals(dt("2024-03-29 00:00"), dt("2024-04-02 00:00"))
    assert got == [
        (dt("2024-03-29 07:00"), dt("2024-03-29 11:00")),  # Fri 08-12 CET
        (dt("2024-03-29 12:00"), dt("2024-03-29 16:00")),  # Fri 13-17 CET
        (dt("2024-04-01 06:00"), dt("2024-04-01 10:00")),  # Mon 08-12 CEST
        (dt("2024-04-01 11:00"), dt("2024-04-01 15:00")),  # Mon 13-17 CEST
    ]


def test_autumn_dst_change_over_weekend():
    # DST ends Sun 27 Oct 2024. Fri 25 Oct 16:00 CEST + 4 h -> Mon 28 Oct 11:00 CET.
    assert sc.add_working_hours(BRUSSELS, dt("2024-10-25 14:00"), 4) == dt("2024-10-28 10:00")


def test_night_shift_on_dst_nights_has_real_length():
    # Sat 22:00 -> Sun 06:00 local on the DST nights.
    schedule = WorkSchedule(
        tz="Europe/Brussels", attendances=(Attendance(5, 22, 24), Attendance(6, 0, 6))
    )
    spring = schedule.intervals(dt("2024-03-30 00:00"), dt("2024-04-01 00:00"))
    assert spring == [(dt("2024-03-30 21:00"), dt("2024-03-31 04:00"))]  # 7 real hours
    autumn = schedule.intervals(dt("2024-10-26 00:00"), dt("2024-10-28 00:00"))
    assert autumn == [(dt("2024-10-26 20:00"), dt("2024-10-27 05:00"))]  # 9 real hours
    assert sc.working_hours_between(schedule, dt("2024-10-26 00:00"), dt("2024-10-28 00:00")) == 9


# --- overnight shifts ---------------------------------------------------------------------


def test_overnight_attendances_merge_across_midnight():
    got = overnight().intervals(dt("2024-01-15 00:00"), dt("2024-01-17 00:00"))
    assert got == [
        (dt("2024-01-15 21:00"), dt("2024-01-16 05:00")),  # Mon 22:00 -> Tue 06:00 CET
        (dt("2024-01-16 21:00"), dt("2024-01-17 00:00")),  # Tue 22:00 CET, clipped at end
    ]


def test_overnight_add_hours_spans_nights():
    # Mon 22:00 CET + 10 h = Mon night 8 h + Tue 22:00-00:00 CET -> Wed 00:00 CET.
    got = sc.add_working_hours(overnight(), dt("2024-01-15 21:00"), 10)
    assert got == dt("2024-01-16 23:00")


# --- time zones far from UTC --------------------------------------------------------------


def test_new_york_office():
    schedule = WorkSchedule(
        tz="America/New_York",
        attendances=tuple(Attendance(d, 9, 17) for d in range(5)),
    )
    # Fri 12 Jan 2024 16:00 EST + 3 h -> Mon 15 Jan 11:00 EST.
    assert sc.add_working_hours(schedule, dt("2024-01-12 21:00"), 3) == dt("2024-01-15 16:00")
    # Across the US DST change (Sun 10 Mar 2024): Fri 16:00 EST + 3 h -> Mon 11:00 EDT.
    assert sc.add_working_hours(schedule, dt("2024-03-08 21:00"), 3) == dt("2024-03-11 15:00")


def test_kolkata_half_hour_offset():
    schedule = WorkSchedule(
        tz="Asia/Kolkata",
        attendances=tuple(Attendance(d, 9.5, 18) for d in range(5)),
    )
    # Mon 15 Jan 08:30 IST (before work) + 2 h -> 11:30 IST.
    assert sc.add_working_hours(schedule, dt("2024-01-15 03:00"), 2) == dt("2024-01-15 06:00")
    # Fri 19 Jan 17:00 IST + 2.5 h = Fri 1 h + Mon 09:30-11:00 IST.
    assert sc.add_working_hours(schedule, dt("2024-01-19 11:30"), 2.5) == dt("2024-01-22 05:30")


def test_local_monday_starts_on_sunday_utc():
    schedule = WorkSchedule(tz="Asia/Kolkata", attendances=(Attendance(0, 0, 4),))
    # Mon 15 Jan 00:00-04:00 IST = Sun 14 Jan 18:30-22:30 UTC.
    got = schedule.intervals(dt("2024-01-14 00:00"), dt("2024-01-15 00:00"))
    assert got == [(dt("2024-01-14 18:30"), dt("2024-01-14 22:30"))]


# --- two-week calendars -------------------------------------------------------------------


def two_week_schedule(two_weeks: bool = True) -> "WorkSchedule":
    """Week type 0: full office week; week type 1: Mon/Tue 18-21; both weeks: Sat 10-11."""
    atts = [Attendance(d, h0, h1, 0) for d in range(5) for h0, h1 in ((8, 12), (13, 17))]
    atts += [Attendance(0, 18, 21, 1), Attendance(1, 18, 21, 1), Attendance(5, 10, 11)]
    return WorkSchedule(tz="Europe/Brussels", attendances=tuple(atts), two_weeks=two_weeks)


def test_week_type_formula_matches_odoo():
    assert sc.week_type_of(datetime(2024, 1, 15).date()) == 1
    assert sc.week_type_of(datetime(2024, 1, 21).date()) == 1  # Sunday, same week
    assert sc.week_type_of(datetime(2024, 1, 22).date()) == 0


def test_two_week_calendar():
    schedule = two_week_schedule()
    # Week of 15 Jan is type 1: Mon 3 h + Tue 3 h + Sat 1 h (week_type None) = 7 h.
    week1 = sc.working_hours_between(schedule, dt("2024-01-14 23:00"), dt("2024-01-21 23:00"))
    assert week1 == 7
    week0 = sc.working_hours_between(schedule, dt("2024-01-21 23:00"), dt("2024-01-28 23:00"))
    assert week0 == 41
    # Mon 15 Jan 08:00 CET + 10 h = 7 h in week 1, then Mon 22 Jan 08-11 CET.
    assert sc.add_working_hours(schedule, dt("2024-01-15 07:00"), 10) == dt("2024-01-22 10:00")


def test_week_type_ignored_when_not_two_weeks():
    schedule = two_week_schedule(two_weeks=False)
    week = sc.working_hours_between(schedule, dt("2024-01-14 23:00"), dt("2024-01-21 23:00"))
    assert week == 41 + 6


# --- 24/7 ---------------------------------------------------------------------------------


def test_always_schedule():
    always = WorkSchedule.always()
    assert always.intervals(dt("2024-01-13 10:00"), dt("2024-01-20 10:00")) == [
        (dt("2024-01-13 10:00"), dt("2024-01-20 10:00"))
    ]
    assert sc.add_working_hours(always, dt("2024-01-13 10:00"), 30) == dt("2024-01-14 16:00")
    assert sc.working_hours_between(always, dt("2024-03-30 00:00"), dt("2024-04-06 00:00")) == 168


# --- errors -------------------------------------------------------------------------------


def test_empty_schedule_raises():
    empty = WorkSchedule(tz="UTC", attendances=())
    with pytest.raises(ValueError, match="no working time"):
        sc.add_working_hours(empty, dt("2024-01-15 07:00"), 1)
    zero_length = WorkSchedule(tz="UTC", attendances=(Attendance(0, 9, 9),))
    with pytest.raises(ValueError, match="no working time"):
        sc.compute_deadline(zero_length, dt("2024-01-15 07:00"), 1)


def test_deadline_more_than_five_years_ahead_raises():
    closed = office(leaves=[(dt("2024-01-01 00:00"), dt("2031-01-01 00:00"))])
    with pytest.raises(ValueError, match="5 years"):
        sc.add_working_hours(closed, dt("2024-01-15 07:00"), 1)
    with pytest.raises(ValueError, match="5 years"):
        sc.add_working_hours(BRUSSELS, dt("2024-01-15 07:00"), 40 * 53 * 6)


def test_invalid_inputs_rejected():
    with pytest.raises(ValueError):
        Attendance(7, 8, 12)
    with pytest.raises(ValueError):
        Attendance(0, 12, 8)
    with pytest.raises(ValueError):
        Attendance(0, 8, 25)
    with pytest.raises(ValueError):
        Attendance(0, 8, 12, week_type=2)
    with pytest.raises(ValueError, match="time zone"):
        WorkSchedule(tz="Mars/Olympus", attendances=())


def test_aware_datetimes_are_converted_to_naive_utc():
    aware = datetime.fromisoformat("2024-01-12 15:00+01:00")
    assert sc.add_working_hours(BRUSSELS, aware, 4) == dt("2024-01-15 09:00")


# --- pauses and compute_deadline ----------------------------------------------------------

MON_0800 = dt("2024-01-15 07:00")  # Mon 15 Jan 2024 08:00 CET


def test_compute_deadline_without_pauses_is_plain_deadline():
    assert sc.compute_deadline(BRUSSELS, MON_0800, 16) == dt("2024-01-16 16:00")  # Tue 17:00


def test_pause_spanning_days_and_weekend():
    # Pause Tue 16 Jan 15:00 CET -> Mon 22 Jan 10:00 CET: 2 + 3 * 8 + 2 = 28 working hours.
    pause = (dt("2024-01-16 14:00"), dt("2024-01-22 09:00"))
    now = dt("2024-01-22 12:00")
    assert sc.paused_working_hours(BRUSSELS, [pause], now) == 28
    # 2 h were left at the pause; resumed Mon 10:00 CET -> Mon 12:00 CET.
    got = sc.compute_deadline(BRUSSELS, MON_0800, 16, [pause], now)
    assert got == dt("2024-01-22 11:00")


def test_pause_over_weekend_only_counts_working_time():
    # 40 h from Mon 08:00 -> Fri 19 Jan 17:00 CET; pause Fri 16:00 -> Mon 22 Jan 09:00 CET = 2 h.
    pause = (dt("2024-01-19 15:00"), dt("2024-01-22 08:00"))
    got = sc.compute_deadline(BRUSSELS, MON_0800, 40, [pause], dt("2024-01-23 00:00"))
    assert got == dt("2024-01-22 09:00")  # Mon 10:00 CET


def test_open_pause_counts_up_to_now():
    pause = (dt("2024-01-16 09:00"), None)  # Tue 10:00 CET, still paused
    now = dt("2024-01-17 08:00")  # Wed 09:00 CET
    # Paused: Tue 10-12, 13-17, Wed 08-09 = 7 h.
    assert sc.paused_working_hours(BRUSSELS, [pause], now) == 7
    # 6 h were left at the pause; if resumed now -> Wed 09-12 + 13-16 -> Wed 16:00 CET.
    assert sc.compute_deadline(BRUSSELS, MON_0800, 16, [pause], now) == dt("2024-01-17 15:00")


def test_open_pause_without_now_raises():
    with pytest.raises(ValueError, match="now"):
        sc.compute_deadline(BRUSSELS, MON_0800, 16, [(dt("2024-01-16 09:00"), None)])
    with pytest.raises(ValueError, match="now"):
        sc.paused_working_hours(BRUSSELS, [(dt("2024-01-16 09:00"), None)], None)


def test_overlapping_pauses_counted_once():
    pauses = [
        (dt("2024-01-15 08:00"), dt("2024-01-15 10:00")),  # Mon 09-11 CET
        (dt("2024-01-15 09:00"), dt("2024-01-15 12:00")),  # Mon 10-13 CET (lunch 12-13)
        (dt("2024-01-15 08:30"), dt("2024-01-15 09:30")),
    ]
    assert sc.paused_working_hours(BRUSSELS, pauses, dt("2024-01-16 00:00")) == 3
    # Clipped at now: only Mon 09-10 CET elapsed.
    assert sc.paused_working_hours(BRUSSELS, pauses, dt("2024-01-15 09:00")) == 1


def test_pause_after_deadline_does_not_move_it():
    plain = dt("2024-01-16 16:00")  # Tue 17:00 CET
    now = dt("2024-01-18 00:00")
    later = (dt("2024-01-17 08:00"), dt("2024-01-17 11:00"))
    assert sc.compute_deadline(BRUSSELS, MON_0800, 16, [later], now) == plain
    at_deadline = (plain, dt("2024-01-17 11:00"))
    assert sc.compute_deadline(BRUSSELS, MON_0800, 16, [at_deadline], now) == plain
    before_start = (dt("2024-01-12 08:00"), dt("2024-01-15 07:00"))
    assert sc.compute_deadline(BRUSSELS, MON_0800, 16, [before_start], now) == plain


def test_pause_one_minute_before_deadline():
    # Pause Tue 16:59 -> Wed 12:00 CET: 1 min left, resumes after lunch -> Wed 13:01 CET.
    pause = (dt("2024-01-16 15:59"), dt("2024-01-17 11:00"))
    got = sc.compute_deadline(BRUSSELS, MON_0800, 16, [pause], dt("2024-01-18 00:00"))
    assert got == dt("2024-01-17 12:01")


def test_pause_chain_extension_is_iterated():
    pauses = [
        (dt("2024-01-16 15:00"), dt("2024-01-17 09:00")),  # Tue 16:00 -> Wed 10:00 CET (3 h)
        (dt("2024-01-17 09:30"), dt("2024-01-17 13:00")),  # Wed 10:30 -> 14:00 (2.5 h), after
        # the plain deadline but before the deadline extended by the first pause
        (dt("2024-01-17 14:00"), dt("2024-01-17 15:00")),  # Wed 15:00 -> 16:00, after final
    ]
    got = sc.compute_deadline(BRUSSELS, MON_0800, 16, pauses, dt("2024-01-18 00:00"))
    assert got == dt("2024-01-17 13:30")  # Wed 14:30 CET


# --- elapsed_ratio and sla_status ---------------------------------------------------------

MON_1700 = dt("2024-01-15 16:00")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2024-01-15 06:00", 0.0),  # before start
        ("2024-01-15 07:00", 0.0),  # at start
        ("2024-01-15 11:00", 0.5),  # Mon 12:00 CET: 4 of 8 h
        ("2024-01-15 11:30", 0.5),  # lunch does not count
        ("2024-01-15 13:00", 0.625),
        ("2024-01-15 16:00", 1.0),  # at deadline
        ("2024-01-16 08:00", 1.125),  # Tue 09:00 CET: not clamped
    ],
)
def test_elapsed_ratio(now, expected):
    assert sc.elapsed_ratio(BRUSSELS, MON_0800, MON_1700, dt(now)) == pytest.approx(expected)


def test_elapsed_ratio_with_pause():
    pause = (dt("2024-01-15 08:00"), dt("2024-01-15 09:00"))  # Mon 09-10 CET
    deadline = sc.compute_deadline(BRUSSELS, MON_0800, 8, [pause], dt("2024-01-15 12:00"))
    assert deadline == dt("2024-01-16 08:00")  # Tue 09:00 CET
    now = dt("2024-01-15 12:00")  # Mon 13:00 CET: worked 4 h, paused 1 h
    assert sc.elapsed_ratio(BRUSSELS, MON_0800, deadline, now, [pause]) == pytest.approx(3 / 8)
    assert sc.elapsed_ratio(BRUSSELS, MON_0800, deadline, deadline, [pause]) == pytest.approx(1)


def test_elapsed_ratio_frozen_during_open_pause():
    pause = (dt("2024-01-15 09:00"), None)  # Mon 10:00 CET
    ratios = []
    for now in (dt("2024-01-15 10:00"), dt("2024-01-16 10:00")):
        deadline = sc.compute_deadline(BRUSSELS, MON_0800, 8, [pause], now)
        ratios.append(sc.elapsed_ratio(BRUSSELS, MON_0800, deadline, now, [pause]))
    assert ratios == [pytest.approx(0.25), pytest.approx(0.25)]


def test_elapsed_ratio_zero_budget():
    assert sc.elapsed_ratio(BRUSSELS, MON_0800, MON_0800, dt("2024-01-15 08:00")) == 1.0
    saturday, sunday = dt("2024-01-13 09:00"), dt("2024-01-14 09:00")
    assert sc.elapsed_ratio(BRUSSELS, saturday, sunday, dt("2024-01-13 12:00")) == 0.0
    assert sc.elapsed_ratio(BRUSSELS, saturday, sunday, sunday) == 1.0


@pytest.mark.parametrize(
    ("now", "ratio", "status"),
    [
        ("2024-01-15 13:00", 0.625, "on_track"),
        ("2024-01-15 13:59:59", 0.7499, "on_track"),
        ("2024-01-15 14:00", 0.75, "at_risk"),  # exactly at the at-risk threshold
        ("2024-01-15 15:59:59", 0.9999, "at_risk"),
        ("2024-01-15 16:00", 1.0, "breached"),  # exactly at the deadline
        ("2024-01-16 08:00", 1.125, "breached"),
    ],
)
def test_sla_status(now, ratio, status):
    assert sc.sla_status(dt(now), MON_1700, ratio, 0.75) == status


def test_sla_status_from_computed_ratio():
    now = dt("2024-01-15 14:00")  # Mon 15:00 CET: 6 of 8 h
    ratio = sc.elapsed_ratio(BRUSSELS, MON_0800, MON_1700, now)
    assert ratio == 0.75
    assert sc.sla_status(now, MON_1700, ratio, 0.75) == "at_risk"
    assert sc.sla_status(now, MON_1700, ratio, 0.8) == "on_track"


# --- hours_past ---------------------------------------------------------------------------


def test_hours_past_across_weekend():
    deadline = dt("2024-01-19 15:00")  # Fri 16:00 CET
    assert sc.hours_past(BRUSSELS, deadline, dt("2024-01-22 09:00")) == 3  # Mon 10:00 CET
    assert sc.hours_past(BRUSSELS, deadline, dt("2024-01-20 12:00")) == 1  # Saturday
    assert sc.hours_past(BRUSSELS, deadline, deadline) == 0
    assert sc.hours_past(BRUSSELS, deadline, dt("2024-01-19 10:00")) == 0


# --- property-style round trip ------------------------------------------------------------

ROUND_TRIP_SCHEDULES = {
    "brussels": BRUSSELS,
    "overnight": overnight(),
    "kolkata": office("Asia/Kolkata"),
    "new_york_holiday": office(
        "America/New_York", [(dt("2024-03-11 04:00"), dt("2024-03-12 04:00"))]
    ),
    "two_weeks": two_week_schedule(),
    "always": WorkSchedule.always(),
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIP_SCHEDULES))
def test_round_trip_add_or_subtract_then_measure(name):
    schedule = ROUND_TRIP_SCHEDULES[name]
    hour_counts = (0, 0.01, 0.25, 1, 3.5, 7.999, 8, 13.75, 40, 100.1)
    start = dt("2024-03-04 00:00")  # covers the March DST changes of US and EU
    for step in range(0, 21 * 24, 7):
        begin = start + timedelta(hours=step, minutes=step % 60)
        for hours in hour_counts:
            end = sc.add_working_hours(schedule, begin, hours)
            assert end >= begin
            measured = sc.working_hours_between(schedule, begin, end)
            assert measured == pytest.approx(hours, abs=1e-6), (name, begin, hours, end)
            if hours:
                # Earliest instant: one second earlier the budget is not yet consumed.
                early = sc.working_hours_between(schedule, begin, end - timedelta(seconds=1))
                assert early < hours
            back = sc.subtract_working_hours(schedule, begin, hours)
            assert back <= begin
            measured = sc.working_hours_between(schedule, back, begin)
            assert measured == pytest.approx(hours, abs=1e-6), (name, begin, hours, back)
            if hours:
                # Latest instant: one second later the budget is no longer reached.
                late = sc.working_hours_between(schedule, back + timedelta(seconds=1), begin)
                assert late < hours


# --- must stay the last test of the last module (conftest also checks at session end) -----


def test_zz_odoo_never_imported():
    assert "odoo" not in sys.modules
