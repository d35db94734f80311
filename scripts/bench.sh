#!/usr/bin/env bash
# `make bench`: every benchmark of benchmarks/ through this one runner, then one JSON results file.
#   scripts/bench.sh [NAME ...]     NAME: core, distribution, delivery (default: all, in that order)
# Each benchmark gets a database of its own with the module it measures (no demo data; created
# once, updated afterwards) and is fed to `odoo shell`. Its options come from
# WFMON_BENCH_ARGS_<NAME> (e.g. WFMON_BENCH_ARGS_DELIVERY="--events 2000 --rounds 5"), or from
# WFMON_BENCH_ARGS when a single benchmark is run. The benchmarks print their report (and the
# machine's load beside each round) and append their figures, each with its anchor and ratio, to
# a JSON-lines file (benchmarks/benchlib.py); this runner gathers them, with the commit and the
# load, into $WFMON_BENCH_OUT (default .run/bench-results.json). Reports: .run/bench-<name>.log.
# Asserts nothing: speed is read, never gated.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"

declare -A MODULE=([core]=wfmon_core [distribution]=wfmon_distribution [delivery]=wfmon_integration)
declare -A DATABASE=(
    [core]="${WFMON_BENCH_DB:-wfmon_bench}"
    [distribution]="${WFMON_BENCH_DIST_DB:-wfmon_bench_dist}"
    [delivery]="${WFMON_BENCH_DELIVERY_DB:-wfmon_bench_delivery}"
)
ALL=(core distribution delivery)

NAMES=("$@")
[ "${#NAMES[@]}" -gt 0 ] || NAMES=("${ALL[@]}")
for name in "${NAMES[@]}"; do
    [ -n "${MODULE[$name]:-}" ] || wfmon_die "unknown benchmark '$name' (one of: ${ALL[*]})"
done

bash scripts/check-odoo.sh
bash scripts/pg-up.sh
mkdir -p "$WFMON_RUN"
OUT="${WFMON_BENCH_OUT:-$WFMON_RUN/bench-results.json}"
PARTS="$WFMON_RUN/bench-parts"
rm -rf "$PARTS"
mkdir -p "$PARTS"
CONF="$WFMON_RUN/odoo-bench.conf"
wfmon_write_odoo_conf "$CONF" 8269
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
DIRTY="$(git status --porcelain --untracked-files=no 2>/dev/null | head -c1)"

for name in "${NAMES[@]}"; do
    module="${MODULE[$name]}"
    db="${DATABASE[$name]}"
    upper="$(tr '[:lower:]' '[:upper:]' <<<"$name")"
    var="WFMON_BENCH_ARGS_$upper"
    args="${!var:-}"
    if [ -z "$args" ] && [ "${#NAMES[@]}" = 1 ]; then
        args="${WFMON_BENCH_ARGS:-}"
    fi
    common=(-c "$CONF" -d "$db" --addons-path="$(wfmon_addons_path)" --log-level=warn)
    installed="$(wfmon_psql_odoo -d "$db" -Atc \
        "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name = '$module'" \
        2>/dev/null || echo 0)"
    if [ "$installed" != 1 ]; then
        wfmon_say "creating $db with $module (no demo data)"
        env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${common[@]}" -i "$module" --without-demo=all \
            --stop-after-init </dev/null
    else
        # wfmon_core: Odoo updates the modules that depend on it too, so a module's
        # dependencies never lag behind it.
        env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${common[@]}" -u wfmon_core --stop-after-init </dev/null
    fi
    wfmon_say "benchmark $name on $db (load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)); options: ${args:-(defaults)}"
    log="$WFMON_RUN/bench-$name.log"
    t0=$(date +%s)
    set +e
    env TZ=UTC PYTHONPATH="$WFMON_REPO/benchmarks${PYTHONPATH:+:$PYTHONPATH}" \
        WFMON_BENCH_ARGS="$args" WFMON_BENCH_RESULTS="$PARTS/$name.jsonl" \
        "${WFMON_ODOO_CMD[@]}" shell "${common[@]}" --no-http \
        <"benchmarks/bench_$name.py" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    printf '{"name": "%s", "module": "%s", "database": "%s", "args": "%s", "exit": %s, "seconds": %s, "log": "%s"}\n' \
        "$name" "$module" "$db" "${args//\"/\\\"}" "$rc" "$(( $(date +%s) - t0 ))" "$log" \
        >"$PARTS/$name.run.json"
done

"$WFMON_PYTHON" - "$PARTS" "$OUT" "$LOAD_BEFORE" "$COMMIT" "$DIRTY" "${NAMES[@]}" <<'PY'
import datetime
import json
import os
import pathlib
import sys

parts, out, load_before, commit, dirty = sys.argv[1:6]
parts, names = pathlib.Path(parts), sys.argv[6:]
results = {
    "commit": commit,
    "commit_dirty": bool(dirty),
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": {
        "cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": " ".join(open("/proc/loadavg").read().split()[:3]),
    },
    "benchmarks": {},
}
failed = []
for name in names:
    run = json.loads((parts / f"{name}.run.json").read_text())
    figures_file = parts / f"{name}.jsonl"
    lines = figures_file.read_text().splitlines() if figures_file.exists() else []
    run["figures"] = [json.loads(line) for line in lines]
    results["benchmarks"][name] = run
    if run["exit"]:
        failed.append(name)
pathlib.Path(out).write_text(json.dumps(results, indent=2) + "\n")
print(f"wfmon: results of {', '.join(names)} at {results['commit']} in {out}")
for name, run in results["benchmarks"].items():
    for fig in run["figures"]:
        ratio = f"{fig['ratio']:.2f}x {fig['anchor']}" if fig.get("ratio") is not None else ""
        value = "-" if fig["value"] is None else f"{fig['value']:.4g}"
        print(f"  {name}: {fig['name']}: {value} {fig['unit']}  {ratio}")
if failed:
    sys.exit(f"wfmon: benchmark(s) failed: {', '.join(failed)} (see their logs)")
PY
