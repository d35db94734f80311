"""Plain-Python helpers of wfmon_spreadsheet_dashboard (the dashboards' definitions).

Nothing in this package may import odoo: ``dashboards`` is run as a script to
write ``data/files/*.json`` and is unit-tested by loading it by file path.
"""
