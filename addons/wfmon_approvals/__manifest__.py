# Copyright 2026 wfmon contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Operations Monitor: Approvals",
    "summary": "Approval matrices on Odoo activities with segregation of duties, "
    "deadlines, escalation, delegation and guarded actions that resume by themselves",
    "version": "18.0.1.0.0",
    "category": "Productivity",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    "license": "LGPL-3",
    "depends": ["wfmon_core"],
    "data": [
        "security/wfmon_approvals_security.xml",
        "security/ir.model.access.csv",
        "views/wfmon_approval_policy_views.xml",
        "views/wfmon_approval_request_views.xml",
        "views/wfmon_approval_decision_views.xml",
        "views/wfmon_approval_delegation_views.xml",
        "views/res_config_settings_views.xml",
        "views/mail_activity_views.xml",
        "wizards/wfmon_approval_decide_views.xml",
        "views/wfmon_approvals_menus.xml",
        "data/wfmon_approvals_data.xml",
        "data/ir_cron_data.xml",
    ],
    "installable": True,
}
