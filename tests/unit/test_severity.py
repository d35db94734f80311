"""Tests of wfmon_core/tools/severity.py (loaded by path, odoo-free)."""

import pytest
from conftest import load_tool

sev = load_tool("wfmon_core", "severity")


def test_the_scale_runs_from_low_to_critical():
    assert sev.SEVERITY_ORDER == ("low", "medium", "high", "critical")
    assert [code for code, _label in sev.SEVERITIES] == list(sev.SEVERITY_ORDER)
    assert [sev.rank(code) for code in sev.SEVERITY_ORDER] == [0, 1, 2, 3]
    assert sev.rank(None) == 0
    assert sev.rank(False) == 0


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
    assert sev.next_severity(current) == expected


def test_next_severity_custom_order():
    assert sev.next_severity("b", order=("a", "b", "c")) == "c"
    assert sev.next_severity("c", order=["a", "b", "c"]) == "c"
