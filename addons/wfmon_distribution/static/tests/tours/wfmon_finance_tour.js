/** @odoo-module **/
// The Finance approver's journey (demo user fiona): from her Activities menu she releases
// the order held over its customer's credit limit; the order confirms by itself. Run by
// tests/test_tours.py.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("wfmon_finance_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Her to-do list",
            trigger: ".o_menu_systray button:has(i[aria-label='Activities'])",
            run: "click",
        },
        {
            content: "The approvals waiting for her",
            trigger: ".o-mail-ActivityGroup:contains('Approval Request')",
            run: "click",
        },
        {
            content: "The credit release alone (the other order also breaches the margin policy)",
            trigger:
                ".o_kanban_record:contains('Credit release'):not(:contains('margin')) button:contains('Approve')",
            run: "click",
        },
        {
            content: "Why the policy applies, before she decides",
            trigger: ".modal .o_field_widget[name='explanation']:contains('Credit release')",
        },
        {
            trigger: ".modal button[name='action_confirm']:contains('Approve')",
            run: "click",
        },
        {
            content: "Nothing left to approve on that order",
            trigger: ".o_kanban_view:not(:has(.o_kanban_record:contains('Credit release'):not(:contains('margin'))))",
        },
    ],
});
