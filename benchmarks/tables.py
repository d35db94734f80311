#!/usr/bin/env python3
"""The Markdown tables of docs/benchmarks.md, from one results file of ``make bench``.

    python3 benchmarks/tables.py [.run/bench-results.json]

Prints, for the benchmarks the file holds, the header line (commit, date, load) and one table
per benchmark: each figure, its anchor, their ratio with the range of the per-round ratios,
and the goal. Nothing is measured here: the tables are the file's figures, rounded.
"""

import json
import sys


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:.3g} {unit}"


def ratio_text(figure):
    ratio = figure.get("ratio")
    if ratio is None:
        return "-"
    rounds = figure.get("ratio_rounds") or {}
    spread = (
        f" ({rounds['min']:.2f}–{rounds['max']:.2f})"
        if rounds and len(rounds.get("rounds", [])) > 1
        else ""
    )
    text = f"**{ratio:.2f}×**{spread}"
    if figure.get("cpu_ratio") is not None:
        cpu_rounds = figure.get("cpu_ratio_rounds") or {}
        cpu_spread = (
            f" ({cpu_rounds['min']:.2f}–{cpu_rounds['max']:.2f})"
            if cpu_rounds and len(cpu_rounds.get("rounds", [])) > 1
            else ""
        )
        text += f"; CPU {figure['cpu_ratio']:.2f}×{cpu_spread}"
    return text


def table(figures):
    lines = [
        "| figure | value | anchor | ratio (range of rounds) | queries / anchor's | goal |",
        "|---|---|---|---|---|---|",
    ]
    for fig in figures:
        queries = (
            f"{fig['queries']:.3g} / {fig['anchor_queries']:.3g} = {fig['queries_ratio']:.2f}×"
            if fig.get("queries") is not None and fig.get("anchor_queries") is not None
            else (f"{fig['queries_ratio']:.2f}×" if fig.get("queries_ratio") is not None else "-")
        )
        # The CPU time of the benchmark's own process, where it was measured (PostgreSQL's
        # not included): what the figure comes to when the machine is not shared.
        cpu = f" (CPU {fmt(fig['cpu_seconds'], 's')})" if fig.get("cpu_seconds") is not None else ""
        lines.append(
            f"| {fig['name']} | {fmt(fig['value'], fig['unit'])}{cpu} | "
            f"{fig.get('anchor') or '-'}: "
            f"{fmt(fig.get('anchor_value'), fig['unit'])} | {ratio_text(fig)} | {queries} | "
            f"{fig.get('goal') or ''} |"
        )
    return "\n".join(lines)


def main(path):
    with open(path, encoding="utf-8") as handle:
        results = json.load(handle)
    machine = results.get("machine", {})
    print(
        f"Measured at commit {results.get('commit')}"
        + (" (with uncommitted changes)" if results.get("commit_dirty") else "")
        + f" on {results.get('date')}, {machine.get('cpus')} CPUs, load average (1, 5, 15 min) "
        f"{machine.get('loadavg_before')} before and {machine.get('loadavg_after')} after."
    )
    for name, bench in results.get("benchmarks", {}).items():
        print(f"\n`{name}` ({bench.get('args') or 'defaults'}), exit {bench.get('exit')}:\n")
        print(table(bench.get("figures", [])))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".run/bench-results.json")
