#!/usr/bin/env bash
# `make test`: the whole test gate, in order, stopping at the first failure.
#   a) Odoo 18.0 importable            (scripts/check-odoo.sh)
#   b) Python requirements             (requirements.txt, requirements-oca.txt, requirements-test.txt;
#                                       Odoo's own pins are frozen)
#      and a browser for the tours     (Chrome or Chromium as Odoo finds it; as root, Debian's
#                                       `chromium` is installed when there is none)
#   c) lint                            (scripts/lint.sh; WFMON_LINT=0 skips it locally)
#   d) plain-Python tests              (pytest tests: tests/unit, tests/test_*.py; no odoo)
#   e) PostgreSQL                      (scripts/pg-up.sh)
#   f) one Odoo run on a fresh database installing every addon (with demo data) and running
#      the tests of our addons only (--test-tags /<module>,...)
#   g) test counts from the Odoo log   (scripts/wfmon.py odoo-result)
#   h) log gate: no WARNING/ERROR/CRITICAL line unless listed in .ci/log-ignore.txt
#   i) elapsed seconds, then the closing line `wfmon: N passed, M failed`
# WFMON_FAKETIME=<libfaketime offset> (e.g. +365d) runs d) and f) with their clock moved by
# that offset; `make test-future` (scripts/test-future.sh) uses it with a PostgreSQL cluster
# whose clock is moved too.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"

T0=$(date +%s)
UNIT_PASSED=0
UNIT_FAILED=0
ODOO_PASSED=0
ODOO_FAILED=0

finish() {
    # finish <exit code> [failure message]
    local rc="$1"
    shift
    if [ "$#" -gt 0 ]; then
        echo "wfmon: FAILED: $*" >&2
    fi
    echo "wfmon: elapsed $(( $(date +%s) - T0 ))s"
    echo "wfmon: $(( UNIT_PASSED + ODOO_PASSED )) passed, $(( UNIT_FAILED + ODOO_FAILED )) failed"
    exit "$rc"
}

step() { printf '\n==> wfmon: %s\n' "$*"; }

mkdir -p "$WFMON_RUN"

# a) ------------------------------------------------------------------------------------------
step "checking Odoo 18.0"
bash scripts/check-odoo.sh || finish 2 "Odoo 18.0 is not available (line above)"

# b) ------------------------------------------------------------------------------------------
step "installing requirements (${WFMON_REQUIREMENTS[*]})"
wfmon_py odoo-pins >"$WFMON_RUN/odoo-pins.txt" \
    || finish 1 "could not read Odoo's pinned requirements"
if ! wfmon_pip_install "$WFMON_RUN/pip.log" "${WFMON_REQUIREMENTS[@]}"; then
    finish 1 "pip could not install ${WFMON_REQUIREMENTS[*]} without moving one of Odoo's pins ($WFMON_RUN/odoo-pins.txt); full log: $WFMON_RUN/pip.log"
fi

step "browser for the tours (Chrome or Chromium, as Odoo's HttpCase finds it)"
# Without one Odoo skips every tour instead of failing it: stop here with the reason.
if ! CHROME="$(wfmon_py chrome)"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "wfmon: no runnable Chrome or Chromium found; installing Debian's 'chromium' (log: $WFMON_RUN/apt-chromium.log)"
        { DEBIAN_FRONTEND=noninteractive apt-get update -q \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
            >"$WFMON_RUN/apt-chromium.log" 2>&1 \
            || finish 1 "apt-get could not install chromium; see $WFMON_RUN/apt-chromium.log"
        CHROME="$(wfmon_py chrome)" \
            || finish 1 "chromium was installed but does not run; see $WFMON_RUN/apt-chromium.log"
    else
        finish 2 "the tours need Chrome or Chromium on PATH (one of: google-chrome, chromium, chromium-browser, google-chrome-stable); install it as root: apt-get install chromium"
    fi
fi
echo "wfmon: browser ${CHROME//$'\t'/, }"

# c) ------------------------------------------------------------------------------------------
if [ "${WFMON_LINT:-1}" != 0 ]; then
    step "lint (scripts/lint.sh)"
    bash scripts/lint.sh || finish 1 "lint found problems (listed above); run 'make lint' to repeat"
else
    step "lint skipped (WFMON_LINT=0)"
fi

# Clock of the test processes: the real one, or moved by WFMON_FAKETIME.
CLOCK=()
if [ -n "${WFMON_FAKETIME:-}" ]; then
    FAKETIME_LIB="$(wfmon_faketime_lib)" \
        || finish 2 "WFMON_FAKETIME is set but libfaketime is missing (Debian: apt-get install faketime)"
    CLOCK=(env "LD_PRELOAD=$FAKETIME_LIB" "FAKETIME=$WFMON_FAKETIME")
    step "clock moved by $WFMON_FAKETIME: the tests run on $("${CLOCK[@]}" date -u '+%F %T %a') UTC"
fi

# d) ------------------------------------------------------------------------------------------
step "plain-Python tests (pytest tests)"
JUNIT="$WFMON_RUN/unit-junit.xml"
rm -f "$JUNIT"
"${CLOCK[@]}" "$WFMON_PYTHON" -m pytest tests -q -p no:cacheprovider --junitxml="$JUNIT"
PYTEST_RC=$?
if [ -f "$JUNIT" ]; then
    read -r UNIT_PASSED UNIT_FAILED < <(wfmon_py junit-counts "$JUNIT")
fi
case "$PYTEST_RC" in
    0) ;;
    5) echo "wfmon: pytest collected no plain-Python test" ;;
    *)
        [ "$UNIT_FAILED" -gt 0 ] || UNIT_FAILED=1
        finish 1 "plain-Python tests failed (pytest exit $PYTEST_RC)"
        ;;
esac

# e) ------------------------------------------------------------------------------------------
step "PostgreSQL (scripts/pg-up.sh)"
bash scripts/pg-up.sh || finish 1 "PostgreSQL is not available (message above)"
if [ "${#CLOCK[@]}" -gt 0 ]; then
    # Odoo stamps create_date/write_date with PostgreSQL's now(): say whether it moved too.
    PG_NOW="$(wfmon_psql_odoo -Atc "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')")"
    echo "wfmon: PostgreSQL on $WFMON_PGHOST:$WFMON_PGPORT reads $PG_NOW UTC"
fi

# f) ------------------------------------------------------------------------------------------
MODULES="$(wfmon_modules | paste -sd, -)"
MODULES_WITH_TESTS="$(wfmon_modules_with_tests | paste -sd, -)"
[ -n "$MODULES" ] || finish 1 "no addon found (addons/*/__manifest__.py)"
TEST_TAGS="$(wfmon_modules | sed 's|^|/|' | paste -sd, -)"

PIDFILE="$WFMON_RUN/odoo-test.pid"
CONF="${WFMON_TEST_CONF:-$WFMON_RUN/odoo-test.conf}"
wfmon_kill_pidfile "$PIDFILE"   # a previous run killed halfway
HTTP_PORT="$WFMON_TEST_HTTP_PORT"
while ! wfmon_port_free "$HTTP_PORT"; do
    HTTP_PORT=$((HTTP_PORT + 1))
    [ "$HTTP_PORT" -lt $((WFMON_TEST_HTTP_PORT + 50)) ] \
        || finish 1 "no free HTTP port in $WFMON_TEST_HTTP_PORT..$HTTP_PORT"
done
wfmon_write_odoo_conf "$CONF" "$HTTP_PORT"

step "fresh database $WFMON_TEST_DB"
PGPASSWORD="$WFMON_DB_PASSWORD" "$(wfmon_pg_bindir)/dropdb" --if-exists --force \
    -h "$WFMON_PGHOST" -p "$WFMON_PGPORT" -U "$WFMON_DB_USER" "$WFMON_TEST_DB" \
    || finish 1 "could not drop database $WFMON_TEST_DB"
rm -rf "$WFMON_ODOO_DATA_DIR/filestore/$WFMON_TEST_DB"
# Odoo creates the database itself when -d names a missing one (template0, UTF8).

step "Odoo: install $MODULES with demo data, run tests of $TEST_TAGS"
rm -f "$WFMON_TEST_LOG"
ODOO_ARGS=(
    -c "$CONF"
    -d "$WFMON_TEST_DB"
    -i "$MODULES"
    --test-enable
    --test-tags "$TEST_TAGS"
    --stop-after-init
    --log-level=info
    --logfile "$WFMON_TEST_LOG"
    --addons-path="$(wfmon_addons_path)"
    --db_host "$WFMON_PGHOST" --db_port "$WFMON_PGPORT"
    --db_user "$WFMON_DB_USER" --db_password "$WFMON_DB_PASSWORD"
    --http-interface 127.0.0.1 --http-port "$HTTP_PORT"
    --workers 0 --max-cron-threads 0
    --pidfile "$PIDFILE"
)
echo "wfmon: ${WFMON_ODOO_CMD[*]} ${ODOO_ARGS[*]}"
echo "wfmon: log $WFMON_TEST_LOG (timeout ${WFMON_ODOO_TIMEOUT}s)"
ODOO_T0=$(date +%s)
env TZ=UTC timeout --kill-after=30 "$WFMON_ODOO_TIMEOUT" "${CLOCK[@]}" "${WFMON_ODOO_CMD[@]}" "${ODOO_ARGS[@]}" \
    </dev/null >"$WFMON_RUN/test-odoo.stdout" 2>&1 &
ODOO_JOB=$!
trap 'kill -TERM "$ODOO_JOB" 2>/dev/null' INT TERM
# Progress while it runs: one line per module set up, per test started, and every
# WARNING/ERROR/CRITICAL entry. tail ends by itself when the odoo job is gone.
tail -n +1 -F --pid="$ODOO_JOB" "$WFMON_TEST_LOG" 2>/dev/null \
    | grep --line-buffered -E "odoo\.modules\.registry: module [a-z0-9_]+:|: Starting [A-Za-z0-9_]+\.test|odoo\.tests\.(result|stats)| (WARNING|ERROR|CRITICAL) " \
    | sed -u -E 's/^[0-9-]+ ([0-9:]+),[0-9]+ [0-9]+ ([A-Z]+) [^ ]+ /  \1 \2 /'
wait "$ODOO_JOB"
ODOO_RC=$?
trap - INT TERM
rm -f "$PIDFILE"
echo "wfmon: odoo exited with $ODOO_RC after $(( $(date +%s) - ODOO_T0 ))s"
if [ "$ODOO_RC" = 124 ] || [ "$ODOO_RC" = 137 ]; then
    finish 1 "Odoo did not finish within ${WFMON_ODOO_TIMEOUT}s (WFMON_ODOO_TIMEOUT); full log: $WFMON_TEST_LOG"
fi

# g) + h) -------------------------------------------------------------------------------------
step "reading the Odoo log"
# Counts, the log gate and the verdict; the offending entries are listed on stderr.
RESULT="$WFMON_RUN/odoo-result.txt"
rm -f "$RESULT"
wfmon_py odoo-result --log "$WFMON_TEST_LOG" --ignore .ci/log-ignore.txt --result "$RESULT" \
    --stdout "$WFMON_RUN/test-odoo.stdout" --odoo-exit "$ODOO_RC" \
    --modules-with-tests "$MODULES_WITH_TESTS"
[ -f "$RESULT" ] || finish 1 "could not parse $WFMON_TEST_LOG"
{ read -r ODOO_PASSED ODOO_FAILED; IFS= read -r PROBLEMS; } <"$RESULT"
[ -z "$PROBLEMS" ] || finish 1 "$PROBLEMS"
finish 0
