# Copyright 2026 wfmon contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Operations Monitor: Approvals tests",
    "summary": "Test-only models proving the approval guard (not for production)",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    "license": "LGPL-3",
    "depends": ["wfmon_approvals"],
    "data": [
        "security/ir.model.access.csv",
        "views/test_wfmon_document_views.xml",
    ],
    "installable": True,
}
