"""What every benchmark shares with the runner (``scripts/bench.sh``).

- :func:`record` appends one figure, with its anchor and their ratio, to the
  JSON-lines file named by ``WFMON_BENCH_RESULTS`` (the runner gathers those
  lines into one results file); without the variable it does nothing.
- :func:`loadavg` is the machine's load, printed beside each round.

The runner puts this directory on ``PYTHONPATH``; a benchmark fed to
``odoo shell`` imports it like any module.
"""

import json
import math
import os
import statistics


def loadavg():
    """``/proc/loadavg``'s 1, 5 and 15 minute figures, as text ("" elsewhere)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            return " ".join(handle.read().split()[:3])
    except OSError:
        return ""


def summary(values):
    """Median, minimum and maximum of per-round values."""
    values = list(values)
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "rounds": values,
    }


def record(benchmark, name, value, unit, anchor=None, anchor_value=None, ratio=None, **extra):
    """One figure of ``benchmark``.

    :param value: the figure (for interleaved rounds: the median of the rounds)
    :param anchor: what it is measured against, in the same run ("requests.Session", ...)
    :param anchor_value: the anchor's figure, in ``unit``
    :param ratio: figure / anchor; for interleaved rounds the median of the
        per-round ratios (pass ``summary(...)`` of them in ``extra`` as ``ratio_rounds``)
    :param extra: anything else worth keeping (``goal``, ``loadavg``, per-round values)
    """
    path = os.environ.get("WFMON_BENCH_RESULTS")
    if not path:
        return

    def finite(number):  # JSON has no NaN or infinity
        return number if not isinstance(number, float) or math.isfinite(number) else None

    value, anchor_value, ratio = finite(value), finite(anchor_value), finite(ratio)
    line = {
        "benchmark": benchmark,
        "name": name,
        "value": value,
        "unit": unit,
        "anchor": anchor,
        "anchor_value": anchor_value,
        "ratio": ratio,
        **extra,
    }
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, default=str) + "\n")
