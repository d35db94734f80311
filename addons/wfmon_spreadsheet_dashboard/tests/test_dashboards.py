"""The Operations and Integration Health dashboards: what they are made of
exists, every figure has its data, and each role sees its own."""

import base64
import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.misc import file_path

from odoo.addons.wfmon_core.tests.common import WfmonRpcCase, make_weekday_calendar

from .common import (
    cell_counts,
    formula_refs,
    groupby_spec,
    odoo_charts,
    run_pivot,
    scorecards,
    spreadsheet_data,
    view_links,
)

# Thursday 26 November 2026, 16:00 UTC.
NOW = datetime(2026, 11, 26, 16, 0, 0)
NUMERIC = ("integer", "float", "monetary")
DATE_TYPES = ("date", "datetime")


class DashboardCase(WfmonRpcCase):
    """Two stores, each with its manager; cases of every age, SLA status and
    severity at store A; decided and pending approvals; a failing endpoint
    with dead letters and a quarantined inbound event."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.company.wfmon_calendar_id = make_weekday_calendar(env, "Dashboard 9-17 UTC")
        cls.company.wfmon_at_risk_ratio = 0.75
        cls.store_manager = new_test_user(
            env, login="dash_mgr_a", name="Anna StoreA", groups="wfmon_core.group_wfmon_user"
        )
        cls.manager_b = new_test_user(
            env, login="dash_mgr_b", name="Bert StoreB", groups="wfmon_core.group_wfmon_user"
        )
        cls.requester = new_test_user(
            env, login="dash_req", name="Rick Requester", groups="wfmon_core.group_wfmon_user"
        )  # works at both stores
        cls.role_users["store_manager"] = cls.store_manager
        Site = env["wfmon.site"]
        staff = [(4, cls.requester.id)]
        cls.store_a = Site.create(
            {
                "name": "Dash Store A",
                "code": "DA",
                "manager_id": cls.store_manager.id,
                "user_ids": staff,
            }
        )
        cls.store_b = Site.create(
            {
                "name": "Dash Store B",
                "code": "DB",
                "manager_id": cls.manager_b.id,
                "user_ids": staff,
            }
        )
        policy = env["wfmon.sla.policy"].create(
            {
                "name": "Dashboard policy",
                "line_ids": [
                    (0, 0, {"severity": "critical", "response_hours": 1, "resolution_hours": 4}),
                    (0, 0, {"severity": "high", "response_hours": 2, "resolution_hours": 8}),
                    (0, 0, {"severity": "medium", "response_hours": 4, "resolution_hours": 16}),
                    (0, 0, {"severity": "low", "response_hours": 0, "resolution_hours": 40}),
                ],
            }
        )
        Type = env["wfmon.case.type"]
        cls.type_t = Type.create(
            {"name": "Dash condition", "code": "dash.condition", "sla_policy_id": policy.id}
        )
        cls.type_g = Type.create({"name": "Dash override", "code": "dash.override"})
        cls._make_cases()
        cls._make_approvals()
        cls._make_integration()
        cls.env.flush_all()

    @classmethod
    def _case(cls, site, severity, opened, started=False):
        """A case opened ``opened`` before NOW (the engine's import API),
        ``started`` (responded to) before its clock is re-planned."""
        with freeze_time(NOW):
            case = cls.env["wfmon.case"].create(
                {
                    "type_id": cls.type_t.id,
                    "summary": f"{severity} at {site.code}",
                    "severity": severity,
                    "site_id": site.id,
                }
            )
            if started:
                case.action_start()
            case._sla_restart(NOW - opened)
        return case

    @classmethod
    def _make_cases(cls):
        hours, days = timedelta(hours=1), timedelta(days=1)
        # Open at store A: one per age bucket and severity.
        cls.c_new = cls._case(cls.store_a, "low", 2 * hours)  # 0–1 d, on track
        cls.c_risk = cls._case(cls.store_a, "medium", 1.5 * days, started=True)  # 1–3 d, at risk
        cls.c_high = cls._case(cls.store_a, "high", 5 * days)  # 3–7 d, breached
        cls.c_old = cls._case(cls.store_a, "critical", 10 * days)  # > 7 d, breached
        cls.c_b = cls._case(cls.store_b, "medium", 1 * hours)
        # Resolved at store A: one within its SLA, one late (breached first).
        cls.r_met = cls._case(cls.store_a, "medium", 3 * hours, started=True)
        cls.r_late = cls._case(cls.store_a, "high", 5 * days, started=True)
        with freeze_time(NOW):
            for case in cls.r_met | cls.r_late:
                case.resolution_note = "done"
            (cls.r_met | cls.r_late).action_resolve()

    @classmethod
    def _make_approvals(cls):
        env = cls.env
        env["wfmon.approval.policy"].create(
            {
                "name": "Dashboard overrides",
                "model_id": env["ir.model"]._get("wfmon.case").id,
                "action_name": "action_start",
                "amount_field": "impact_amount",
                "currency_field": "currency_id",
                "deadline_hours": 8,
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Store manager",
                            "approver_kind": "role",
                            "role_path": "site_id.manager_id",
                        },
                    )
                ],
            }
        )
        Request = env["wfmon.approval.request"]

        def guard(cases):
            env["wfmon.approval.mixin"].with_user(cls.requester)._wfmon_guard(
                cases.with_user(cls.requester),
                "action_start",
                site_field="site_id",
                case_type_field="type_id",
            )
            return Request.search([("res_model", "=", "wfmon.case"), ("res_id", "in", cases.ids)])

        requested = NOW - timedelta(days=3)
        with freeze_time(requested):
            Case = env["wfmon.case"]
            cases = Case.create(
                [
                    {
                        "type_id": cls.type_g.id,
                        "summary": f"Override {amount}",
                        "site_id": site.id,
                        "impact_amount": amount,
                    }
                    for site, amount in (
                        (cls.store_a, 500),
                        (cls.store_a, 5000),
                        (cls.store_a, 20000),
                        (cls.store_b, 5000),
                    )
                ]
            )
            cls.g_small, cls.g_mid, cls.g_big, cls.g_b = cases
            requests = guard(cases)
        by_case = {r.res_id: r for r in requests}
        with freeze_time(requested + timedelta(hours=4)):
            by_case[cls.g_small.id].with_user(cls.store_manager).action_approve()
            by_case[cls.g_mid.id].with_user(cls.store_manager).action_approve()
            by_case[cls.g_b.id].with_user(cls.manager_b).action_approve()
        with freeze_time(NOW - timedelta(hours=1)):
            cls.g_recent = env["wfmon.case"].create(
                {
                    "type_id": cls.type_g.id,
                    "summary": "Override 800",
                    "site_id": cls.store_a.id,
                    "impact_amount": 800,
                }
            )
            guard(cls.g_recent)

    @classmethod
    def _make_integration(cls):
        env = cls.env
        cls.endpoint = env["wfmon.webhook.endpoint"].create(
            {"name": "Dash sink", "url": "https://sink.example.com/hook", "active": False}
        )
        events = env["wfmon.event"].create(
            [
                {
                    "name": f"evt_dash{i}",
                    "event_type": "case.opened",
                    "timestamp": NOW,
                    "company_id": cls.company.id,
                    "payload": "{}",
                }
                for i in range(2)
            ]
        )
        deliveries = env["wfmon.webhook.delivery"].create(
            [{"event_id": e.id, "endpoint_id": cls.endpoint.id, "state": "dead"} for e in events]
        )
        env["wfmon.webhook.attempt"].create(
            [
                {
                    "delivery_id": d.id,
                    "endpoint_id": cls.endpoint.id,
                    "attempt_no": n,
                    "status_code": 503,
                    "outcome": "retry",
                }
                for d in deliveries
                for n in (1, 2, 3)
            ]
        )
        cls.endpoint._check_health()
        cls.source = env["wfmon.inbound.source"].create(
            {"name": "Dash source", "user_id": cls.env.ref("base.user_admin").id}
        )
        env["wfmon.inbound.event"].create(
            {
                "source_id": cls.source.id,
                "webhook_id": "msg_dash_1",
                "state": "quarantined",
                "raw_body": base64.b64encode(b"{").decode(),
                "reason": "Malformed JSON",
            }
        )

    def pivots(self, key):
        return spreadsheet_data(self.env, key)["pivots"]

    def pivot_named(self, key, name):
        (pivot,) = [p for p in self.pivots(key).values() if p["name"] == name]
        return pivot

    def site_path(self, model):
        return "case_id.site_id" if model == "wfmon.case.log" else "site_id"


@tagged("post_install", "-at_install")
class TestDashboardDefinitions(DashboardCase):
    """Everything the dashboards name exists for the roles that open them."""

    def test_installed_with_the_suite(self):
        operations = self.env.ref("wfmon_spreadsheet_dashboard.spreadsheet_dashboard_operations")
        integration = self.env.ref(
            "wfmon_spreadsheet_dashboard.spreadsheet_dashboard_integration_health"
        )
        self.assertTrue(operations.is_published and integration.is_published)
        self.assertEqual(operations.group_ids, self.env.ref("wfmon_core.group_wfmon_user"))
        self.assertEqual(integration.group_ids, self.env.ref("wfmon_core.group_wfmon_manager"))
        for key, filename in (
            ("operations", "operations_dashboard.json"),
            ("integration", "integration_health_dashboard.json"),
        ):
            path = file_path(f"wfmon_spreadsheet_dashboard/data/files/{filename}")
            with open(path, encoding="utf-8") as file:
                shipped = json.load(file)
            self.assertEqual(spreadsheet_data(self.env, key), shipped, "installed as shipped")

    def assertPathExists(self, model, path, expect=None):
        """``path`` (dotted) resolves on ``model``; return the last field."""
        Model = self.env[model]
        field = None
        for name in path.split("."):
            self.assertIn(name, Model._fields, f"{model}: no field {path}")
            field = Model._fields[name]
            if field.relational:
                Model = self.env[field.comodel_name]
        if expect:
            self.assertIn(field.type, expect, f"{model}.{path} is {field.type}")
        return field

    def assertDomainValid(self, model, domain, user):
        for leaf in domain:
            if isinstance(leaf, list):
                self.assertPathExists(model, leaf[0])
        self.env[model].with_user(user).search_count(domain)

    def assertMatching(self, data, model, matching):
        filters = {f["id"]: f for f in data["globalFilters"]}
        for filter_id, match in matching.items():
            self.assertIn(filter_id, filters, f"{model}: unknown global filter")
            spec = filters[filter_id]
            field = self.assertPathExists(model, match["chain"])
            if spec["type"] == "date":
                self.assertIn(field.type, DATE_TYPES)
            else:
                self.assertEqual(field.type, "many2one")
                self.assertEqual(field.comodel_name, spec["modelName"])

    def assertGroupable(self, model, spec, user):
        name, _sep, granularity = spec.partition(":")
        description = self.env[model].with_user(user).fields_get([name])
        self.assertIn(name, description, f"{model}.{name} is not readable")
        self.assertTrue(description[name].get("groupable"), f"{model}.{name} is not groupable")
        if granularity:
            self.assertIn(description[name]["type"], DATE_TYPES)

    def check_dashboard(self, key, user):
        data = spreadsheet_data(self.env, key)
        self.assertEqual(data["version"], 21)
        self.assertTrue(data["pivots"])
        for pivot in data["pivots"].values():
            self.check_pivot(data, pivot, user)
        for listing in data["lists"].values():
            self.check_list(data, listing, user)
        for chart in odoo_charts(data):
            self.check_chart(data, chart, user)
        self.check_cells(key, data, user)

    def check_pivot(self, data, pivot, user):
        model = pivot["model"]
        self.assertIn(model, self.env)
        description = self.env[model].with_user(user).fields_get()
        for measure in pivot["measures"]:
            self.assertEqual(measure["id"], f"{measure['fieldName']}:{measure['aggregator']}")
            if measure["fieldName"] != "__count":
                field = description.get(measure["fieldName"])
                self.assertTrue(field, f"{model}: no measure {measure['fieldName']}")
                self.assertIn(field["type"], NUMERIC)
                self.assertEqual(field.get("aggregator"), measure["aggregator"])
        for dimension in pivot["rows"] + pivot["columns"]:
            self.assertGroupable(model, groupby_spec(dimension), user)
        self.assertDomainValid(model, pivot["domain"], user)
        self.assertMatching(data, model, pivot["fieldMatching"])
        run_pivot(self.env(user=user), pivot)

    def check_list(self, data, listing, user):
        model = listing["model"]
        for column in listing["columns"]:
            self.assertPathExists(model, column)
        for order in listing["orderBy"]:
            self.assertTrue(self.env[model]._fields[order["name"]].store)
        self.assertDomainValid(model, listing["domain"], user)
        self.assertMatching(data, model, listing["fieldMatching"])
        self.env[model].with_user(user).with_context(**listing["context"]).web_search_read(
            listing["domain"], {column: {} for column in listing["columns"]}
        )

    def check_chart(self, data, chart, user):
        meta = chart["metaData"]
        model = meta["resModel"]
        for spec in meta["groupBy"]:
            self.assertGroupable(model, spec, user)
        self.assertEqual(meta["groupBy"], chart["searchParams"]["groupBy"])
        measure = meta["measure"]
        aggregate = "__count"
        if measure != "__count":
            field = self.env[model].with_user(user).fields_get([measure])[measure]
            self.assertIn(field["type"], NUMERIC)
            self.assertTrue(field.get("aggregator"), f"{model}.{measure} has no aggregator")
            aggregate = f"{measure}:{field['aggregator']}"
        self.assertDomainValid(model, chart["searchParams"]["domain"], user)
        self.assertMatching(data, model, chart["fieldMatching"])
        self.env[model].with_user(user).read_group(
            chart["searchParams"]["domain"], [aggregate], meta["groupBy"], lazy=False
        )

    def check_cells(self, key, data, user):
        pivots, lists = data["pivots"], data["lists"]
        data_cells = {
            ref for sheet in data["sheets"] if sheet["name"] == "Data" for ref in sheet["cells"]
        }
        for card in scorecards(data):
            sheet, _sep, ref = card["keyValue"].partition("!")
            self.assertEqual(sheet, "Data")
            self.assertIn(ref, data_cells, f"scorecard {card['title']['text']} reads an empty cell")
        refs = list(formula_refs(data))
        self.assertTrue(refs)
        for _sheet, ref, function, source_id, args in refs:
            where = f"{key} {ref} {function}"
            if function.startswith("ODOO.LIST"):
                self.assertIn(source_id, lists, where)
                self.assertIn(args[-1], lists[source_id]["columns"], where)
                continue
            self.assertIn(source_id, pivots, where)
            pivot = pivots[source_id]
            if function == "PIVOT.VALUE":
                dimensions = {groupby_spec(d) for d in pivot["rows"] + pivot["columns"]}
                self.assertIn(args[0], {m["id"] for m in pivot["measures"]}, where)
                for field in args[1::2]:
                    self.assertIn(field, dimensions, where)
        for link in view_links(data):
            action = link["action"]
            self.assertDomainValid(action["modelName"], action["domain"], user)
            context = action["context"]
            for spec in context.get("pivot_row_groupby", []) + context.get(
                "pivot_column_groupby", []
            ):
                self.assertGroupable(action["modelName"], spec, user)

    def test_operations_references_exist_for_store_staff_and_managers(self):
        for user in (self.store_manager, self.role_users["wfmon_manager"]):
            with self.subTest(user=user.login):
                self.check_dashboard("operations", user)

    def test_integration_references_exist_for_managers(self):
        self.check_dashboard("integration", self.role_users["wfmon_manager"])


@tagged("post_install", "-at_install")
class TestDashboardFigures(DashboardCase):
    """Each figure shows what happened, as the store manager of store A (who
    sees store A only) and as the operations manager."""

    def setUp(self):
        super().setUp()
        self.frozen = freeze_time(NOW)
        self.frozen.start()
        self.addCleanup(self.frozen.stop)
        self.as_store = self.env(user=self.store_manager)
        self.a, self.b = self.store_a.id, self.store_b.id

    def test_open_cases_by_store_and_age(self):
        pivot = self.pivot_named("operations", "Open cases by store / warehouse and age")
        self.assertEqual(
            cell_counts(self.as_store, pivot),
            {(self.a, "d0_1"): 2, (self.a, "d1_3"): 1, (self.a, "d3_7"): 4, (self.a, "d7"): 1},
        )
        manager = cell_counts(self.env(user=self.role_users["wfmon_manager"]), pivot)
        self.assertEqual(manager[(self.b, "d0_1")], 1)
        self.assertEqual(manager[(self.b, "d3_7")], 1)
        self.assertEqual(manager[(self.a, "d7")], 1)

    def test_open_cases_by_type_and_severity(self):
        pivot = self.pivot_named("operations", "Open cases by type and severity")
        t, g = self.type_t.id, self.type_g.id
        self.assertEqual(
            cell_counts(self.as_store, pivot),
            {
                (t, "low"): 1,
                (t, "medium"): 1,
                (t, "high"): 1,
                (t, "critical"): 1,
                (g, "medium"): 4,
            },
        )
        groups = run_pivot(self.as_store, pivot)[((), ("severity",))]
        self.assertEqual(
            [g["severity"] for g in groups],
            ["low", "medium", "high", "critical"],
            "severities in their order, not alphabetical",
        )

    def test_scorecards(self):
        pivot = self.pivot_named("operations", "Open cases by SLA status")
        groups = run_pivot(self.as_store, pivot)[((), ("sla_status",))]
        by_status = {g["sla_status"]: g["__count"] for g in groups}
        self.assertEqual(by_status, {"on_track": 5, "at_risk": 1, "breached": 2})
        pivot = self.pivot_named("operations", "Open cases by age")
        groups = run_pivot(self.as_store, pivot)[((), ("age_bucket",))]
        self.assertEqual({g["age_bucket"]: g["__count"] for g in groups}["d7"], 1)

    def test_sla_met_and_breaches_over_time(self):
        pivot = self.pivot_named("operations", "SLA met % by month (resolved cases)")
        [month] = run_pivot(self.as_store, pivot)[(("resolved_at:month",), ())]
        self.assertEqual(month["__count"], 2)
        self.assertEqual(month["resolved_in_sla_avg_id"], 50.0, "one of two met its SLA")
        pivot = self.pivot_named("operations", "SLA breaches by week")
        [week] = run_pivot(self.as_store, pivot)[(("date:week",), ())]
        self.assertEqual(week["__count"], 3, "two open cases and one resolved late")

    def test_approval_latency_and_pending_by_age(self):
        pivot = self.pivot_named(
            "operations", "Approval turnaround by store / warehouse and value band"
        )
        groups = run_pivot(self.as_store, pivot)[(("site_id",), ("value_band",))]
        self.assertEqual(
            {(g["site_id"][0], g["value_band"]): g["turnaround_hours_avg_id"] for g in groups},
            {(self.a, "v1"): 4.0, (self.a, "v2"): 4.0},
        )
        pivot = self.pivot_named("operations", "Pending approvals by store / warehouse and age")
        self.assertEqual(
            cell_counts(self.as_store, pivot), {(self.a, "d0_1"): 1, (self.a, "d3_7"): 1}
        )

    def test_integration_health(self):
        manager = self.env(user=self.role_users["wfmon_manager"])
        pivot = self.pivot_named("integration", "Dead letters by endpoint")
        groups = run_pivot(manager, pivot)[(("endpoint_id",), ())]
        self.assertIn(self.endpoint.id, [g["endpoint_id"][0] for g in groups])
        self.assertEqual({g["endpoint_id"][0]: g["__count"] for g in groups}[self.endpoint.id], 2)
        pivot = self.pivot_named("integration", "Quarantined inbound events by source")
        groups = run_pivot(manager, pivot)[(("source_id",), ())]
        self.assertEqual({g["source_id"][0]: g["__count"] for g in groups}[self.source.id], 1)
        data = spreadsheet_data(self.env, "integration")
        (failing,) = [lst for lst in data["lists"].values() if lst["model"] == "wfmon.case"]
        records = manager["wfmon.case"].search_read(failing["domain"], failing["columns"])
        self.assertIn(self.endpoint.name, [r["source_name"] for r in records])
        (endpoints,) = [lst for lst in data["lists"].values() if lst["model"] != "wfmon.case"]
        rows = (
            manager[endpoints["model"]]
            .with_context(**endpoints["context"])
            .web_search_read(endpoints["domain"], {c: {} for c in endpoints["columns"]})
        )
        mine = [r for r in rows["records"] if r["name"] == self.endpoint.name]
        self.assertEqual((mine[0]["health"], mine[0]["dead_count"]), ("failing", 2))


@tagged("post_install", "-at_install")
class TestDashboardDemo(TransactionCase):
    """A database installed with demo data shows something in each figure,
    except the approval turnaround (nobody has decided a request in the demo)
    and the deliveries waiting to be sent (the demo endpoints are archived)."""

    EMPTY_IN_DEMO = (
        "Approval turnaround by store / warehouse and value band",
        "Deliveries waiting to be sent",
    )

    def test_every_figure_has_data(self):
        if not self.env.ref("wfmon_core.demo_case_breached", raise_if_not_found=False):
            self.skipTest("no demo data")
        with_approvals = bool(self.env["wfmon.approval.request"].search_count([]))
        admin = self.env(user=self.env.ref("base.user_admin"))
        for key in ("operations", "integration"):
            data = spreadsheet_data(self.env, key)
            for pivot in data["pivots"].values():
                if pivot["name"] in self.EMPTY_IN_DEMO:
                    continue
                if pivot["model"] == "wfmon.approval.request" and not with_approvals:
                    continue  # the demo's requests come with wfmon_distribution
                with self.subTest(pivot=pivot["name"]):
                    total = run_pivot(admin, pivot)[((), ())]
                    self.assertTrue(total and total[0]["__count"], "no data")
            for chart in odoo_charts(data):
                meta = chart["metaData"]
                with self.subTest(chart=meta["resModel"]):
                    self.assertTrue(
                        admin[meta["resModel"]].search_count(chart["searchParams"]["domain"])
                    )
            for listing in data["lists"].values():
                with self.subTest(listing=listing["name"]):
                    self.assertTrue(
                        admin[listing["model"]]
                        .with_context(**listing["context"])
                        .search_count(listing["domain"])
                    )


@tagged("post_install", "-at_install")
class TestDashboardAccess(DashboardCase):
    """What the dashboards ask the server, asked over JSON-RPC as each role:
    the record rules decide, the dashboard adds nothing and hides nothing."""

    def test_store_manager_sees_only_their_store(self):
        for pivot in self.pivots("operations").values():
            model = pivot["model"]
            groupby = [groupby_spec(d) for d in pivot["rows"] + pivot["columns"]]
            with self.subTest(pivot=pivot["name"]), freeze_time(NOW):
                outcome = self.rpc(
                    "store_manager",
                    model,
                    "read_group",
                    pivot["domain"],
                    ["__count"],
                    groupby,
                    lazy=False,
                )
                self.assertFalse(outcome.error, outcome.message)
                only_a = pivot["domain"] + [(self.site_path(model), "=", self.store_a.id)]
                expected = self.env[model].read_group(only_a, ["__count"], groupby, lazy=False)
                self.assertEqual(
                    [(g.get("__count"), [g.get(f) for f in groupby]) for g in outcome.result],
                    [
                        (
                            g["__count"],
                            [
                                list(v) if isinstance(v, tuple) else v
                                for v in (g.get(f) for f in groupby)
                            ],
                        )
                        for g in expected
                    ],
                )
                self.assertTrue(outcome.result, "store A has data in every figure")

    def test_managers_see_every_store(self):
        pivot = self.pivot_named("operations", "Open cases by store / warehouse and age")
        with freeze_time(NOW):
            outcome = self.rpc(
                "wfmon_manager",
                "wfmon.case",
                "read_group",
                pivot["domain"],
                ["__count"],
                ["site_id"],
                lazy=False,
            )
        sites = {g["site_id"][0] for g in outcome.result if g["site_id"]}
        self.assertTrue({self.store_a.id, self.store_b.id} <= sites)

    def test_integration_health_is_for_managers(self):
        Dashboard = "spreadsheet.dashboard"
        mine = self.rpc("store_manager", Dashboard, "search_read", [], ["name"])
        self.assertEqual(
            [d["name"] for d in mine.result if d["name"] in ("Operations", "Integration Health")],
            ["Operations"],
        )
        integration = self.env.ref(
            "wfmon_spreadsheet_dashboard.spreadsheet_dashboard_integration_health"
        )
        self.assertRefused(self.rpc("store_manager", Dashboard, "read", [integration.id], ["name"]))
        self.assertRefused(
            self.rpc("store_manager", "wfmon.webhook.delivery", "read_group", [], ["__count"], [])
        )
        loaded = self.rpc("wfmon_manager", Dashboard, "get_readonly_dashboard", integration.id)
        self.assertFalse(loaded.error, loaded.message)
        self.assertIn("pivots", loaded.result["snapshot"])
        with self.assertRaises(AccessError):
            self.env["wfmon.webhook.delivery"].with_user(self.store_manager).check_access("read")
