"""Tests of wfmon_core/tools/escalation.py (loaded by path, odoo-free)."""

import pytest
from conftest import load_tool

esc = load_tool("wfmon_core", "escalation")
StepSpec = esc.StepSpec

STEPS = (
    StepSpec(1, "ratio", 0.5),
    StepSpec(2, "ratio", 0.8),
    StepSpec(3, "breach", 0),
    StepSpec(4, "breach", 4),
    StepSpec(5, "ratio", 0.5, "response"),
    StepSpec(6, "breach", 0, "response"),
)


def due(ratios=None, hours_past=None, breached=None, fired=frozenset(), steps=STEPS):
    """Call ``due_steps`` with defaults for the clocks not under test."""
    return esc.due_steps(
        steps,
        ratios=ratios or {},
        hours_past=hours_past or {},
        breached=breached or {},
        fired=fired,
    )


def test_nothing_due_at_start():
    assert due({"resolution": 0.0, "response": 0.0}) == []


def test_ratio_steps_fire_at_threshold_inclusive():
    assert due({"resolution": 0.4999}) == []
    assert due({"resolution": 0.5}) == [1]
    assert due({"resolution": 0.8}) == [1, 2]


def test_already_fired_steps_are_skipped():
    assert due({"resolution": 0.9}, fired={1}) == [2]
    assert due({"resolution": 0.9}, fired=frozenset({1, 2})) == []


def test_breach_step_needs_breached_clock():
    # hours_past given but clock not breached: nothing fires.
    assert due({"resolution": 0.99}, {"resolution": 10}, {"resolution": False}) == [1, 2]
    assert due({"resolution": 1.0}, {"resolution": 0.0}, {"resolution": True}) == [1, 2, 3]


def test_breach_plus_hours():
    breached = {"resolution": True}
    assert due({"resolution": 1.2}, {"resolution": 3.99}, breached, fired={1, 2, 3}) == []
    assert due({"resolution": 1.5}, {"resolution": 4}, breached, fired={1, 2, 3}) == [4]


def test_breached_with_unknown_hours_past_counts_as_zero():
    assert due({}, {"resolution": None}, {"resolution": True}) == [3]


def test_clocks_are_independent():
    got = due({"response": 0.6, "resolution": 0.1}, {"response": 0}, {"response": True})
    assert got == [5, 6]
    assert due({"resolution": 2.0}, {"resolution": 9}, {"resolution": True}) == [1, 2, 3, 4]


def test_missing_clock_never_fires():
    assert due({"response": 0.9}, steps=[StepSpec(1, "ratio", 0.5)]) == []


def test_input_order_is_kept_and_keys_unique():
    steps = [StepSpec(9, "breach", 0), StepSpec(7, "ratio", 0.1), StepSpec(9, "ratio", 0.1)]
    got = due({"resolution": 1.0}, {"resolution": 0}, {"resolution": True}, steps=steps)
    assert got == [9, 7]


def test_step_validation():
    with pytest.raises(ValueError, match="trigger"):
        StepSpec(1, "percent", 0.5)
    with pytest.raises(ValueError, match="deadline"):
        StepSpec(1, "ratio", 0.5, "closing")


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("low", "medium"),
        ("medium", "high"),
        ("high", "critical"),
        ("critical", "critical"),
        ("bogus", "bogus"),
    ],
)
def test_next_severity(current, expected):
    assert esc.next_severity(current) == expected


def test_next_severity_custom_order():
    assert esc.next_severity("b", order=("a", "b", "c")) == "c"
    assert esc.next_severity("c", order=["a", "b", "c"]) == "c"
