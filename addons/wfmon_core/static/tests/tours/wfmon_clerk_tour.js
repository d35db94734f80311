/** @odoo-module **/
// The store clerk's journey (demo user carla): report an issue by hand at her store,
// then resolve a case of her team with a root cause. Run by tests/test_tours.py.

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("wfmon_clerk_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("wfmon_core.wfmon_menu_root", "Open the Operations Monitor"),
        {
            content: "Open the cases",
            trigger: ".o_menu_sections [data-menu-xmlid='wfmon_core.wfmon_case_menu']",
            run: "click",
        },
        {
            content: "All cases of her stores and teams",
            trigger: ".dropdown-item[data-menu-xmlid='wfmon_core.wfmon_case_menu_all']",
            run: "click",
        },
        {
            content: "Report an issue by hand",
            trigger: ".o_control_panel .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Her store is filled in",
            trigger: ".o_field_widget[name='site_id'] input:value('[S01] Downtown Store')",
        },
        {
            content: "A reported issue, the type of a case reported by hand",
            trigger: ".o_field_widget[name='type_id'] input:value('Reported issue')",
        },
        {
            content: "Say what is wrong",
            trigger: ".o_field_widget[name='summary'] input",
            run: "edit Freezer door at the checkout does not close",
        },
        ...stepUtils.saveForm(),
        {
            content: "The case went to the team lead of her store",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Assigned')",
        },
        {
            content: "Back to the cases",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "Open the price label case of her store",
            trigger: ".o_kanban_record:contains('Price label mismatch on promotion shelf')",
            run: "click",
        },
        {
            content: "Resolve it",
            trigger: ".o_statusbar_buttons button[name='action_open_resolve']:visible",
            run: "click",
        },
        {
            content: "Give the root cause",
            trigger: ".modal .o_field_widget[name='root_cause_id'] input",
            run: "edit Process",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Process not followed')",
            run: "click",
        },
        {
            content: "Say what was done",
            trigger: ".modal .o_field_widget[name='resolution_note'] textarea",
            run: "edit Relabelled the shelf from the promotion list; the staff checks labels on Mondays.",
        },
        {
            trigger: ".modal button[name='action_resolve']",
            run: "click",
        },
        {
            content: "The case is resolved",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Resolved')",
        },
    ],
});
