#!/usr/bin/env bash
# `make e2e-n8n`: the n8n templates of docs/n8n/ in a real n8n against a real Odoo
# (tests/e2e/n8n_e2e.py says what it proves). CI runs it after `make test`.
#   - n8n 2.41.1 and Node 24 come from a cache outside the clone
#     (${WFMON_N8N_CACHE:-${XDG_CACHE_HOME:-~/.cache}/wfmon/n8n-2.41.1-node24}), built from the
#     npm registry when missing (tests/e2e/n8n_install.py);
#   - Odoo runs on a database of its own, $WFMON_TEST_DB_e2e_n8n: a copy of $WFMON_TEST_DB when
#     `make test` has just built it, else a fresh install of the suite with demo data;
#   - everything listens on 127.0.0.1; logs in .run/e2e-n8n/.
# WFMON_N8N_E2E_ARGS passes options to the driver, e.g. "--bench 200" or "--fresh".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"

WFMON_N8N_E2E_TIMEOUT="${WFMON_N8N_E2E_TIMEOUT:-2400}"   # seconds, the whole run

bash scripts/check-odoo.sh || wfmon_die "Odoo 18.0 is not available (line above)"
bash scripts/pg-up.sh || wfmon_die "PostgreSQL is not available (message above)"

mkdir -p "$WFMON_RUN"
CONF="$WFMON_RUN/odoo-e2e-n8n.conf"
wfmon_write_odoo_conf "$CONF" 0   # the driver picks a free port
read -r -a EXTRA <<<"${WFMON_N8N_E2E_ARGS:-}"
# The driver stops its own processes; `timeout` is the backstop if it hangs.
exec timeout --kill-after=60 "$((WFMON_N8N_E2E_TIMEOUT + 120))" \
    "$WFMON_PYTHON" tests/e2e/n8n_e2e.py \
    --odoo-conf "$CONF" \
    --modules "$(wfmon_suite_modules | paste -sd, -)" \
    --source-db "$WFMON_TEST_DB" \
    --db "${WFMON_TEST_DB}_e2e_n8n" \
    --run-dir "$WFMON_RUN/e2e-n8n" \
    --timeout "$WFMON_N8N_E2E_TIMEOUT" \
    "${EXTRA[@]}"
