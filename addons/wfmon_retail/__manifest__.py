# Copyright 2026 wfmon contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Operations Monitor: Retail",
    "summary": "Store exception library: low stock under promotion, price overrides, returns, "
    "promotion readiness, cash differences, late vendors, write-offs, inter-store transfers, "
    "anomalies",
    "version": "18.0.1.1.0",
    "category": "Sales/Point of Sale",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    "license": "LGPL-3",
    "depends": [
        "wfmon_core",
        "wfmon_approvals",
        "wfmon_integration",
        "wfmon_stock",
        "point_of_sale",
        "pos_loyalty",
        "purchase_stock",
        "sale_stock",
    ],
    "data": [
        "security/wfmon_retail_groups.xml",
        "security/ir.model.access.csv",
        "security/wfmon_retail_security.xml",
        "data/wfmon_retail_team_data.xml",
        "data/wfmon_retail_case_type_data.xml",
        "data/wfmon_event_type_data.xml",
        "data/wfmon_approval_policy_data.xml",
        "data/ir_cron_data.xml",
        "views/wfmon_approval_policy_views.xml",
        "views/wfmon_retail_region_views.xml",
        "views/wfmon_retail_store_views.xml",
        "views/stock_warehouse_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/loyalty_program_views.xml",
        "views/purchase_order_views.xml",
        "views/wfmon_retail_substitution_views.xml",
        "views/wfmon_retail_menus.xml",
        # POS scenarios (price overrides, refunds, cash, anomalies): *_pos.xml below.
        "data/wfmon_approval_policy_pos.xml",
        "data/wfmon_retail_data_pos.xml",
        "views/retail_pos_views.xml",
        # Price policy of sale orders and list prices.
        "security/wfmon_retail_price_security.xml",
        "views/wfmon_retail_price_change_views.xml",
        "data/wfmon_approval_policy_price.xml",
    ],
    "demo": [
        "demo/wfmon_retail_demo.xml",
        # POS scenarios: demo/*_pos.xml below.
        "demo/wfmon_retail_demo_pos.xml",
    ],
    "installable": True,
}
