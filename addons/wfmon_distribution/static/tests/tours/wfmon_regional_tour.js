/** @odoo-module **/
// The regional manager's journey (demo user rita, no Sales or Inventory rights): every open
// case of the demo opens, the distribution ones included. Run by tests/test_tours.py.

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function currentPosition() {
    const value = document.querySelector(".o_pager_value");
    const limit = document.querySelector(".o_pager_limit");
    return [value && value.textContent.trim(), limit && limit.textContent.trim()];
}

function reference() {
    const field = document.querySelector(".o_form_view .o_field_widget[name='name']");
    return field && field.textContent.trim();
}

async function waitFor(check, what) {
    for (let i = 0; i < 300; i++) {
        const dialog = document.querySelector(".o_dialog");
        if (dialog) {
            throw new Error(`a dialog opened while ${what}: ${dialog.textContent}`);
        }
        if (check()) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timeout while ${what}`);
}

registry.category("web_tour.tours").add("wfmon_regional_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("wfmon_core.wfmon_menu_root", "Open the Operations Monitor"),
        {
            trigger: ".o_menu_sections [data-menu-xmlid='wfmon_core.wfmon_case_menu']",
            run: "click",
        },
        {
            content: "Every open case of the company",
            trigger: ".dropdown-item[data-menu-xmlid='wfmon_core.wfmon_case_menu_all']",
            run: "click",
        },
        {
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:first td[name='summary']",
            run: "click",
        },
        {
            content: "Open each case in turn, up to the last one",
            trigger: ".o_form_view .o_field_widget[name='name']:contains('EXC-')",
            // Every open case of the demo in one step, on a shared machine.
            timeout: 60000,
            async run() {
                const [, total] = currentPosition();
                const seen = new Set();
                for (let index = 1; index <= Number(total); index++) {
                    await waitFor(
                        () => currentPosition()[0] === String(index)
                            && reference()
                            && !seen.has(reference()),
                        `opening case ${index} of ${total}`
                    );
                    seen.add(reference());
                    if (index < Number(total)) {
                        document.querySelector(".o_pager_next").click();
                    }
                }
                if (seen.size !== Number(total)) {
                    throw new Error(`${seen.size} different cases seen of ${total}`);
                }
                console.log(`wfmon: the regional manager opened ${total} open cases`);
            },
        },
    ],
});
