"""The dashboards open in a real browser, evaluate without an error in any
cell or chart, and show the figures the user's record rules allow."""

import json

from odoo.tests import HttpCase, new_test_user, tagged

from .common import DASHBOARDS, run_pivot, spreadsheet_data

# Runs in the page: finds the dashboard action, waits until every pivot, list
# and chart has its data, then fails on any cell or chart in error and on a
# figure that differs from what the server computed for this user.
CHECK_DASHBOARD = """
(async () => {
    const expected = %(expected)s;
    const find = (node) => {
        const component = node.component;
        if (component && component.loader && component.state && component.state.activeDashboard) {
            return component;
        }
        for (const child of Object.values(node.children || {})) {
            const found = find(child);
            if (found) {
                return found;
            }
        }
    };
    let action;
    for (let i = 0; i < 600; i++) {
        action = odoo.__WOWL_DEBUG__ && find(odoo.__WOWL_DEBUG__.root.__owl__);
        if (action && action.state.activeDashboard.model) {
            break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const dashboard = action && action.state.activeDashboard;
    if (!dashboard || !dashboard.model) {
        throw new Error("the dashboard did not load");
    }
    if (dashboard.id !== expected.id) {
        throw new Error(`dashboard ${dashboard.id} opened instead of ${expected.id}`);
    }
    const model = dashboard.model;
    // The spreadsheet code is loaded with the first dashboard.
    const { waitForDataLoaded } = odoo.loader.modules.get("@spreadsheet/helpers/model");
    await waitForDataLoaded(model);
    const errors = [];
    for (const sheetId of model.getters.getSheetIds()) {
        for (const position of model.getters.getEvaluatedCellsPositions(sheetId)) {
            const cell = model.getters.getEvaluatedCell(position);
            if (cell.type === "error") {
                const sheet = model.getters.getSheetName(sheetId);
                const where = `${sheet} ${position.col},${position.row}`;
                errors.push(`${where}: ${cell.value} ${cell.message || ""}`);
            }
        }
        for (const figure of model.getters.getFigures(sheetId)) {
            try {
                model.getters.getChartRuntime(figure.id);
            } catch (error) {
                errors.push(`chart ${figure.id}: ${error.message}`);
            }
        }
    }
    const data = model.getters.getSheetIdByName("Data");
    for (let row = 1; row <= expected.figures.length; row++) {
        const label = model.getters.getEvaluatedCell({ sheetId: data, col: 0, row }).value;
        const value = model.getters.getEvaluatedCell({ sheetId: data, col: 1, row }).value;
        const want = expected.figures[row - 1];
        if (want !== null && (value || 0) !== want) {
            errors.push(`${label}: ${value}, expected ${want}`);
        }
    }
    if (errors.length) {
        throw new Error("dashboard errors:\\n" + errors.join("\\n"));
    }
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install")
class TestDashboardInBrowser(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store_manager = new_test_user(
            cls.env, login="dash_browser_mgr", groups="wfmon_core.group_wfmon_user"
        )
        site = cls.env["wfmon.site"].create(
            {"name": "Browser Store", "code": "BRW", "manager_id": cls.store_manager.id}
        )
        case_type = cls.env["wfmon.case.type"].create({"name": "Browser", "code": "dash.browser"})
        cls.env["wfmon.case"].create(
            [
                {"type_id": case_type.id, "summary": f"Browser {i}", "site_id": site.id}
                for i in range(3)
            ]
        )

    def expected(self, key, user):
        """The dashboard's id and the values of its Data sheet's figures that
        count records, as ``user`` may see them (``None``: not checked)."""
        data = spreadsheet_data(self.env, key)
        env = self.env(user=user)
        figures = []
        (sheet,) = [s for s in data["sheets"] if s["name"] == "Data"]
        row = 2
        while f"B{row}" in sheet["cells"]:
            formula = sheet["cells"][f"B{row}"]["content"]
            value = None
            if formula.count(",") == 1 and '"__count:sum"' in formula:
                pivot_id = formula.split("(")[1].split(",")[0].strip('"')
                total = run_pivot(env, data["pivots"][pivot_id])[((), ())]
                value = total[0]["__count"] if total else 0
            figures.append(value)
            row += 1
        return {"id": self.env.ref(DASHBOARDS[key]).id, "figures": figures}

    def open_dashboard(self, key, user):
        expected = self.expected(key, user)
        self.browser_js(
            f"/odoo/dashboards?dashboard_id={expected['id']}",
            CHECK_DASHBOARD % {"expected": json.dumps(expected)},
            ready="odoo.isReady",
            login=user.login,
            timeout=180,
        )

    def test_operations_as_store_manager(self):
        expected = self.expected("operations", self.store_manager)
        self.assertEqual(expected["figures"][0], 3, "their store's three open cases")
        self.open_dashboard("operations", self.store_manager)

    def test_operations_and_integration_as_administrator(self):
        admin = self.env.ref("base.user_admin")
        self.open_dashboard("operations", admin)
        self.open_dashboard("integration", admin)
