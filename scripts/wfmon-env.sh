# shellcheck shell=bash
# Sourced by every wfmon script: paths, ports and database names.
# Every WFMON_* value below can be overridden from the environment.

WFMON_REPO="${WFMON_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
WFMON_ADDONS="${WFMON_ADDONS:-$WFMON_REPO/addons}"
WFMON_RUN="${WFMON_RUN:-$WFMON_REPO/.run}"            # state dir (gitignored)

# Interpreter that has Odoo 18.0 importable. Odoo is started as `python3 -m odoo` with TZ=UTC
# (exactly what the `odoo` console script does), so the interpreter checked is the one that runs;
# setuptools' generated `odoo` script can also break on pkg_resources' dependency resolution.
# Set WFMON_ODOO (e.g. WFMON_ODOO=odoo) to use another launcher command instead.
WFMON_PYTHON="${WFMON_PYTHON:-python3}"
WFMON_ODOO="${WFMON_ODOO:-}"
if [ -n "$WFMON_ODOO" ]; then
    read -r -a WFMON_ODOO_CMD <<<"$WFMON_ODOO"
else
    WFMON_ODOO_CMD=("$WFMON_PYTHON" -m odoo)
fi

# PostgreSQL: our own throwaway cluster, on loopback only.
WFMON_PGHOST="${WFMON_PGHOST:-127.0.0.1}"
WFMON_PGPORT="${WFMON_PGPORT:-54329}"
WFMON_PG_SUPERUSER="${WFMON_PG_SUPERUSER:-postgres}"
WFMON_DB_USER="${WFMON_DB_USER:-odoo}"
WFMON_DB_PASSWORD="${WFMON_DB_PASSWORD:-odoo}"
# Everything the server process writes (data, socket, server log) lives under WFMON_PGROOT,
# owned by the OS user that runs the server.
WFMON_PGROOT="${WFMON_PGROOT:-$WFMON_RUN/pg}"
WFMON_PGDATA="${WFMON_PGDATA:-$WFMON_PGROOT/data}"
WFMON_PGSOCKDIR="${WFMON_PGSOCKDIR:-$WFMON_PGROOT/sock}"
WFMON_PGLOG="${WFMON_PGLOG:-$WFMON_PGROOT/postgres.log}"

# Odoo runs.
WFMON_TEST_DB="${WFMON_TEST_DB:-wfmon_test}"
WFMON_DEMO_DB="${WFMON_DEMO_DB:-wfmon_demo}"
WFMON_TEST_HTTP_PORT="${WFMON_TEST_HTTP_PORT:-8169}"   # first port tried; next free one is used
WFMON_DEMO_HTTP_PORT="${WFMON_DEMO_HTTP_PORT:-8069}"
WFMON_ODOO_DATA_DIR="${WFMON_ODOO_DATA_DIR:-$WFMON_RUN/odoo-data}"   # filestore, sessions
WFMON_TEST_LOG="${WFMON_TEST_LOG:-$WFMON_RUN/test-odoo.log}"
WFMON_DEMO_LOG="${WFMON_DEMO_LOG:-$WFMON_RUN/demo-odoo-install.log}"
WFMON_ODOO_TIMEOUT="${WFMON_ODOO_TIMEOUT:-4500}"       # seconds for the one test run (CI: 90 min)
# Extra addons directories (comma-separated), e.g. where OCA dependencies live.
WFMON_EXTRA_ADDONS_PATH="${WFMON_EXTRA_ADDONS_PATH:-}"

export WFMON_REPO WFMON_ADDONS WFMON_RUN WFMON_PYTHON WFMON_ODOO \
    WFMON_PGHOST WFMON_PGPORT WFMON_PG_SUPERUSER WFMON_DB_USER WFMON_DB_PASSWORD \
    WFMON_PGROOT WFMON_PGDATA WFMON_PGSOCKDIR WFMON_PGLOG \
    WFMON_TEST_DB WFMON_DEMO_DB WFMON_TEST_HTTP_PORT WFMON_DEMO_HTTP_PORT \
    WFMON_ODOO_DATA_DIR WFMON_TEST_LOG WFMON_DEMO_LOG WFMON_ODOO_TIMEOUT WFMON_EXTRA_ADDONS_PATH

# ---------------------------------------------------------------------------------------------
# helpers

wfmon_say() { printf 'wfmon: %s\n' "$*"; }
wfmon_die() { printf 'wfmon: %s\n' "$*" >&2; exit "${WFMON_DIE_CODE:-1}"; }

# Directory holding initdb/pg_ctl/psql (newest installed major version), empty if none.
wfmon_pg_bindir() {
    if [ -n "${WFMON_PGBIN:-}" ]; then
        echo "$WFMON_PGBIN"
        return
    fi
    local d v hi=-1 best=""
    # Debian layout; pick the highest major version (a glob sorts 10 before 9).
    for d in /usr/lib/postgresql/*/bin; do
        v="$(basename "$(dirname "$d")")"
        if [ -x "$d/initdb" ] && [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -gt "$hi" ]; then
            hi="$v"
            best="$d"
        fi
    done
    if [ -z "$best" ] && command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        [ -n "$d" ] && [ -x "$d/initdb" ] && best="$d"
    fi
    if [ -z "$best" ] && command -v initdb >/dev/null 2>&1; then
        best="$(dirname "$(command -v initdb)")"
    fi
    echo "$best"
}

# psql as the cluster superuser over TCP (trust on 127.0.0.1), extra args appended.
wfmon_psql_admin() {
    PGPASSWORD="" "$(wfmon_pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 \
        -h "$WFMON_PGHOST" -p "$WFMON_PGPORT" -U "$WFMON_PG_SUPERUSER" -d postgres "$@"
}

# psql as the Odoo role.
wfmon_psql_odoo() {
    PGPASSWORD="$WFMON_DB_PASSWORD" "$(wfmon_pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 \
        -h "$WFMON_PGHOST" -p "$WFMON_PGPORT" -U "$WFMON_DB_USER" -d postgres "$@"
}

# The Python half of these scripts (scripts/wfmon.py: module lists, addons path, port probes,
# the Odoo log check, Odoo's pins, benchmark results), run by the interpreter that runs Odoo.
wfmon_py() { "$WFMON_PYTHON" "$WFMON_REPO/scripts/wfmon.py" "$@"; }

# Our addons, one name per line, sorted: addons/*/__manifest__.py that are installable
# (test-only test_* addons included: `make test` installs them).
wfmon_modules() { wfmon_py modules; }

# The suite without test-only addons (test_*): what demo databases and Docker install.
wfmon_suite_modules() { wfmon_py modules --suite; }

# Modules (one per line) that ship Odoo tests: <module>/tests/test_*.py.
wfmon_modules_with_tests() { wfmon_py modules --with-tests; }

# Odoo's own addons directories, then ours and $WFMON_EXTRA_ADDONS_PATH, comma-separated.
wfmon_addons_path() { wfmon_py addons-path; }

# Is a TCP port on 127.0.0.1 free to bind?
wfmon_port_free() { wfmon_py port-free "$1"; }

# Requirement files installed into $WFMON_PYTHON: what the addons import, the OCA addons they
# use (wheels), and (make test only) the test and lint tools.
WFMON_RUNTIME_REQUIREMENTS=(requirements.txt requirements-oca.txt)
WFMON_REQUIREMENTS=("${WFMON_RUNTIME_REQUIREMENTS[@]}" requirements-test.txt)

# wfmon_pip_install <log> <requirements file>...: pip install them into $WFMON_PYTHON with
# Odoo's own pins frozen, so that pip fails rather than move one of them. The caller writes the
# pins first: wfmon_py odoo-pins >"$WFMON_RUN/odoo-pins.txt". On failure, shows the end of
# pip's log.
wfmon_pip_install() {
    local log="$1" pins="$WFMON_RUN/odoo-pins.txt" files=() f
    shift
    for f in "$@"; do files+=(-r "$WFMON_REPO/$f"); done
    if ! "$WFMON_PYTHON" -m pip install -q --disable-pip-version-check "${files[@]}" \
        -c "$pins" >"$log" 2>&1; then
        grep -v -e "^WARNING: Location " -e "Running pip as the 'root' user" "$log" \
            | tail -n 30 >&2
        return 1
    fi
}

# Kill the process recorded in a pid file if it is still an odoo process of this checkout.
wfmon_kill_pidfile() {
    local pidfile="$1" pid i
    [ -f "$pidfile" ] || return 0
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] \
        && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$WFMON_RUN"; then
        wfmon_say "stopping odoo (pid $pid, from $pidfile)"
        kill "$pid" 2>/dev/null || true
        for i in $(seq 1 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

# Write an Odoo config for local runs (db connection from env, data dir inside .run).
wfmon_write_odoo_conf() {
    local conf="$1" http_port="$2"
    mkdir -p "$(dirname "$conf")" "$WFMON_ODOO_DATA_DIR"
    cat >"$conf" <<EOF
; generated by scripts/wfmon-env.sh — do not edit, it is rewritten on every run
[options]
addons_path = $(wfmon_addons_path)
data_dir = $WFMON_ODOO_DATA_DIR
db_host = $WFMON_PGHOST
db_port = $WFMON_PGPORT
db_user = $WFMON_DB_USER
db_password = $WFMON_DB_PASSWORD
admin_passwd = wfmon-local-admin
list_db = False
without_demo = False
http_interface = 127.0.0.1
http_port = $http_port
workers = 0
max_cron_threads = 0
EOF
}

# libfaketime's multi-threaded library (Debian package `faketime`), empty if absent. Loaded
# with LD_PRELOAD and FAKETIME=<offset> it moves the clock of a process and of its children.
wfmon_faketime_lib() {
    local lib
    for lib in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1 \
        /usr/local/lib/faketime/libfaketimeMT.so.1; do
        if [ -f "$lib" ]; then
            echo "$lib"
            return 0
        fi
    done
    return 1
}
