"""Tests of wfmon_core/tools/escalation.py (loaded by path, odoo-free).

The schedule is 9-17 Monday-Friday UTC; Monday 23 November 2026 is the reference day.
"""

from datetime import datetime, timedelta

import pytest
from conftest import load_tool

esc = load_tool("wfmon_core", "escalation")
sc = load_tool("wfmon_core", "sla_clock")
StepSpec = esc.StepSpec
Clock = esc.Clock

OFFICE = sc.WorkSchedule("UTC", [sc.Attendance(day, 9.0, 17.0) for day in range(5)])
MON_10 = datetime(2026, 11, 23, 10, 0)
# A medium case opened Monday 10:00: respond within 4 h, resolve within 16 h.
CLOCKS = {
    "response": Clock(MON_10, 4.0, datetime(2026, 11, 23, 14, 0)),
    "resolution": Clock(MON_10, 16.0, datetime(2026, 11, 25, 10, 0)),
}
STEPS = (
    StepSpec(1, "ratio", 0.5),
    StepSpec(2, "ratio", 0.8),
    StepSpec(3, "breach", 0),
    StepSpec(4, "breach", 4),
    StepSpec(5, "ratio", 0.5, "response"),
    StepSpec(6, "breach", 0, "response"),
)


def dt(text):
    return datetime.fromisoformat(text)


def due_at(step, clocks=CLOCKS):
    return esc.step_due_at(OFFICE, step, clocks)


def test_ratio_step_is_due_at_its_share_of_the_budget_in_working_hours():
    assert due_at(STEPS[0]) == dt("2026-11-24 10:00")  # 8 of 16 h
    assert due_at(STEPS[1]) == dt("2026-11-24 14:48")  # 12.8 h: 7 on Monday + 5.8
    assert due_at(STEPS[4]) == dt("2026-11-23 12:00")  # 2 of 4 h (response)


def test_breach_step_is_due_hours_after_the_deadline():
    assert due_at(STEPS[2]) == dt("2026-11-25 10:00")
    assert due_at(STEPS[3]) == dt("2026-11-25 14:00")
    assert due_at(StepSpec(7, "breach", 8)) == dt("2026-11-26 10:00")  # over the night
    assert due_at(STEPS[5]) == dt("2026-11-23 14:00")


def test_paused_hours_move_ratio_steps_like_the_deadline():
    paused = {"resolution": Clock(MON_10, 16.0, dt("2026-11-26 10:00"), paused_hours=8.0)}
    assert due_at(STEPS[0], paused) == dt("2026-11-25 10:00")
    assert due_at(STEPS[2], paused) == dt("2026-11-26 10:00")


def test_a_stopped_or_missing_clock_never_makes_its_steps_due():
    responded = {**CLOCKS, "response": Clock(MON_10, 4.0, None)}
    assert due_at(STEPS[4], responded) is None
    assert due_at(STEPS[5], responded) is None
    assert due_at(STEPS[0], {}) is None


def test_due_instants_are_rounded_up_to_the_second():
    clocks = {"resolution": Clock(MON_10, 1.0, dt("2026-11-23 11:00"))}
    # 1/7 h = 514.2857 s: due at the first whole second after it.
    assert due_at(StepSpec(1, "ratio", 1 / 7), clocks) == MON_10 + timedelta(seconds=515)


@pytest.mark.parametrize("value", [0.1, 0.25, 1 / 3, 0.5, 0.75, 0.8, 0.99, 1.0])
@pytest.mark.parametrize("paused", [0.0, 1.5, 9.25])
def test_a_ratio_step_is_due_exactly_when_the_elapsed_share_reaches_it(value, paused):
    """Same decision as reading the elapsed ratio of the clock at ``now``."""
    budget = 16.0
    deadline = sc.add_working_hours(OFFICE, MON_10, budget + paused)
    clocks = {"resolution": Clock(MON_10, budget, deadline, paused)}
    at = due_at(StepSpec(1, "ratio", value), clocks)

    def share(now):
        return (sc.working_hours_between(OFFICE, MON_10, now) - paused) / budget

    assert share(at) >= value - 1e-9
    assert share(at - timedelta(seconds=1)) < value


def test_due_steps_fire_what_is_due_in_input_order():
    due = esc.due_steps
    assert due(OFFICE, STEPS, CLOCKS, dt("2026-11-23 11:59:59")) == []
    assert due(OFFICE, STEPS, CLOCKS, dt("2026-11-23 12:00")) == [5]
    assert due(OFFICE, STEPS, CLOCKS, dt("2026-11-23 14:00")) == [5, 6]
    assert due(OFFICE, STEPS, CLOCKS, dt("2026-11-25 10:00")) == [1, 2, 3, 5, 6]
    assert due(OFFICE, STEPS, CLOCKS, dt("2026-11-25 14:00"), fired={1, 2, 3, 5, 6}) == [4]


def test_fired_steps_are_never_due_again_and_keys_come_once():
    late = dt("2026-12-31 12:00")
    assert esc.due_steps(OFFICE, STEPS, CLOCKS, late, fired=[1, 2, 3, 4, 5, 6]) == []
    steps = [StepSpec(9, "breach", 0), StepSpec(7, "ratio", 0.1), StepSpec(9, "ratio", 0.1)]
    assert esc.due_steps(OFFICE, steps, CLOCKS, late) == [9, 7]


def test_steps_overdue_after_a_replan_are_due_at_once():
    """A low case (10 h) raised to critical (0.001 h) seconds after it opened:
    every step of the new plan lies in the past, and every one is due."""
    start = dt("2026-11-23 10:00:00")
    now = dt("2026-11-23 10:00:05")
    deadline = sc.add_working_hours(OFFICE, start, 0.001)
    clocks = {"resolution": Clock(start, 0.001, deadline)}
    steps = [StepSpec(1, "ratio", 0.5), StepSpec(3, "breach", 0)]
    assert esc.due_steps(OFFICE, steps, clocks, now) == [1, 3]
    pending = [at for _key, at in esc.pending_steps(OFFICE, steps, clocks)]
    assert esc.next_check(now, upcoming=[deadline], pending=pending) <= now


def test_next_check_keeps_overdue_steps_and_drops_past_status_instants():
    now = dt("2026-11-24 12:00")
    past, soon, later = dt("2026-11-24 10:00"), dt("2026-11-24 14:00"), dt("2026-11-25 10:00")
    assert esc.next_check(now, upcoming=[past, later], pending=[soon]) == soon
    assert esc.next_check(now, upcoming=[soon], pending=[past, later]) == past
    assert esc.next_check(now, upcoming=[past, None, False], pending=[None]) is None
    assert esc.next_check(now) is None


def test_next_check_after_firing_moves_to_the_next_step():
    """Firing everything due leaves a next check in the future: the scanner never
    loops on a case."""
    now = dt("2026-11-25 10:30")
    fired = esc.due_steps(OFFICE, STEPS, CLOCKS, now)
    pending = [at for _key, at in esc.pending_steps(OFFICE, STEPS, CLOCKS, fired)]
    assert esc.next_check(now, pending=pending) == dt("2026-11-25 14:00")
    for instant in pending:
        assert instant > now


def test_step_validation():
    with pytest.raises(ValueError, match="trigger"):
        StepSpec(1, "percent", 0.5)
    with pytest.raises(ValueError, match="deadline"):
        StepSpec(1, "ratio", 0.5, "closing")
