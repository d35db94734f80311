# Copyright 2026 wfmon contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Operations Monitor: Adversarial tests",
    "summary": "JSON-RPC attacks on every control of the suite, as every role (tests only)",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "website": "https://github.com/wfmon/wfmon",
    "author": "wfmon contributors",
    "license": "LGPL-3",
    "depends": ["wfmon_distribution", "wfmon_retail", "test_wfmon_approvals"],
    "data": [],
    "assets": {
        "web.assets_tests": [
            "test_wfmon_adversarial/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
