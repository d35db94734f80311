#!/usr/bin/env bash
# `make bench`: benchmarks/bench_core.py against a database with wfmon_core (no demo data),
# inside one rolled-back transaction. Prints query counts and timings; asserts nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"
bash scripts/check-odoo.sh
bash scripts/pg-up.sh
DB="${WFMON_BENCH_DB:-wfmon_bench}"
CONF="$WFMON_RUN/odoo-bench.conf"
wfmon_write_odoo_conf "$CONF" 8269
COMMON=(-c "$CONF" -d "$DB" --addons-path="$(wfmon_addons_path)" --log-level=warn)
installed="$(wfmon_psql_odoo -d "$DB" -Atc \
    "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name = 'wfmon_core'" \
    2>/dev/null || echo 0)"
if [ "$installed" != 1 ]; then
    echo "wfmon: creating $DB with wfmon_core (no demo data)"
    env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${COMMON[@]}" -i wfmon_core --without-demo=all \
        --stop-after-init </dev/null
else
    env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${COMMON[@]}" -u wfmon_core --stop-after-init </dev/null
fi
env TZ=UTC "${WFMON_ODOO_CMD[@]}" shell "${COMMON[@]}" --no-http <benchmarks/bench_core.py
