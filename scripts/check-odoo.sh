#!/usr/bin/env bash
# Exit 2 with one clear line unless $WFMON_PYTHON (default python3) imports Odoo 18.0.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"

hint="install Odoo 18.0 Community from source (pip install -e <odoo checkout> --config-settings editable_mode=compat) or use 'docker compose up' (see docs/install.md)"

if ! wfmon_py check-odoo >/dev/null 2>&1; then
    echo "wfmon: Odoo 18.0 is not importable by $WFMON_PYTHON — $hint" >&2
    exit 2
fi
if [ -n "$WFMON_ODOO" ] && ! command -v "${WFMON_ODOO_CMD[0]}" >/dev/null 2>&1; then
    echo "wfmon: WFMON_ODOO='$WFMON_ODOO' is not a command on PATH — unset it to use '$WFMON_PYTHON -m odoo'" >&2
    exit 2
fi
