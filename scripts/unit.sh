#!/usr/bin/env bash
# `make unit`: the plain-Python tests only (tests/unit, tests/test_*.py); they never import odoo.
# Installs what they need first (requirements.txt, requirements-test.txt; with Odoo's pins
# frozen when Odoo is importable), as `make test` does.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"
mkdir -p "$WFMON_RUN"
wfmon_py odoo-pins >"$WFMON_RUN/odoo-pins.txt" || wfmon_die "could not read Odoo's pinned requirements"
wfmon_pip_install "$WFMON_RUN/pip-unit.log" requirements.txt requirements-test.txt \
    || wfmon_die "pip could not install requirements.txt and requirements-test.txt without moving one of Odoo's pins; full log: $WFMON_RUN/pip-unit.log"
"$WFMON_PYTHON" -m pytest tests -q -p no:cacheprovider "$@"
