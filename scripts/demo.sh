#!/usr/bin/env bash
# `make demo`: a local Odoo with every wfmon addon (not the test-only test_*) and demo data on http://127.0.0.1:8069.
# The database ($WFMON_DEMO_DB, default wfmon_demo) is created once; WFMON_DEMO_UPDATE=1 updates
# the addons (-u) before serving. Ctrl-C stops Odoo; `make stop` also stops PostgreSQL.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"

bash scripts/check-odoo.sh
mkdir -p "$WFMON_RUN"
wfmon_py odoo-pins >"$WFMON_RUN/odoo-pins.txt" || wfmon_die "could not read Odoo's pinned requirements"
wfmon_pip_install "$WFMON_RUN/pip-demo.log" "${WFMON_RUNTIME_REQUIREMENTS[@]}" \
    || wfmon_die "pip could not install ${WFMON_RUNTIME_REQUIREMENTS[*]} without moving one of Odoo's pins ($WFMON_RUN/odoo-pins.txt); full log: $WFMON_RUN/pip-demo.log"
MODULES="$(wfmon_suite_modules | paste -sd, -)"
[ -n "$MODULES" ] || wfmon_die "no addon found (addons/*/__manifest__.py)"
URL="http://127.0.0.1:$WFMON_DEMO_HTTP_PORT/odoo?db=$WFMON_DEMO_DB"
echo "wfmon: demo at $URL — login admin / password admin (database $WFMON_DEMO_DB)"

bash scripts/pg-up.sh
PIDFILE="$WFMON_RUN/odoo-demo.pid"
CONF="$WFMON_RUN/odoo-demo.conf"
wfmon_kill_pidfile "$PIDFILE"
wfmon_port_free "$WFMON_DEMO_HTTP_PORT" \
    || wfmon_die "port $WFMON_DEMO_HTTP_PORT is busy (another Odoo? docker compose?); set WFMON_DEMO_HTTP_PORT"
wfmon_write_odoo_conf "$CONF" "$WFMON_DEMO_HTTP_PORT"
COMMON=(-c "$CONF" -d "$WFMON_DEMO_DB" --db-filter "^${WFMON_DEMO_DB}\$"
    --addons-path="$(wfmon_addons_path)"
    --http-interface 127.0.0.1 --http-port "$WFMON_DEMO_HTTP_PORT")

# Which of our modules are installed in the demo database (none if it does not exist)?
installed="$(wfmon_psql_odoo -d "$WFMON_DEMO_DB" -Atc \
    "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name = ANY(string_to_array('$MODULES', ','))" \
    2>/dev/null || echo 0)"
wanted="$(echo "$MODULES" | tr ',' '\n' | wc -l)"
if [ "$installed" != "$wanted" ]; then
    echo "wfmon: installing $MODULES with demo data into $WFMON_DEMO_DB (log: $WFMON_DEMO_LOG)"
    if ! env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${COMMON[@]}" -i "$MODULES" --stop-after-init \
        --logfile "$WFMON_DEMO_LOG" --log-level=info </dev/null; then
        grep -E " (ERROR|CRITICAL) " "$WFMON_DEMO_LOG" | tail -n 20 >&2 || true
        wfmon_die "installing the demo database failed; full log: $WFMON_DEMO_LOG"
    fi
elif [ "${WFMON_DEMO_UPDATE:-0}" = 1 ]; then
    echo "wfmon: updating $MODULES in $WFMON_DEMO_DB (log: $WFMON_DEMO_LOG)"
    env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${COMMON[@]}" -u "$MODULES" --stop-after-init \
        --logfile "$WFMON_DEMO_LOG" --log-level=info </dev/null \
        || wfmon_die "updating the demo database failed; full log: $WFMON_DEMO_LOG"
fi

echo "wfmon: serving $URL — login admin / password admin; Ctrl-C to stop"
exec env TZ=UTC "${WFMON_ODOO_CMD[@]}" "${COMMON[@]}" --pidfile "$PIDFILE" --max-cron-threads 1
