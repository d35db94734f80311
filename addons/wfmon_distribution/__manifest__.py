# Copyright 2026 wfmon contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Operations Monitor: Distribution",
    "summary": "Exception detectors on sales, stock, purchase and invoices: stock shortages, "
    "late pickings, inbound delays, credit, margin, invoice gaps, master data, pick shortages",
    "version": "18.0.1.2.0",
    "category": "Inventory/Inventory",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    "license": "LGPL-3",
    "depends": [
        "wfmon_core",
        "wfmon_stock",
        "wfmon_approvals",
        "wfmon_integration",
        "sale_stock",
        "purchase_stock",
        "account",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/wfmon_distribution_security.xml",
        "data/wfmon_distribution_data.xml",
        "data/wfmon_event_type_data.xml",
        "data/wfmon_approval_policy_data.xml",
        "data/ir_cron_data.xml",
        "views/wfmon_approval_analysis_templates.xml",
        "views/wfmon_approval_policy_views.xml",
        "views/wfmon_distribution_line_views.xml",
        "views/wfmon_distribution_remedy_views.xml",
        "views/wfmon_case_views.xml",
        "views/stock_warehouse_views.xml",
        "views/sale_order_views.xml",
        "views/purchase_order_views.xml",
        "views/stock_picking_views.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
        "views/wfmon_distribution_menus.xml",
    ],
    "demo": [
        "demo/wfmon_distribution_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "wfmon_distribution/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
