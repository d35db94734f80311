#!/usr/bin/env bash
# `make test-future`: the plain-Python and Odoo suites on days ahead of today. A test that reads
# the real clock where it means a frozen one fails here before it fails on a real day.
#
#   WFMON_FUTURE  the days, separated by ';' (default "+365d;+730d"). Each one is a libfaketime
#                 offset from now (+365d, +2y, +90000 seconds) or a UTC date and time
#                 ("2028-02-29 23:30:00"), turned into an offset when the run starts.
#
# For each day, in turn:
#   1. a private PostgreSQL cluster (.run/pg-future, port WFMON_FUTURE_PGPORT or the first free
#      one from 54340) starts with its clock moved by the same offset, so that SQL now(),
#      create_date and write_date agree with Python's clock; the shared cluster is not touched;
#   2. scripts/run-tests.sh runs without lint (WFMON_LINT=0), with WFMON_FAKETIME set: pytest
#      and the one Odoo run (fresh database, every addon with demo data, every test) see the
#      moved clock from their first instruction;
#   3. the private cluster is stopped and deleted.
# Logs: .run/test-future-<n>.log (whole run) and .run/test-future-<n>-odoo.log (Odoo).
# Ends with one line per day and exits 1 if any day failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"

FAKETIME_LIB="$(wfmon_faketime_lib)" \
    || wfmon_die "libfaketime not found: install Debian's 'faketime' package"
PGBIN="$(wfmon_pg_bindir)"
[ -x "$PGBIN/pg_ctl" ] || wfmon_die "PostgreSQL server binaries not found (scripts/pg-up.sh installs them)"
mkdir -p "$WFMON_RUN"

export WFMON_PGROOT="$WFMON_RUN/pg-future"
export WFMON_PGDATA="$WFMON_PGROOT/data"
export WFMON_PGSOCKDIR="$WFMON_PGROOT/sock"
export WFMON_PGLOG="$WFMON_PGROOT/postgres.log"
export WFMON_ODOO_DATA_DIR="$WFMON_RUN/odoo-data-future"
export WFMON_TEST_CONF="$WFMON_RUN/odoo-test-future.conf"

stop_future_pg() {
    # Stop the private cluster (if it runs) and delete it, symlinked directory included.
    local real data owner
    [ -e "$WFMON_PGROOT" ] || return 0
    real="$(readlink -f "$WFMON_PGROOT")"
    data="$real/data"
    if [ -f "$data/postmaster.pid" ]; then
        owner="$(stat -c %U "$data")"
        if [ "$(id -u)" = 0 ] && [ "$owner" != root ]; then
            runuser -u "$owner" -- "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
        else
            "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
        fi
    fi
    rm -rf "$WFMON_PGROOT" "$real"
}
trap stop_future_pg EXIT

# offset <day>: print the libfaketime offset of a day given as an offset or a UTC date.
offset() {
    local day="$1" target
    if [[ "$day" =~ ^[+-][0-9]+([.,][0-9]+)?[smhdy]?$ ]]; then
        echo "$day"
        return 0
    fi
    target="$(date -u -d "$day UTC" +%s 2>/dev/null)" || return 1
    printf '%+d\n' $((target - $(date -u +%s)))
}

IFS=';' read -r -a DAYS <<<"${WFMON_FUTURE:-+365d;+730d}"
SUMMARY=()
FAILED=0
n=0
for day in "${DAYS[@]}"; do
    day="$(echo "$day" | sed -e 's/^ *//' -e 's/ *$//')"
    [ -n "$day" ] || continue
    n=$((n + 1))
    off="$(offset "$day")" || wfmon_die "cannot read '$day': give an offset like +365d or a date like '2028-02-29 23:30:00'"
    clock=(env "LD_PRELOAD=$FAKETIME_LIB" "FAKETIME=$off")
    when="$("${clock[@]}" date -u '+%F %T %a')"
    log="$WFMON_RUN/test-future-$n.log"
    echo "==> wfmon future run $n: clock moved by $off, the tests run on $when UTC (log $log)"

    stop_future_pg
    port="${WFMON_FUTURE_PGPORT:-54340}"
    while ! wfmon_port_free "$port"; do
        port=$((port + 1))
        [ "$port" -lt 54400 ] || wfmon_die "no free port for the private PostgreSQL in 54340..54399"
    done
    export WFMON_PGPORT="$port"
    if ! "${clock[@]}" bash scripts/pg-up.sh >"$log" 2>&1; then
        cat "$log" >&2
        wfmon_die "the private PostgreSQL cluster did not start"
    fi
    WFMON_LINT=0 WFMON_FAKETIME="$off" WFMON_TEST_LOG="$WFMON_RUN/test-future-$n-odoo.log" \
        bash scripts/run-tests.sh 2>&1 | tee -a "$log"
    rc="${PIPESTATUS[0]}"
    stop_future_pg
    counts="$(grep -E '^wfmon: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)"
    SUMMARY+=("$when UTC ($off): ${counts#wfmon: }, exit $rc")
    [ "$rc" = 0 ] || FAILED=1
done

echo
for line in "${SUMMARY[@]}"; do
    echo "wfmon future: $line"
done
exit "$FAILED"
