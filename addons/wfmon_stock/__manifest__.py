# Copyright 2026 wfmon contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Operations Monitor: Stock",
    "summary": "Each warehouse is a monitoring site; free stock per warehouse for detectors",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    "license": "LGPL-3",
    # The bridge between core (which does not depend on stock) and Inventory:
    # what every stock-based module of the suite (distribution, retail) shares.
    "depends": ["wfmon_core", "stock"],
    "data": [
        "views/stock_warehouse_views.xml",
    ],
    "post_init_hook": "post_init_hook",
    # Installed as soon as both sides are, as Odoo's own bridges.
    "auto_install": True,
    "installable": True,
}
