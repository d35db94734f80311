# Copyright 2026 wfmon contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Operations Monitor",
    "summary": "Exception cases with SLA clocks, escalation ladders, no-code monitors "
    "and an audit trail for retail and distribution workflows",
    "version": "18.0.1.1.0",
    "category": "Productivity",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    "license": "LGPL-3",
    "depends": ["base", "mail", "resource", "base_automation"],
    "data": [
        "security/wfmon_core_groups.xml",
        "security/ir.model.access.csv",
        "security/wfmon_core_security.xml",
        "data/wfmon_core_data.xml",
        "data/ir_cron_data.xml",
        "data/base_automation_data.xml",
        "views/wfmon_case_views.xml",
        "views/wfmon_case_priority_views.xml",
        "views/wfmon_case_related_views.xml",
        "views/wfmon_case_type_views.xml",
        "views/wfmon_team_views.xml",
        "views/wfmon_site_views.xml",
        "views/wfmon_sla_policy_views.xml",
        "views/wfmon_root_cause_views.xml",
        "views/wfmon_rule_views.xml",
        "views/wfmon_case_log_views.xml",
        "views/ir_actions_server_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/wfmon_case_resolve_views.xml",
        "views/wfmon_core_menus.xml",
    ],
    "demo": [
        "demo/wfmon_core_demo.xml",
    ],
    "assets": {
        # with the graph view, which the web client loads when it is first used
        "web.assets_backend_lazy": [
            "wfmon_core/static/src/views/graph_colors.js",
        ],
        "web.assets_tests": [
            "wfmon_core/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
