"""Reporting that reads at a glance: age buckets, pickers without engine
fields, a pivot that fits the screen, colours that mean something, and an
Overview of each user's own open work."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import MONDAY_10, WfmonCase, WfmonRpcCase, make_weekday_calendar

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
#: what the web client's "Add Custom Group" list and pivot headers offer
GROUPABLE_TYPES = (
    "boolean",
    "char",
    "date",
    "datetime",
    "integer",
    "many2one",
    "many2many",
    "selection",
)
ENGINE_FIELDS = ("fingerprint", "severity_rank", "priority_score", "sla_next_check")


@tagged("post_install", "-at_install")
class TestAgeBuckets(WfmonCase):
    def _opened(self, ago, **vals):
        """A case first seen ``ago`` before MONDAY_10."""
        with freeze_time(MONDAY_10):
            case = self._open(**vals)
            case._sla_restart(MONDAY_10 - ago)
        return case

    def _by_age(self, cases):
        groups = self.Case.read_group(
            [("id", "in", cases.ids)], ["__count"], ["age_bucket"], lazy=False
        )
        return {group["age_bucket"]: group["__count"] for group in groups}

    def test_grouped_by_age_and_current_without_writes(self):
        cases = (
            self._opened(2 * HOUR)
            | self._opened(1 * DAY)  # exactly one day: "1–3 d"
            | self._opened(2 * DAY)
            | self._opened(5 * DAY)
            | self._opened(10 * DAY)
        )
        self.env.flush_all()
        with freeze_time(MONDAY_10):
            self.assertEqual(self._by_age(cases), {"d0_1": 1, "d1_3": 2, "d3_7": 1, "d7": 1})
            cases.invalidate_recordset(["age_bucket"])
            self.assertEqual(cases.mapped("age_bucket"), ["d0_1", "d1_3", "d1_3", "d3_7", "d7"])
        written = cases.mapped("write_date")
        with freeze_time(MONDAY_10 + 3 * DAY):
            self.assertEqual(self._by_age(cases), {"d3_7": 3, "d7": 2})
            cases.invalidate_recordset(["age_bucket"])
            self.assertEqual(cases.mapped("age_bucket"), ["d3_7", "d3_7", "d3_7", "d7", "d7"])
        self.assertEqual(cases.mapped("write_date"), written, "time passed, nothing was written")

    def test_filters_on_age(self):
        young, old = self._opened(2 * HOUR), self._opened(8 * DAY)
        mine = [("id", "in", (young | old).ids)]
        with freeze_time(MONDAY_10):
            self.assertEqual(self.Case.search(mine + [("age_bucket", "=", "d7")]), old)
            self.assertEqual(self.Case.search(mine + [("age_bucket", "!=", "d7")]), young)
            self.assertEqual(
                self.Case.search(mine + [("age_bucket", "in", ["d0_1", "d7"])]), young | old
            )
            self.assertEqual(self.Case.search(mine + [("age_bucket", "not in", ["d0_1"])]), old)
            self.assertFalse(self.Case.search(mine + [("age_bucket", "=", False)]))

    def test_a_resolved_case_keeps_the_age_it_had(self):
        case = self._opened(2 * DAY)
        with freeze_time(MONDAY_10):
            case.resolution_note = "done"
            case.action_resolve()
        with freeze_time(MONDAY_10 + 30 * DAY):
            self.assertEqual(self._by_age(case), {"d1_3": 1})

    def test_severities_come_in_their_order(self):
        for severity in ("critical", "low", "high", "medium"):
            self._open(severity=severity)
        groups = self.Case.read_group(
            [("type_id", "=", self.case_type.id)], ["__count"], ["severity"], lazy=False
        )
        self.assertEqual(
            [group["severity"] for group in groups], ["low", "medium", "high", "critical"]
        )


@tagged("post_install", "-at_install")
class TestReportingForUsers(WfmonRpcCase):
    """What each role gets from the web client's calls, over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.company.wfmon_calendar_id = make_weekday_calendar(env, "Glance 9-17 UTC")
        cls.clerk = cls.role_users["wfmon_user"]
        store = env["wfmon.site"].create(
            {"name": "Glance Store", "code": "GLA", "user_ids": [(4, cls.clerk.id)]}
        )
        other = env["wfmon.site"].create({"name": "Elsewhere", "code": "GLX"})
        Type = env["wfmon.case.type"]
        policy = env["wfmon.sla.policy"].create(
            {
                "name": "Glance policy",
                "line_ids": [
                    (0, 0, {"severity": "critical", "response_hours": 1, "resolution_hours": 4}),
                    (0, 0, {"severity": "medium", "response_hours": 4, "resolution_hours": 16}),
                ],
            }
        )
        cls.type_store = Type.create(
            {"name": "Shelf gap", "code": "glance.shelf", "sla_policy_id": policy.id}
        )
        cls.type_elsewhere = Type.create({"name": "Dock jam", "code": "glance.dock"})
        cls.type_quiet = Type.create({"name": "Quiet", "code": "glance.quiet"})
        Case = env["wfmon.case"]
        Case.create(
            [
                {"type_id": cls.type_store.id, "summary": "gap 1", "site_id": store.id},
                {
                    "type_id": cls.type_store.id,
                    "summary": "gap 2",
                    "site_id": store.id,
                    "user_id": cls.clerk.id,
                },
                {"type_id": cls.type_elsewhere.id, "summary": "jam", "site_id": other.id},
            ]
        )

    def test_overview_shows_a_clerk_their_open_work(self):
        action = self.env.ref("wfmon_core.wfmon_case_type_action_overview")
        self.assertIn("search_default_with_open_cases", action.context)
        views = self.rpc(
            "wfmon_user",
            "wfmon.case.type",
            "get_views",
            [[action.view_id.id, "kanban"], [action.search_view_id.id, "search"]],
        ).result["views"]
        self.assertNotIn('name="code"', views["kanban"]["arch"], "no internal codes")
        self.assertIn('name="with_open_cases"', views["search"]["arch"])
        spec = {"name": {}, "open_case_count": {}, "my_case_count": {}}
        domain = [("case_ids.is_open", "=", True)]
        cards = self.rpc("wfmon_user", "wfmon.case.type", "web_search_read", domain, spec)
        self.assertEqual(
            [
                (c["name"], c["open_case_count"], c["my_case_count"])
                for c in cards.result["records"]
            ],
            [("Shelf gap", 2, 1)],
            "one card: the type with open cases at the clerk's store, one assigned to them",
        )
        managers = self.rpc("wfmon_manager", "wfmon.case.type", "web_search_read", domain, spec)
        names = [c["name"] for c in managers.result["records"]]
        self.assertIn("Dock jam", names)
        self.assertNotIn("Quiet", names, "nothing open: no card")

    def test_custom_group_by_and_measures_offer_no_engine_fields(self):
        for role in ("wfmon_user", "wfmon_manager", "admin"):
            with self.subTest(role=role):
                result = self.rpc(
                    role, "wfmon.case", "get_views", [[False, "pivot"], [False, "search"]]
                ).result
                fields = result["models"]["wfmon.case"]["fields"]
                groupable = {
                    name
                    for name, field in fields.items()
                    if field.get("groupable") and field["type"] in GROUPABLE_TYPES
                }
                measures = {
                    name
                    for name, field in fields.items()
                    if field["type"] in ("integer", "float", "monetary") and field.get("aggregator")
                }
                for name in ENGINE_FIELDS:
                    self.assertNotIn(name, groupable)
                    self.assertNotIn(name, measures)
                self.assertTrue({"age_bucket", "site_id", "severity", "sla_status"} <= groupable)
                self.assertTrue({"impact_amount", "resolved_in_sla"} <= measures)
                self.assertIn("fingerprint", fields, "still readable: part of the data contract")

    def test_case_analysis_fits_the_screen(self):
        action = self.env.ref("wfmon_core.wfmon_case_action_analysis")
        measures = safe_eval(action.context)["pivot_measures"]
        pivot = self.rpc("wfmon_manager", "wfmon.case", "get_views", [[False, "pivot"]]).result
        arch = pivot["views"]["pivot"]["arch"]
        self.assertNotIn('type="col"', arch, "measures are not crossed with statuses")
        self.assertLessEqual(len(measures), 4)

    def test_graph_colours_say_met_and_breached(self):
        """In the Case Analysis graph, Met is green and Breached red, whichever
        statuses the data holds."""
        with freeze_time(MONDAY_10):
            cases = self.env["wfmon.case"].create(
                [
                    {"type_id": self.type_store.id, "summary": f"graph {i}", "severity": "critical"}
                    for i in range(2)
                ]
            )
            cases[0]._sla_restart(MONDAY_10 - 3 * DAY)
            cases[1].resolution_note = "quick"
            cases[1].action_resolve()
        self.assertEqual(cases.mapped("sla_status"), ["breached", "met"])
        self.browser_js(
            "/odoo/action-wfmon_core.wfmon_case_action_analysis?view_type=graph",
            """
            (async () => {
                let canvas;
                for (let i = 0; i < 300; i++) {
                    canvas = document.querySelector(".o_graph_renderer canvas");
                    if (canvas) {
                        break;
                    }
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                const chart = canvas && window.Chart && window.Chart.getChart(canvas);
                if (!chart) {
                    throw new Error("no graph");
                }
                const colors = Object.fromEntries(
                    chart.data.datasets.map((d) => [d.label, d.backgroundColor])
                );
                const expected = { Met: "#00A04A", Breached: "#EA6175" };
                for (const [label, color] of Object.entries(expected)) {
                    if (colors[label] !== color) {
                        const all = JSON.stringify(colors);
                        throw new Error(`${label}: ${colors[label]}, not ${color}: ${all}`);
                    }
                }
                console.log("test successful");
            })();
            """,
            ready="odoo.isReady",
            login=self.role_users["admin"].login,
            timeout=120,
        )
