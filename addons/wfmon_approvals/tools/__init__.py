"""Plain-Python helpers of wfmon_approvals (policy selection, approver routing,
snapshots). Nothing here may import odoo: the modules are unit-tested by file
path (``tests/unit/conftest.py``) and imported explicitly by the models."""
