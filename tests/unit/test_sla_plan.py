"""Tests of wfmon_core/tools/sla_plan.py (loaded by path, odoo-free).

The schedule is 9-17 Monday-Friday UTC; Monday 23 November 2026 is the reference day.
"""

from datetime import datetime

from conftest import load_tool

plan_mod = load_tool("wfmon_core", "sla_plan")
esc = load_tool("wfmon_core", "escalation")
sc = load_tool("wfmon_core", "sla_clock")

OFFICE = sc.WorkSchedule("UTC", [sc.Attendance(day, 9.0, 17.0) for day in range(5)])
MON_10 = datetime(2026, 11, 23, 10, 0)


def dt(text):
    return datetime.fromisoformat(text)


def test_plan_counts_working_hours_and_the_at_risk_share():
    # Medium: respond within 4 h, resolve within 16 h, at risk at 75 % (12 h).
    got = plan_mod.plan(OFFICE, MON_10, 4.0, 16.0, MON_10, at_risk_ratio=0.75)
    assert got.response_deadline == dt("2026-11-23 14:00")
    assert got.resolution_deadline == dt("2026-11-25 10:00")
    assert got.at_risk_date == dt("2026-11-24 14:00")
    # The first thing that may change is the response deadline.
    assert got.next_check == dt("2026-11-23 14:00")


def test_plan_without_a_target_is_empty():
    got = plan_mod.plan(OFFICE, MON_10, None, None, MON_10)
    assert got == plan_mod.Plan(start=MON_10)
    assert got.next_check is None


def test_plan_without_a_response_target_has_no_response_deadline():
    got = plan_mod.plan(OFFICE, MON_10, 0.0, 8.0, MON_10)
    assert got.response_deadline is None
    assert got.resolution_deadline == dt("2026-11-24 10:00")


def test_paused_hours_move_every_instant_later():
    plain = plan_mod.plan(OFFICE, MON_10, 4.0, 16.0, MON_10)
    paused = plan_mod.plan(OFFICE, MON_10, 4.0, 16.0, MON_10, paused_hours=3.0)
    assert paused.response_deadline == dt("2026-11-23 17:00") != plain.response_deadline
    assert paused.resolution_deadline == dt("2026-11-25 13:00")
    assert paused.at_risk_date == dt("2026-11-24 17:00")


def test_a_clock_started_in_the_past_is_checked_at_once():
    got = plan_mod.plan(OFFICE, MON_10, 4.0, 16.0, dt("2026-11-30 10:00"))
    assert got.next_check == dt("2026-11-23 14:00")  # past: the next scan catches up


def test_steps_count_in_the_first_check():
    step = esc.StepSpec(1, "ratio", 0.1)  # 1.6 h into the budget
    got = plan_mod.plan(OFFICE, MON_10, 4.0, 16.0, MON_10, steps=[step])
    assert got.next_check == dt("2026-11-23 11:36")


def test_no_schedule_counts_around_the_clock():
    got = plan_mod.plan(None, MON_10, 0.0, 24.0, MON_10)
    assert got.resolution_deadline == dt("2026-11-24 10:00")
    empty = sc.WorkSchedule("UTC", [])
    assert plan_mod.usable(empty).attendances
    assert plan_mod.usable(OFFICE) is OFFICE


def clock_of(planned, **extra):
    return plan_mod.Clock(
        start=planned.start,
        resolution_hours=planned.resolution_hours,
        resolution_deadline=planned.resolution_deadline,
        response_deadline=planned.response_deadline,
        at_risk_date=planned.at_risk_date,
        **extra,
    )


PLANNED = plan_mod.plan(OFFICE, MON_10, 4.0, 16.0, MON_10)


def test_status_moves_on_track_at_risk_breached():
    clock = clock_of(PLANNED, responded_at=dt("2026-11-23 11:00"))
    on_track = plan_mod.status(OFFICE, clock, dt("2026-11-23 13:00"))
    assert on_track == plan_mod.Status("on_track", 18.75, dt("2026-11-24 14:00"))
    at_risk = plan_mod.status(OFFICE, clock, dt("2026-11-24 15:00"))
    assert (at_risk.status, at_risk.next_check) == ("at_risk", dt("2026-11-25 10:00"))
    breached = plan_mod.status(OFFICE, clock, dt("2026-11-25 10:00"))
    assert (breached.status, breached.progress, breached.next_check) == ("breached", 100.0, None)


def test_an_unanswered_response_deadline_breaches():
    clock = clock_of(PLANNED)
    assert plan_mod.status(OFFICE, clock, dt("2026-11-23 14:00")).status == "breached"
    answered = clock_of(PLANNED, responded_at=dt("2026-11-23 13:59"))
    assert plan_mod.status(OFFICE, answered, dt("2026-11-23 14:00")).status == "on_track"


def test_a_paused_clock_is_not_checked_and_its_pause_does_not_count():
    clock = clock_of(
        PLANNED, responded_at=dt("2026-11-23 11:00"), paused_since=dt("2026-11-23 12:00")
    )
    got = plan_mod.status(OFFICE, clock, dt("2026-11-24 12:00"))
    assert got == plan_mod.Status("paused", 12.5, None)  # 2 h of 16 before the pause


def test_overdue_steps_keep_the_next_check_in_the_past():
    clock = clock_of(PLANNED, responded_at=dt("2026-11-23 11:00"))
    overdue = dt("2026-11-23 12:00")
    got = plan_mod.status(OFFICE, clock, dt("2026-11-23 13:00"), pending=[overdue])
    assert got.next_check == overdue


def test_no_deadline_is_on_track_and_never_checked():
    clock = plan_mod.Clock(start=MON_10, resolution_hours=0.0, resolution_deadline=None)
    assert plan_mod.status(OFFICE, clock, MON_10) == plan_mod.Status("on_track", 0.0, None)


def test_clocks_stop_without_a_start_or_a_deadline():
    assert plan_mod.clocks(None, 4.0, None, 16.0, None) == {}
    watched = plan_mod.clocks(MON_10, 4.0, None, 16.0, dt("2026-11-25 10:00"), 1.5)
    assert watched["response"].deadline is None
    assert watched["resolution"].paused_hours == 1.5
