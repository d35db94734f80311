# Copyright 2026 wfmon contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Operations Monitor: Integration",
    "summary": "Transactional outbox, signed and retried Standard Webhooks, a verified "
    "inbound endpoint with quarantine, and integration health",
    "version": "18.0.1.1.0",
    "category": "Productivity",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    "license": "LGPL-3",
    "depends": ["wfmon_core"],
    "external_dependencies": {"python": ["standardwebhooks"]},
    "data": [
        "security/wfmon_integration_security.xml",
        "security/ir.model.access.csv",
        "views/wfmon_event_views.xml",
        "views/wfmon_event_type_views.xml",
        "views/wfmon_webhook_endpoint_views.xml",
        "views/wfmon_webhook_delivery_views.xml",
        "views/wfmon_inbound_source_views.xml",
        "views/wfmon_inbound_event_views.xml",
        "views/wfmon_recommendation_views.xml",
        "views/wfmon_case_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/wfmon_secret_reveal_views.xml",
        "views/wfmon_integration_menus.xml",
        "data/wfmon_event_type_data.xml",
        "data/wfmon_case_type_data.xml",
        "data/ir_cron_data.xml",
    ],
    "demo": [
        "demo/wfmon_integration_demo.xml",
        "demo/wfmon_integration_health_demo.xml",
    ],
    "installable": True,
}
