#!/usr/bin/env bash
# `make stop`: stop the Odoo processes and the PostgreSQL cluster that our scripts started.
# A PostgreSQL server we did not start (reused by pg-up.sh) is left alone.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"

for pidfile in "$WFMON_RUN"/odoo-*.pid; do
    [ -e "$pidfile" ] && wfmon_kill_pidfile "$pidfile"
done

[ -e "$WFMON_PGROOT" ] || exit 0
PGDATA="$WFMON_PGDATA"
case "$PGDATA" in
    "$WFMON_PGROOT"/*) PGDATA="$(readlink -f "$WFMON_PGROOT")/${PGDATA#"$WFMON_PGROOT"/}" ;;
esac
if [ -f "$PGDATA/postmaster.pid" ]; then
    PGBIN="$(wfmon_pg_bindir)"
    owner="$(stat -c %U "$PGDATA")"
    if [ "$(id -u)" = 0 ] && [ "$owner" != root ]; then
        runner=(runuser -u "$owner" --)
    else
        runner=()
    fi
    if "${runner[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        wfmon_say "stopping PostgreSQL ($PGDATA)"
        "${runner[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
    fi
fi
