# Copyright 2026 wfmon contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Operations Monitor: Dashboards",
    "summary": "Operations and integration health dashboards on Odoo's spreadsheet dashboards",
    "version": "18.0.1.0.0",
    "category": "Productivity/Dashboard",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    "license": "LGPL-3",
    # One bridge for cases, approvals and integration rather than one per
    # module: the Operations dashboard puts cases and approvals side by side,
    # every business module of the suite (distribution, retail) depends on
    # both approvals and integration anyway, and core alone is a framework
    # setup without the figures these dashboards are about.
    "depends": ["spreadsheet_dashboard", "wfmon_approvals", "wfmon_integration"],
    "data": [
        "data/dashboards.xml",
    ],
    # Installed with the suite, as Odoo installs its own dashboards with their
    # apps (spreadsheet_dashboard_sale: "auto_install": ["sale"]).
    "auto_install": ["wfmon_approvals", "wfmon_integration"],
    "installable": True,
}
