#!/usr/bin/env bash
# `make test-upgrade`: a database installed by an earlier commit, upgraded by this checkout.
# The path every existing database takes (`-u all`): view inheritance, data and fields as the
# new code finds them in a database the old code wrote, not in a fresh one.
#
#   WFMON_UPGRADE_FROM  the commit installed first (default: the release point below). Any
#                       commit of this repository; its addons are taken with `git archive`.
#   WFMON_UPGRADE_DB    the database (default <WFMON_TEST_DB>_upgrade), dropped and created again.
#
#   1. the addons of WFMON_UPGRADE_FROM go to .run/upgrade-from/<commit> (kept for next time);
#   2. PostgreSQL (scripts/pg-up.sh), then a fresh database WFMON_UPGRADE_DB;
#   3. Odoo with those addons installs every addon of the suite that commit had (not the
#      test-only test_*), with demo data, as a demo or production database was;
#   4. Odoo with this checkout's addons runs `-u all` on it, and installs in the same run the
#      suite's addons the old commit did not have;
#   5. log gate on the upgrade's log: no WARNING/ERROR/CRITICAL entry beyond
#      .ci/log-ignore.txt (the old commit's install log is not ours to judge, only its exit).
# Logs: .run/test-upgrade-install.log (step 3), .run/test-upgrade.log (step 4).
# Ends with `wfmon upgrade: ...` and exits 1 on any failure. About 11 min on 2 shared cores:
# a separate target, not part of `make test`.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"

# The previous release point: main before the advisory features (recommendations, their
# views and menus), the last commit before the suite gained wfmon_retail and wfmon_helpdesk.
FROM="${WFMON_UPGRADE_FROM:-4f54d7e}"
DB="${WFMON_UPGRADE_DB:-${WFMON_TEST_DB}_upgrade}"
INSTALL_LOG="$WFMON_RUN/test-upgrade-install.log"
UPGRADE_LOG="$WFMON_RUN/test-upgrade.log"
T0=$(date +%s)

fail() {
    echo "wfmon upgrade: FAILED after $(($(date +%s) - T0))s: $*" >&2
    exit 1
}
step() { printf '\n==> wfmon: %s\n' "$*"; }

bash scripts/check-odoo.sh || fail "Odoo 18.0 is not available (line above)"
COMMIT="$(git rev-parse --verify --quiet "$FROM^{commit}")" \
    || fail "WFMON_UPGRADE_FROM=$FROM is not a commit of this repository"
SHORT="${COMMIT:0:7}"
OLD="$WFMON_RUN/upgrade-from/$COMMIT"

# 1. ------------------------------------------------------------------------------------------
step "the addons of $SHORT ($(git log -1 --format=%cs "$COMMIT")) in $OLD"
if [ ! -f "$OLD/.complete" ]; then
    rm -rf "$OLD"
    mkdir -p "$OLD"
    git archive "$COMMIT" addons | tar -x -C "$OLD" || fail "git archive $SHORT failed"
    touch "$OLD/.complete"
fi
OLD_MODULES="$(WFMON_ADDONS="$OLD/addons" wfmon_py modules --suite | paste -sd, -)"
NEW_MODULES="$(wfmon_py modules --suite | paste -sd, -)"
[ -n "$OLD_MODULES" ] || fail "no addon found in $SHORT"
ADDED="$(comm -13 <(tr ',' '\n' <<<"$OLD_MODULES" | sort) <(tr ',' '\n' <<<"$NEW_MODULES" | sort) \
    | paste -sd, -)"
echo "wfmon: $SHORT had $OLD_MODULES"
echo "wfmon: added since: ${ADDED:-none}"

# 2. ------------------------------------------------------------------------------------------
step "PostgreSQL (scripts/pg-up.sh), fresh database $DB"
bash scripts/pg-up.sh || fail "PostgreSQL is not available (message above)"
PGPASSWORD="$WFMON_DB_PASSWORD" "$(wfmon_pg_bindir)/dropdb" --if-exists --force \
    -h "$WFMON_PGHOST" -p "$WFMON_PGPORT" -U "$WFMON_DB_USER" "$DB" \
    || fail "could not drop database $DB"
rm -rf "$WFMON_ODOO_DATA_DIR/filestore/$DB"

HTTP_PORT="$WFMON_TEST_HTTP_PORT"
while ! wfmon_port_free "$HTTP_PORT"; do
    HTTP_PORT=$((HTTP_PORT + 1))
    [ "$HTTP_PORT" -lt $((WFMON_TEST_HTTP_PORT + 50)) ] \
        || fail "no free HTTP port in $WFMON_TEST_HTTP_PORT..$HTTP_PORT"
done
COMMON=(
    -d "$DB"
    --stop-after-init
    --log-level=info
    --data-dir "$WFMON_ODOO_DATA_DIR"
    --db_host "$WFMON_PGHOST" --db_port "$WFMON_PGPORT"
    --db_user "$WFMON_DB_USER" --db_password "$WFMON_DB_PASSWORD"
    --http-interface 127.0.0.1 --http-port "$HTTP_PORT"
    --workers 0 --max-cron-threads 0
)
odoo_run() {
    # odoo_run <log> <args...>: one Odoo process, its output in the log.
    local log="$1"
    shift
    rm -f "$log"
    env TZ=UTC timeout --kill-after=30 "$WFMON_ODOO_TIMEOUT" "${WFMON_ODOO_CMD[@]}" \
        "${COMMON[@]}" --logfile "$log" "$@" </dev/null >"$log.stdout" 2>&1
}

# 3. ------------------------------------------------------------------------------------------
step "Odoo of $SHORT: install $OLD_MODULES with demo data (log $INSTALL_LOG)"
ODOO_T0=$(date +%s)
OLD_PATH="$(WFMON_ADDONS="$OLD/addons" wfmon_addons_path)"
if ! odoo_run "$INSTALL_LOG" --addons-path="$OLD_PATH" -i "$OLD_MODULES"; then
    grep -E " (ERROR|CRITICAL) " "$INSTALL_LOG" | tail -n 20 >&2
    fail "the install by $SHORT failed; full log: $INSTALL_LOG"
fi
echo "wfmon: installed in $(($(date +%s) - ODOO_T0))s"

# 4. ------------------------------------------------------------------------------------------
step "Odoo of this checkout: -u all${ADDED:+, install $ADDED} (log $UPGRADE_LOG)"
ODOO_T0=$(date +%s)
UPGRADE=(--addons-path="$(wfmon_addons_path)" -u all)
[ -z "$ADDED" ] || UPGRADE+=(-i "$ADDED")
odoo_run "$UPGRADE_LOG" "${UPGRADE[@]}"
RC=$?
echo "wfmon: odoo exited with $RC after $(($(date +%s) - ODOO_T0))s"

# 5. ------------------------------------------------------------------------------------------
step "reading the upgrade's log"
wfmon_py log-gate --log "$UPGRADE_LOG" --ignore .ci/log-ignore.txt
GATE=$?
[ "$RC" = 0 ] || fail "the upgrade exited with status $RC; full log: $UPGRADE_LOG"
[ "$GATE" = 0 ] || fail "the upgrade's log is not clean (entries above); full log: $UPGRADE_LOG"
# Every addon of the suite is installed, none left to upgrade or half-installed.
STATES="$(wfmon_psql_odoo -d "$DB" -Atc "SELECT name || ':' || state FROM ir_module_module
    WHERE name = ANY(string_to_array('$NEW_MODULES', ',')) AND state != 'installed'")"
[ -z "$STATES" ] || fail "addons not installed after the upgrade: $STATES"
echo "wfmon upgrade: $SHORT -> $(git rev-parse --short HEAD) passed in $(($(date +%s) - T0))s (database $DB)"
