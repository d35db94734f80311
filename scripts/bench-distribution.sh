#!/usr/bin/env bash
# `make bench-distribution`: benchmarks/bench_distribution.py against a database with
# wfmon_distribution (no demo data), inside one rolled-back transaction: confirm and validate
# with the detectors off and on in interleaved rounds, then the late-picking scanner.
# Options of the benchmark go through WFMON_BENCH_ARGS, e.g.
#   make bench-distribution WFMON_BENCH_ARGS="--orders 1000 --rounds 3 --pickings 100000"
# Prints timings, query counts and ratios; asserts nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"
bash scripts/check-odoo.sh
bash scripts/pg-up.sh
DB="${WFMON_BENCH_DIST_DB:-wfmon_bench_dist}"
CONF="$WFMON_RUN/odoo-bench-distribution.conf"
wfmon_write_odoo_conf "$CONF" 8270
COMMON=(-c "$CONF" -d "$DB" --addons-path="$(wfmon_addons_path)" --log-level=warn)
installed="$(wfmon_psql_odoo -d "$DB" -Atc \
    "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name = 'wfmon_distribution'" \
    2>/dev/null || echo 0)"
if [ "$installed" != 1 ]; then
    echo "wfmon: creating $DB with wfmon_distribution (no demo data)"
    env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${COMMON[@]}" -i wfmon_distribution --without-demo=all \
        --stop-after-init </dev/null
else
    env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${COMMON[@]}" -u wfmon_distribution --stop-after-init \
        </dev/null
fi
echo "wfmon: WFMON_BENCH_ARGS=${WFMON_BENCH_ARGS:-} (defaults: --orders 1000 --rounds 3)"
env TZ=UTC WFMON_BENCH_ARGS="${WFMON_BENCH_ARGS:-}" "${WFMON_ODOO_CMD[@]}" shell "${COMMON[@]}" \
    --no-http <benchmarks/bench_distribution.py
