/** @odoo-module **/
// What a person who is not an administrator reads on the demo's case and approval forms:
// started on a list (tests/test_plain_language.py), the tour opens its first record, then
// every record through the pager, clicks every tab of each, and fails on a technical value
// in the text shown (a method, model or field name, a raw state, JSON, a digest, a
// planning id).

import { registry } from "@web/core/registry";

const TECHNICAL = [
    // a method name
    /\b_?(?:action|button|cron|compute)_[a-z0-9_]+\b/,
    // an identifier in snake_case: a field name, a raw state or a type code
    /(?<![\w@./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/,
    // a model name or a dotted type code of Odoo or the suite
    /\b(?:sale|purchase|stock|account|wfmon|retail|distribution|helpdesk|pos|res|mail|approval|integration|core|product)\.[a-z_]+(?:\.[a-z_]+)*\b/,
    // a SHA-1 or SHA-256 digest
    /(?<![0-9a-fA-F])(?:[0-9a-f]{64}|[0-9a-f]{40})(?![0-9a-fA-F])/,
    // JSON
    /[{[]\s*"[^"\n]{1,60}"\s*:/,
    // a planning id
    /\((?:[A-Z]{1,2}\d{1,3}(?:\s*,\s*[A-Z]{1,2}\d{1,3})*|seed \d+)\)/,
];

function position() {
    const value = document.querySelector(".o_pager_value");
    const limit = document.querySelector(".o_pager_limit");
    return [value && value.textContent.trim(), limit && limit.textContent.trim()];
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

function shownText() {
    const content = document.querySelector(".o_action_manager .o_content");
    return content ? content.innerText : "";
}

function check(where) {
    const text = shownText();
    for (const pattern of TECHNICAL) {
        const match = text.match(pattern);
        if (match) {
            const at = Math.max(0, match.index - 80);
            throw new Error(
                `technical value "${match[0]}" shown on ${where}: …${text.slice(at, match.index + 80)}…`
            );
        }
    }
}

async function checkEveryTab(where) {
    check(where);
    const tabs = [...document.querySelectorAll(".o_form_view .o_notebook .nav-link")];
    for (const tab of tabs) {
        tab.click();
        await waitFor(() => tab.classList.contains("active"), `opening the tab ${tab.textContent}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        check(`${where}, tab ${tab.textContent.trim()}`);
    }
}

//: records a tour pages through at most (one step each: a step may take 60 s at most)
const MAX_RECORDS = 120;

function title() {
    const crumb = document.querySelector(".o_breadcrumb .active");
    return crumb && crumb.textContent.trim();
}

function recordStep(index, state) {
    return {
        content: `Record ${index}, every tab`,
        trigger: "body",
        timeout: 60000,
        async run() {
            if (state.done) {
                return;
            }
            const [, total] = position();
            await waitFor(
                () => (position()[0] || "1") === String(index)
                    && document.querySelector(".o_form_view .o_form_sheet")
                    && title()
                    && !state.seen.has(title()),
                `opening record ${index} of ${total}`
            );
            state.seen.add(title());
            await checkEveryTab(`record ${index} (${title()})`);
            if (index < Number(total || 1)) {
                document.querySelector(".o_pager_next").click();
            } else {
                state.done = true;
                console.log(`wfmon: ${index} records read in plain words`);
            }
        },
    };
}

registry.category("web_tour.tours").add("wfmon_plain_language_tour", {
    steps: () => {
        const state = { seen: new Set(), done: false };
        return [
            {
                content: "The list the tour was started on",
                trigger: ".o_list_view .o_data_row:first td.o_data_cell:not(.o_list_record_selector)",
                run(helpers) {
                    check("the list");
                    helpers.click();
                },
            },
            {
                trigger: ".o_form_view .o_form_sheet",
            },
            ...Array.from({ length: MAX_RECORDS }, (_, i) => recordStep(i + 1, state)),
            {
                content: "Every record was read",
                trigger: "body",
                run() {
                    if (!state.done) {
                        throw new Error(`more than ${MAX_RECORDS} records: raise MAX_RECORDS`);
                    }
                },
            },
        ];
    },
});
