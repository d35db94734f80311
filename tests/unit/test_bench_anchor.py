"""The benchmarks' arithmetic of the rule's anchor (benchmarks/bench_scanner.py, benchlib.py).

The benchmarks run inside Odoo, but what they compute from their measures is plain Python:
each call of a scanner's pass against the rule round run right after it, the work ratio
without the waiting, and what the host did. Loaded by file path; Odoo is never imported
(bench_scanner imports it only inside the functions that touch records)."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(
            "wfmon_bench_scanner", BENCHMARKS / "bench_scanner.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert "odoo" not in sys.modules, "a benchmark imported Odoo at import time"
        yield module
    finally:
        sys.path.remove(str(BENCHMARKS))


def rule(seconds, cpu, when="between", pg=None):
    return {"when": when, "seconds": seconds, "cpu_seconds": cpu, "pg_cpu_seconds": pg}


def test_each_call_is_divided_by_the_round_after_it(bench):
    done = {
        "calls": [(20.0, 10.0), (10.0, 6.0), (0.1, 0.05)],
        "opened_after_call": [10000, 15000, 15000],
    }
    rounds = [
        rule(0.030, 0.015, when="before"),
        rule(0.020, 0.010),
        rule(0.010, 0.006),
        rule(0.040, 0.020),
        rule(0.025, 0.012, when="after"),
    ]
    paired = bench.paired_ratios(done, rounds, 15000)
    # The first call: 2 ms per case against 20 ms; the second: 2 ms against 10 ms; the last
    # opened nothing (it only found the pass done) and is left out.
    assert [p["opened"] for p in paired] == [10000, 5000]
    assert [round(p["ratio"], 6) for p in paired] == [0.1, 0.2]
    assert [round(p["cpu_ratio"], 6) for p in paired] == [0.1, 0.2]


def test_calls_too_small_or_unpaired_are_not_compared(bench):
    done = {"calls": [(5.0, 2.0), (0.5, 0.2)], "opened_after_call": [9950, 10000]}
    # 50 cases are less than a tenth of the pickings: not a fair per-case figure.
    assert len(bench.paired_ratios(done, [rule(0.02, 0.01), rule(0.02, 0.01)], 10000)) == 1
    # Without a round after every call (--no-pair) there is nothing to pair.
    assert bench.paired_ratios(done, [rule(0.02, 0.01, when="before")], 10000) == []


def test_work_ratio_leaves_the_waiting_out(bench):
    rounds = [
        rule(0.030, 0.010, pg=0.004),
        rule(0.015, 0.011, pg=0.004),
        rule(0.020, 0.012, pg=0.004),
    ]
    work = bench.work_ratio({"cpu": 0.001, "pg_cpu": 0.0005}, rounds)
    assert work["rule"] == pytest.approx(0.015)
    assert work["ratio"] == pytest.approx(0.1)
    # PostgreSQL's CPU could not be read (the server on another machine): no figure.
    assert bench.work_ratio({"cpu": 0.001, "pg_cpu": None}, rounds) is None


def test_host_figures(bench):
    benchlib = sys.modules["benchlib"]
    speed = benchlib.cpu_speed(repeat=1)
    assert speed > 0
    steal = benchlib.steal()
    assert steal is None or steal >= 0
    if os.path.exists("/proc/stat"):
        assert steal is not None


def test_abba_alternates_which_configuration_goes_first(bench):
    benchlib = sys.modules["benchlib"]
    assert benchlib.abba(("off", "on"), 4) == [
        ("off", "on"),
        ("on", "off"),
        ("off", "on"),
        ("on", "off"),
    ]
    # a dict of configurations gives its keys, in order
    assert benchlib.abba({"off": {}, "on": {}}, 1) == [("off", "on")]
