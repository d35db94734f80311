#!/usr/bin/env bash
# `make lint`: ruff (check and format --check), pylint-odoo with OCA's mandatory checks (.pylintrc-mandatory),
# oca-checks-odoo-module and oca-checks-po. Runs every linter, lists all findings, and exits 1
# if any linter found something. Needs requirements-test.txt installed (make test does that).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wfmon-env.sh"
cd "$WFMON_REPO"

failed=()
tool() {
    # tool <name> <command...>: run one linter, remember it if it failed.
    local name="$1"
    shift
    echo "--- $name"
    if "$@"; then
        echo "    ok"
    else
        failed+=("$name")
    fi
}
need() {
    wfmon_py has-module "$1" \
        || { echo "wfmon: $1 is missing — run: $WFMON_PYTHON -m pip install -r requirements-test.txt" >&2; exit 2; }
}
need ruff
need pylint_odoo
need oca_pre_commit_hooks

mapfile -t MODULES < <(wfmon_modules)
# Python files that are not inside an addon directory (scripts/, tests/, ...).
tool "ruff check" "$WFMON_PYTHON" -m ruff check --no-fix --quiet --output-format concise .
tool "ruff format --check" "$WFMON_PYTHON" -m ruff format --check --quiet .

if [ "${#MODULES[@]}" -gt 0 ]; then
    tool "pylint-odoo (.pylintrc-mandatory)" "$WFMON_PYTHON" -m pylint \
        --rcfile=.pylintrc-mandatory --jobs=1 "${MODULES[@]/#/addons/}"

    manifests=()
    for m in "${MODULES[@]}"; do manifests+=("addons/$m/__manifest__.py"); done
    tool "oca-checks-odoo-module" "$WFMON_PYTHON" -c \
        'import sys; from oca_pre_commit_hooks.cli import main; sys.exit(main())' "${manifests[@]}"

    mapfile -t POS < <(find addons -path '*/i18n/*' \( -name '*.po' -o -name '*.pot' \) | sort)
    if [ "${#POS[@]}" -gt 0 ]; then
        tool "oca-checks-po" "$WFMON_PYTHON" -c \
            'import sys; from oca_pre_commit_hooks.cli_po import main; sys.exit(main())' \
            --disable=po-pretty-format "${POS[@]}"
    else
        echo "--- oca-checks-po: no .po/.pot files"
    fi
else
    echo "--- no addons: pylint-odoo and oca checks skipped"
fi

if [ "${#failed[@]}" -gt 0 ]; then
    echo "wfmon: lint failed: ${failed[*]}" >&2
    exit 1
fi
echo "wfmon: lint clean"
