#!/usr/bin/env bash
# `make clean`: stop everything, then delete the state dir (.run: cluster, databases,
# filestore, logs) and Python/tool caches.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"

bash scripts/stop.sh
if [ -L "$WFMON_PGROOT" ]; then
    rm -rf "$(readlink -f "$WFMON_PGROOT")"   # cluster kept outside the checkout (see pg-up.sh)
fi
rm -rf "$WFMON_RUN" .pytest_cache .ruff_cache
find . -path ./.git -prune -o \( -name __pycache__ -o -name .pytest_cache \) -type d -prune \
    -exec rm -rf {} +
wfmon_say "clean"
