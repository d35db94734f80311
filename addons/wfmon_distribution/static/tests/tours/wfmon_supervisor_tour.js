/** @odoo-module **/
// The warehouse supervisor's journey (demo user walter): the Supervisor Queue, the late
// delivery of Northwind Traders, and the transfer proposed on it, approved. Run by
// tests/test_tours.py.

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("wfmon_supervisor_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("wfmon_core.wfmon_menu_root", "Open the Operations Monitor"),
        {
            content: "Open the cases",
            trigger: ".o_menu_sections [data-menu-xmlid='wfmon_core.wfmon_case_menu']",
            run: "click",
        },
        {
            content: "His queue: the open distribution cases of his warehouses",
            trigger:
                ".dropdown-item[data-menu-xmlid='wfmon_distribution.wfmon_case_menu_supervisor_queue']",
            run: "click",
        },
        {
            content: "The main warehouse",
            trigger: ".o_group_header:contains('Central Distribution Centre')",
            run: "click",
        },
        {
            content: "The late delivery of Northwind Traders",
            trigger: ".o_data_row td:contains('for Northwind Traders is late')",
            run: "click",
        },
        {
            content: "Take it: start working on it",
            trigger: ".o_statusbar_buttons button[name='action_start']",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('In Progress')",
        },
        {
            content: "The transfer proposed on the case",
            trigger: ".o-form-buttonbox button[name='action_wfmon_view_remedies']",
            run: "click",
        },
        {
            trigger: ".o_data_row td[name='source_warehouse_id']:contains('Distribution East')",
            run: "click",
        },
        {
            content: "It waits for his approval",
            trigger: ".o_form_view .alert-warning:contains('Walter Warehouse')",
        },
        {
            trigger: ".o_statusbar_buttons button[name='action_wfmon_view_approvals']",
            run: "click",
        },
        {
            trigger: ".o_statusbar_buttons button:contains('Approve')",
            run: "click",
        },
        {
            content: "Approve, with a word for the team",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit East has the rolls free today.",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Approved')",
        },
        {
            content: "Back to the remedy",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('REM-')",
            run: "click",
        },
        {
            content: "The transfer was created by itself",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Applied')",
        },
        {
            trigger: ".o_field_widget[name='result_picking_id']:contains('DEA/INT/')",
        },
    ],
});
