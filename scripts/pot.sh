#!/usr/bin/env bash
# `make pot`: write the translation template addons/<module>/i18n/<module>.pot of every suite
# addon (not the test-only test_*), exported by Odoo itself (--i18n-export) from a real
# database: a fresh $WFMON_POT_DB (default <WFMON_TEST_DB>_pot) with the whole suite installed
# without demo data, so that demo records do not end up in the templates. The database is
# dropped at the end. Logs: .run/pot-*.log. Commit the .pot files it changes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"

DB="${WFMON_POT_DB:-${WFMON_TEST_DB}_pot}"
bash scripts/check-odoo.sh
bash scripts/pg-up.sh
mkdir -p "$WFMON_RUN"
mapfile -t MODULES < <(wfmon_suite_modules)
[ "${#MODULES[@]}" -gt 0 ] || wfmon_die "no addon found (addons/*/__manifest__.py)"
CONF="$WFMON_RUN/odoo-pot.conf"
wfmon_write_odoo_conf "$CONF" 0
ODOO=(env TZ=UTC "${WFMON_ODOO_CMD[@]}" -c "$CONF" -d "$DB" --no-http --max-cron-threads 0)

drop() {
    PGOPTIONS="-c client_min_messages=warning" PGPASSWORD="$WFMON_DB_PASSWORD" "$(wfmon_pg_bindir)/dropdb" --if-exists --force \
        -h "$WFMON_PGHOST" -p "$WFMON_PGPORT" -U "$WFMON_DB_USER" "$DB"
    rm -rf "$WFMON_ODOO_DATA_DIR/filestore/$DB"
}
drop || wfmon_die "could not drop database $DB"
trap 'drop || true' EXIT

LOG="$WFMON_RUN/pot-install.log"
rm -f "$LOG"
wfmon_say "installing ${MODULES[*]} without demo data into $DB (log: $LOG)"
if ! "${ODOO[@]}" -i "$(IFS=,; echo "${MODULES[*]}")" --without-demo=all --stop-after-init \
    --logfile "$LOG" --log-level=info </dev/null >>"$LOG" 2>&1; then
    grep -E " (ERROR|CRITICAL) " "$LOG" | tail -n 20 >&2 || true
    wfmon_die "installing the suite into $DB failed; full log: $LOG"
fi

for module in "${MODULES[@]}"; do
    pot="$WFMON_ADDONS/$module/i18n/$module.pot"
    mkdir -p "$(dirname "$pot")"
    LOG="$WFMON_RUN/pot-$module.log"
    rm -f "$LOG"
    if ! "${ODOO[@]}" --modules "$module" --i18n-export "$pot" --logfile "$LOG" \
        --log-level=info </dev/null >>"$LOG" 2>&1 || [ ! -s "$pot" ]; then
        wfmon_die "exporting $pot failed; full log: $LOG"
    fi
    # Odoo logs a file it cannot read the texts of and goes on without them: a
    # template missing them is not a template.
    if grep -E " (ERROR|CRITICAL) " "$LOG" >&2; then
        wfmon_die "exporting $pot: Odoo could not read every text (above); full log: $LOG"
    fi
    # No dates in the header (as OCA's templates): a template changes only with its messages.
    sed -i -e '/^"POT-Creation-Date: /d' -e '/^"PO-Revision-Date: /d' "$pot"
    wfmon_say "$pot: $(grep -c '^msgid ' "$pot") messages"
done
wfmon_say "templates written; review and commit: git status -- 'addons/*/i18n/*.pot'"
