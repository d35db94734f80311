"""Plain-Python helpers of wfmon_core (SLA clock, escalation, fingerprints, anomaly
statistics, priority score, history digest).

Nothing in this package may import odoo: the modules are unit-tested by loading
them by file path (see ``tests/unit/conftest.py``) and are imported explicitly
by the Odoo models that need them.
"""
