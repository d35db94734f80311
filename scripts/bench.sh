#!/usr/bin/env bash
# `make bench`: every benchmark of benchmarks/ through this one runner, then one JSON results file.
#   scripts/bench.sh [NAME ...]     NAME: core, distribution, scanner, recheck, delivery, retail_pos
#                                   (default: all, in that order)
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

# A benchmark's modules, comma-separated. The scanner's anchor is a base.automation rule
# (wfmon_core depends on base_automation): it runs on the distribution benchmark's database,
# whose late pickings it makes with the same code (bench_distribution.make_late_pickings).
declare -A MODULE=(
    [core]=wfmon_core [distribution]=wfmon_distribution
    [scanner]=wfmon_distribution [delivery]=wfmon_integration
)
MODULE[retail_pos]=wfmon_retail
MODULE[recheck]=wfmon_distribution
declare -A DATABASE=(
    [core]="${WFMON_BENCH_DB:-wfmon_bench}"
    [distribution]="${WFMON_BENCH_DIST_DB:-wfmon_bench_dist}"
    [scanner]="${WFMON_BENCH_SCANNER_DB:-${WFMON_BENCH_DIST_DB:-wfmon_bench_dist}}"
    [delivery]="${WFMON_BENCH_DELIVERY_DB:-wfmon_bench_delivery}"
)
DATABASE[retail_pos]="${WFMON_BENCH_RETAIL_POS_DB:-wfmon_bench_retail_pos}"
DATABASE[recheck]="${WFMON_BENCH_DIST_DB:-wfmon_bench_dist}"
ALL=(core distribution scanner delivery)
ALL+=(retail_pos recheck)

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

declare -A PREPARED=()   # databases created or updated in this run
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
    wanted="'${module//,/\',\'}'"
    installed="$(wfmon_psql_odoo -d "$db" -Atc \
        "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name IN ($wanted)" \
        2>/dev/null || echo 0)"
    if [ -n "${PREPARED[$db]:-}" ]; then
        :   # shared with a benchmark run before this one: already up to date
    elif [ "$installed" != "$(tr ',' '\n' <<<"$module" | wc -l)" ]; then
        wfmon_say "creating $db with $module (no demo data)"
        env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${common[@]}" -i "$module" --without-demo=all \
            --stop-after-init </dev/null
    else
        # wfmon_core: Odoo updates the modules that depend on it too, so a module's
        # dependencies never lag behind it.
        env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${common[@]}" -u wfmon_core --stop-after-init </dev/null
    fi
    PREPARED[$db]=1
    # --commit (bench_scanner): the benchmark commits what it makes, so it runs on a
    # throw-away copy of its database, dropped afterwards.
    throwaway=""
    if [[ " $args " == *" --commit "* ]]; then
        throwaway="${db}_throwaway"
        wfmon_psql_odoo -c "DROP DATABASE IF EXISTS \"$throwaway\"" \
            -c "CREATE DATABASE \"$throwaway\" TEMPLATE \"$db\""
        common=(-c "$CONF" -d "$throwaway" --addons-path="$(wfmon_addons_path)" --log-level=warn)
        wfmon_say "--commit: on $throwaway, a copy of $db dropped afterwards"
    fi
    wfmon_say "benchmark $name on $db (load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)); options: ${args:-(defaults)}"
    log="$WFMON_RUN/bench-$name.log"
    t0=$(date +%s)
    set +e
    env TZ=UTC PYTHONPATH="$WFMON_REPO/benchmarks${PYTHONPATH:+:$PYTHONPATH}" \
        WFMON_BENCH_ARGS="$args" WFMON_BENCH_RESULTS="$PARTS/$name.jsonl" \
        WFMON_BENCH_THROWAWAY_DB="$throwaway" \
        "${WFMON_ODOO_CMD[@]}" shell "${common[@]}" --no-http \
        <"benchmarks/bench_$name.py" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    if [ -n "$throwaway" ]; then
        wfmon_psql_odoo -c "DROP DATABASE IF EXISTS \"$throwaway\" WITH (FORCE)"
        rm -rf "$WFMON_ODOO_DATA_DIR/filestore/$throwaway"
    fi
    set -e
    wfmon_py bench-run --file "$PARTS/$name.run.json" --name "$name" --module "$module" \
        --database "$db" --args="$args" --exit "$rc" --seconds "$(( $(date +%s) - t0 ))" --log "$log"
done

wfmon_py bench-results "$PARTS" "$OUT" "$LOAD_BEFORE" "$COMMIT" "$DIRTY" "${NAMES[@]}"
