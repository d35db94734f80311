# Copyright 2026 wfmon contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Operations Monitor: Helpdesk",
    "summary": "Customer complaints on OCA's helpdesk as governed cases: routing to the "
    "store's team, role-based assignment, SLA in working hours, escalation, related cases",
    "version": "18.0.1.0.0",
    "category": "After-Sales",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    # AGPL like helpdesk_mgmt (OCA), which this bridge extends.
    "license": "AGPL-3",
    "depends": ["wfmon_core", "wfmon_integration", "helpdesk_mgmt"],
    "data": [
        "security/wfmon_helpdesk_security.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_ticket_team_views.xml",
        "views/helpdesk_ticket_category_views.xml",
        "views/helpdesk_ticket_stage_views.xml",
        "views/res_partner_views.xml",
        "views/wfmon_recommendation_views.xml",
        "data/wfmon_helpdesk_data.xml",
        "data/wfmon_event_type_data.xml",
    ],
    "demo": [
        "demo/wfmon_helpdesk_demo.xml",
    ],
    "auto_install": True,
    "installable": True,
}
