/** @odoo-module **/
// The sales manager's journey (demo user sofia): Finance released the credit of the
// discounted battery order; she approves the margin level from her Activities menu, reads
// the margin analysis, and the order confirms by itself. Run by tests/test_tours.py.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("wfmon_sales_manager_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Her to-do list",
            trigger: ".o_menu_systray button:has(i[aria-label='Activities'])",
            run: "click",
        },
        {
            trigger: ".o-mail-ActivityGroup:contains('Approval Request')",
            run: "click",
        },
        {
            content: "The order waiting for a sales manager after Finance",
            trigger: ".o_kanban_record:contains('Credit release and margin approval')",
            run: "click",
        },
        {
            content: "Who decided what so far",
            trigger: ".o_notebook .nav-link:contains('Decisions')",
            run: "click",
        },
        {
            content: "Finance approved the first level",
            trigger: ".o_form_view .o_field_widget[name='decision_ids']:contains('Fiona Finance')",
        },
        {
            content: "The margin analysis is on the request",
            trigger: ".o_notebook .nav-link:contains('Analysis')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='analysis'] table",
        },
        {
            content: "The order, before she decides",
            trigger: ".o-form-buttonbox button[name='action_open_source']",
            run: "click",
        },
        {
            content: "It shows the wait instead of a Confirm button",
            trigger:
                ".o_form_view:not(:has(.o_statusbar_buttons button[name='action_confirm'])) .o_statusbar_buttons button:contains('Waiting for Approval')",
        },
        {
            content: "One banner says what holds the order and whom it waits for",
            trigger:
                ".o_form_view .o_field_widget[name='wfmon_approval_banner']:contains('Held for approval'):contains('Waiting for approval by')",
            run() {
                const banners = [...document.querySelectorAll(".o_form_view .alert")].filter(
                    (el) => !el.closest(".o_form_sheet") && el.offsetParent !== null
                );
                if (banners.length !== 1) {
                    throw new Error(
                        `${banners.length} banners on the held order: ${banners.map((el) => el.textContent.trim()).join(" | ")}`
                    );
                }
            },
        },
        {
            content: "Back to the request",
            trigger: ".o_breadcrumb .o_back_button a",
            run: "click",
        },
        {
            trigger: ".o_statusbar_buttons button:contains('Approve')",
            run: "click",
        },
        {
            trigger: ".modal button[name='action_confirm']:contains('Approve')",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Approved')",
        },
        {
            content: "The order",
            trigger: ".o-form-buttonbox button[name='action_open_source']",
            run: "click",
        },
        {
            content: "It confirmed by itself",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Sales Order')",
        },
    ],
});
