# wfmon — thin entry points; the logic lives in scripts/.
#   make test   the whole gate: lint, plain-Python tests, Odoo tests on a fresh database
#   make lint   ruff, pylint-odoo (OCA mandatory checks), oca-checks-odoo-module / -po
#   make unit   plain-Python tests only (no Odoo, no database); installs the test tools first
#   make pot    export addons/<module>/i18n/<module>.pot from a fresh database (Odoo's --i18n-export)
#   make readme write each addon's README.rst from its readme/*.md fragments
#   make test-future  plain-Python and Odoo tests with the clock moved a year and two years
#               ahead (libfaketime, private PostgreSQL); other days in WFMON_FUTURE, e.g.
#               WFMON_FUTURE="+90d;2028-02-29 23:30:00"
#   make test-upgrade  a database installed by an earlier commit (WFMON_UPGRADE_FROM, default
#               the previous release point), then upgraded with -u all by this checkout;
#               log gate on the upgrade (scripts/test-upgrade.sh, docs/testing.md)
#   make demo   local Odoo with every addon and demo data on http://127.0.0.1:8069
#   make bench  every benchmark of benchmarks/ through scripts/bench.sh, one JSON results file
#               (.run/bench-results.json); one of them: make bench BENCH=delivery, its options
#               in WFMON_BENCH_ARGS, e.g. WFMON_BENCH_ARGS="--events 2000 --rounds 5"
#   make bench-distribution  the same as make bench BENCH=distribution
#   make e2e-n8n  the n8n templates (docs/n8n/) in a real n8n against a real Odoo; CI runs it
#               after make test. Options in WFMON_N8N_E2E_ARGS, e.g. "--bench 200"
#   make stop   stop the Odoo and PostgreSQL processes started by these scripts
#   make clean  stop, then delete .run/ (cluster, databases, logs) and caches
SHELL := /bin/bash

.PHONY: test test-future test-upgrade lint unit pot readme demo bench bench-distribution e2e-n8n stop clean

test:
	@bash scripts/run-tests.sh

test-future:
	@bash scripts/test-future.sh

test-upgrade:
	@bash scripts/test-upgrade.sh

lint:
	@bash scripts/lint.sh

unit:
	@bash scripts/unit.sh

pot:
	@bash scripts/pot.sh

readme:
	@$${WFMON_PYTHON:-python3} scripts/wfmon.py readme

demo:
	@bash scripts/demo.sh

bench:
	@bash scripts/bench.sh $(BENCH)

bench-distribution:
	@bash scripts/bench.sh distribution

e2e-n8n:
	@bash scripts/e2e-n8n.sh

stop:
	@bash scripts/stop.sh

clean:
	@bash scripts/clean.sh
