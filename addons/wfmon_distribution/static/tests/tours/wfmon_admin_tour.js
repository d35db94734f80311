/** @odoo-module **/
// The administrator's journey (demo user admin): a threshold in Settings, the levels of a
// policy from the Approval Matrix menu, a webhook endpoint whose secret shows once. Run by
// tests/test_tours.py.

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function openConfiguration(xmlid, content) {
    return [
        {
            trigger: ".o_menu_sections [data-menu-xmlid='wfmon_core.wfmon_menu_config']",
            run: "click",
        },
        {
            content,
            trigger: `.dropdown-item[data-menu-xmlid='${xmlid}']`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("wfmon_admin_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("wfmon_core.wfmon_menu_root", "Open the Operations Monitor"),
        ...openConfiguration("wfmon_core.wfmon_config_settings_menu", "Settings"),
        {
            content: "Check the margin of sale orders from 12,000 on",
            trigger: ".o_field_widget[name='wfmon_dist_large_order_amount'] input",
            run: "edit 12000",
        },
        {
            trigger: ".o_control_panel .o_form_button_save",
            run(helpers) {
                // Saving reloads the page: the mark is gone once it has.
                document.body.dataset.wfmonSaving = "1";
                return helpers.click();
            },
        },
        {
            content: "Saved",
            trigger:
                "body:not([data-wfmon-saving]) .o_field_widget[name='wfmon_dist_large_order_amount'] input:value('12,000.00')",
        },
        ...openConfiguration("wfmon_approvals.wfmon_approval_policy_menu", "The approval matrix"),
        {
            trigger: ".o_group_header:contains('Fulfillment Remedy')",
            run: "click",
        },
        {
            content: "The policy opens with its levels",
            trigger: ".o_data_row td[name='name']:contains('Fulfillment remedy')",
            run: "click",
        },
        {
            content: "The supervisor's level gets a backup",
            trigger: ".o_field_widget[name='level_ids'] .o_data_row td[name='backup_user_id']",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='level_ids'] .o_data_row .o_field_widget[name='backup_user_id'] input",
            run: "edit Rita",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Rita Regional')",
            run: "click",
        },
        ...stepUtils.saveForm(),
        ...openConfiguration("wfmon_integration.wfmon_webhook_endpoint_menu", "Webhook endpoints"),
        {
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='name'] input",
            run: "edit ERP bridge",
        },
        {
            trigger: ".o_field_widget[name='url'] input",
            run: "edit https://erp.example.com/hooks/wfmon",
        },
        ...stepUtils.saveForm(),
        {
            trigger: ".o_statusbar_buttons button[name='action_reveal_secret']",
            run: "click",
        },
        {
            content: "The signing secret, shown this once",
            trigger: ".modal .o_field_widget[name='secret']:contains('whsec_')",
        },
        {
            trigger: ".modal .modal-footer button:contains('Done')",
            run: "click",
        },
        {
            content: "Only its last characters stay visible",
            trigger: ".o_form_view:not(:has(.o_statusbar_buttons button[name='action_reveal_secret'])) .o_field_widget[name='secret_hint']:contains('whsec_')",
        },
    ],
});
