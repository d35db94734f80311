#!/usr/bin/env bash
# `make unit`: the plain-Python tests only (tests/unit, tests/test_*.py); they never import odoo.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"
"$WFMON_PYTHON" -m pytest tests -q -p no:cacheprovider "$@"
