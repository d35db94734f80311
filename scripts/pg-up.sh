#!/usr/bin/env bash
# Start (or reuse) the wfmon PostgreSQL cluster on $WFMON_PGHOST:$WFMON_PGPORT and make sure
# the LOGIN CREATEDB role $WFMON_DB_USER exists. Idempotent; fast when already up.
#
# - A server already answering there is reused (whoever started it).
# - Otherwise a cluster is initialised in $WFMON_PGDATA (.run/pg/data) and started with pg_ctl,
#   listening on 127.0.0.1 only, unix socket inside .run, trust auth for 127.0.0.1 only.
# - The server never runs as root: as root it runs as the `postgres` system user (runuser),
#   otherwise as the current user.
# - No PostgreSQL installed? As root: apt-get install postgresql (Debian); else a clear error.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"

is_root() { [ "$(id -u)" = 0 ]; }

pg_ready() {
    local bin
    bin="$(wfmon_pg_bindir)"
    if [ -n "$bin" ]; then
        "$bin/pg_isready" -q -h "$WFMON_PGHOST" -p "$WFMON_PGPORT" -t 2
    else
        # No client tools yet: a bare TCP probe.
        wfmon_py tcp-open "$WFMON_PGHOST" "$WFMON_PGPORT" >/dev/null 2>&1
    fi
}

ensure_role() {
    local exists
    if ! exists="$(wfmon_psql_admin -Atc "SELECT 1 FROM pg_roles WHERE rolname = '$WFMON_DB_USER'" 2>&1)"; then
        # A server we did not start may not let us in as superuser; fine if our role works.
        if wfmon_psql_odoo -Atc "SELECT 1" >/dev/null 2>&1; then
            return 0
        fi
        wfmon_die "PostgreSQL on $WFMON_PGHOST:$WFMON_PGPORT answers, but neither '$WFMON_PG_SUPERUSER' nor '$WFMON_DB_USER' can log in ($exists). Stop that server or set WFMON_PGPORT."
    fi
    if [ "$exists" != 1 ]; then
        wfmon_say "creating PostgreSQL role '$WFMON_DB_USER'"
        wfmon_psql_admin -c "CREATE ROLE \"$WFMON_DB_USER\" LOGIN CREATEDB PASSWORD '$WFMON_DB_PASSWORD'"
    fi
}

# --- fast path: something already answers -------------------------------------------------
if pg_ready; then
    ensure_role
    exit 0
fi

# --- make sure PostgreSQL server binaries exist --------------------------------------------
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && [ -z "$(wfmon_pg_bindir)" ]; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        wfmon_say "PostgreSQL server not found; installing Debian package 'postgresql'"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q postgresql >/dev/null
    else
        WFMON_DIE_CODE=2 wfmon_die "PostgreSQL server binaries not found (initdb). Install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql) or set WFMON_PGBIN."
    fi
fi
PGBIN="$(wfmon_pg_bindir)"
[ -x "$PGBIN/initdb" ] || wfmon_die "no initdb found after install (looked in /usr/lib/postgresql/*/bin, pg_config, PATH)"

# --- who runs the server ---------------------------------------------------------------------
if is_root; then
    if ! id -u postgres >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    as_pg() { runuser -u postgres -- "$@"; }
    PG_OWNER=postgres
else
    as_pg() { "$@"; }
    PG_OWNER="$(id -un)"
fi

mkdir -p "$WFMON_RUN"
if [ ! -e "$WFMON_PGROOT" ]; then
    mkdir -p "$WFMON_PGROOT"
fi
if is_root; then
    chown "$PG_OWNER:" "$(readlink -f "$WFMON_PGROOT")"
    # The postgres user must be able to reach its directory; a checkout under a private home
    # directory (e.g. /root) is not reachable, so the cluster then lives under /var/tmp and
    # .run/pg is a symlink to it.
    if ! as_pg test -w "$(readlink -f "$WFMON_PGROOT")"; then
        alt="/var/tmp/wfmon-pg-$(printf '%s' "$WFMON_PGROOT" | cksum | cut -d' ' -f1)"
        wfmon_say "postgres cannot reach $WFMON_PGROOT; keeping the cluster in $alt"
        mkdir -p "$alt"
        chown "$PG_OWNER:" "$alt"
        rm -rf "$WFMON_PGROOT"
        ln -sfn "$alt" "$WFMON_PGROOT"
    fi
fi
PGROOT_REAL="$(readlink -f "$WFMON_PGROOT")"
# Paths below .run/pg, resolved through the symlink when there is one.
under_root() {
    case "$1" in
        "$WFMON_PGROOT"/*) echo "$PGROOT_REAL/${1#"$WFMON_PGROOT"/}" ;;
        *) echo "$1" ;;
    esac
}
PGDATA="$(under_root "$WFMON_PGDATA")"
SOCKDIR="$(under_root "$WFMON_PGSOCKDIR")"
PGLOG="$(under_root "$WFMON_PGLOG")"
# A unix socket path is limited to ~107 bytes; fall back to a short private dir if needed.
if [ $(( ${#SOCKDIR} + 20 )) -gt 100 ]; then
    SOCKDIR="/tmp/wfmon-pgsock-$(printf '%s' "$PGROOT_REAL" | cksum | cut -d' ' -f1)"
fi
as_pg mkdir -p "$SOCKDIR"
as_pg chmod 700 "$SOCKDIR"

# --- initdb once ---------------------------------------------------------------------------
if [ ! -f "$PGDATA/PG_VERSION" ]; then
    wfmon_say "initialising PostgreSQL cluster in $PGDATA"
    as_pg mkdir -p "$PGDATA"
    as_pg chmod 700 "$PGDATA"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U "$WFMON_PG_SUPERUSER" -E UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=trust >"$PGROOT_REAL/initdb.log" 2>&1 \
        || { cat "$PGROOT_REAL/initdb.log" >&2; wfmon_die "initdb failed (log above)"; }
    # trust for 127.0.0.1 only; no other host entries.
    as_pg tee "$PGDATA/pg_hba.conf" >/dev/null <<'HBA'
# wfmon throwaway cluster: loopback only.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  peer
host    all       all   127.0.0.1/32   trust
HBA
    echo "include_if_exists = 'wfmon.conf'" | as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null
fi

# Settings rewritten on every start (port / socket may change through env).
as_pg tee "$PGDATA/wfmon.conf" >/dev/null <<CONF
# written by scripts/pg-up.sh on every start
listen_addresses = '127.0.0.1'
port = $WFMON_PGPORT
unix_socket_directories = '$SOCKDIR'
# a throwaway dev/test cluster: trade durability for speed
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF

# --- stale postmaster.pid ------------------------------------------------------------------
if [ -f "$PGDATA/postmaster.pid" ]; then
    pid="$(head -1 "$PGDATA/postmaster.pid" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = postgres ]; then
        # Our server is running but not answering where expected (e.g. the port changed).
        wfmon_say "restarting PostgreSQL (pid $pid) to apply settings"
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true
    else
        wfmon_say "removing stale $PGDATA/postmaster.pid"
        rm -f "$PGDATA/postmaster.pid"
    fi
fi

# --- start ---------------------------------------------------------------------------------
if ! wfmon_port_free "$WFMON_PGPORT"; then
    wfmon_die "port $WFMON_PGPORT on 127.0.0.1 is taken by something that is not an answering PostgreSQL; set WFMON_PGPORT"
fi
wfmon_say "starting PostgreSQL on $WFMON_PGHOST:$WFMON_PGPORT (data $PGDATA, log $PGLOG)"
if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 start >/dev/null; then
    tail -n 20 "$PGLOG" >&2 || true
    wfmon_die "PostgreSQL did not start; full log: $PGLOG"
fi
for _ in $(seq 1 30); do
    pg_ready && break
    sleep 0.5
done
pg_ready || wfmon_die "PostgreSQL started but does not answer on $WFMON_PGHOST:$WFMON_PGPORT; log: $PGLOG"
ensure_role
