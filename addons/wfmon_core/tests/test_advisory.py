import json

from freezegun import freeze_time
from markupsafe import Markup

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MONDAY_10, WfmonCase, WfmonRpcCase, count_queries

WEIGHTS = {
    "value": 25.0,
    "tier": 15.0,
    "sla": 25.0,
    "promotion": 10.0,
    "velocity": 5.0,
    "severity": 15.0,
    "recurrence": 5.0,
}


@tagged("post_install", "-at_install")
class TestPriorityScore(WfmonCase):
    """C16: the explainable priority score of cases, batched in the ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({f"wfmon_priority_weight_{k}": v for k, v in WEIGHTS.items()})
        cls.company.wfmon_priority_value_cap = 10000.0
        # A customer of a strategic account; its contact (the source user's
        # partner) follows the company's tier.
        cls.account = cls.env["res.partner"].create(
            {"name": "Big Account", "is_company": True, "wfmon_tier": "strategic"}
        )
        cls.buyer = new_test_user(cls.env, login="wf_buyer", name="Buyer Contact")
        cls.buyer.partner_id.parent_id = cls.account

    def _factor(self, case, name):
        return next(f for f in case.priority_factors["factors"] if f["factor"] == name)

    @freeze_time(MONDAY_10)
    def test_score_shows_each_factor_and_adds_up(self):
        case = self._open(
            severity="high", impact_amount=10000.0, res_model="res.users", res_id=self.buyer.id
        )
        self.env.flush_all()
        self.assertEqual(self.buyer.partner_id.wfmon_tier, "strategic", "contacts follow")
        value, tier = self._factor(case, "value"), self._factor(case, "tier")
        self.assertEqual(value["points"], 25.0, "10,000 counts fully")
        self.assertEqual(tier["points"], 15.0, "strategic is the top tier")
        self.assertEqual(self._factor(case, "severity")["points"], 10.0, "high: 3rd of 4")
        self.assertEqual(self._factor(case, "promotion")["points"], 0.0, "none in core")
        self.assertEqual(self._factor(case, "sla")["points"], 0.0, "nothing used yet")
        points = sum(f["points"] for f in case.priority_factors["factors"])
        self.assertAlmostEqual(case.priority_score, points, places=2)
        self.assertIn("Customer tier", case.priority_explanation)
        self.assertIn("strategic (4 of 4)", case.priority_explanation)
        # Without a source customer the tier adds nothing, on the same scale.
        plain = self._open(severity="high", impact_amount=10000.0)
        self.assertEqual(case.priority_score - plain.priority_score, 15.0)

    def test_sla_exposure_rises_as_the_scan_uses_the_budget(self):
        with freeze_time(MONDAY_10):
            case = self._open(severity="medium")  # 16 working hours to resolve
            self.env.flush_all()
            start = case.priority_score
            self.assertEqual(self._factor(case, "sla")["points"], 0.0)
        # Tuesday 17:00: the 16 working hours are used up.
        with freeze_time("2026-11-24 17:00:00"):
            self.Case._cron_scan_sla()
            self.env.flush_all()
            self.assertEqual(case.sla_status, "breached")
            self.assertEqual(self._factor(case, "sla")["points"], 25.0)
            self.assertEqual(case.priority_score, start + 25.0)

    @freeze_time(MONDAY_10)
    def test_new_weights_in_settings_rank_open_cases_again(self):
        case = self._open(severity="critical", impact_amount=0.0)
        closed = self._open(severity="critical")
        closed.action_cancel()
        self.env.flush_all()
        before_closed = closed.priority_score
        settings = self.env["res.config.settings"].with_user(self.admin).create({})
        settings.wfmon_priority_weight_severity = 100.0
        settings.wfmon_priority_weight_value = 0.0
        settings.wfmon_priority_weight_tier = 0.0
        settings.wfmon_priority_weight_sla = 0.0
        settings.wfmon_priority_weight_promotion = 0.0
        settings.wfmon_priority_weight_velocity = 0.0
        settings.wfmon_priority_weight_recurrence = 0.0
        settings.execute()
        self.env.invalidate_all()
        self.assertEqual(case.priority_score, 100.0, "critical is all that counts now")
        self.assertEqual(closed.priority_score, before_closed, "closed cases keep theirs")

    @freeze_time(MONDAY_10)
    def test_queues_sort_by_priority(self):
        low = self._open(severity="low")
        high = self._open(severity="critical", impact_amount=50000.0)
        views = self.Case.with_user(self.user).get_views([(False, "list"), (False, "kanban")])
        for view in ("list", "kanban"):
            self.assertIn('default_order="priority_score desc', views["views"][view]["arch"])
        found = self.Case.search([("id", "in", (low | high).ids)], order="priority_score desc")
        self.assertEqual(found.ids, [high.id, low.id])

    @freeze_time(MONDAY_10)
    def test_batched_compute_does_not_grow_with_the_batch(self):
        def refresh_queries(count):
            cases = self.Case.create(
                [
                    {
                        "type_id": self.case_type.id,
                        "summary": f"Batch {i}",
                        "res_model": "res.users",
                        "res_id": self.buyer.id,
                        "impact_amount": 100.0 * i,
                        "key": f"batch-{count}-{i}",
                    }
                    for i in range(count)
                ]
            )
            with count_queries(self.env) as queries:
                cases._wfmon_priority_refresh()
            return queries.count

        small, large = refresh_queries(3), refresh_queries(30)
        self.assertEqual(small, large, "one set of queries whatever the batch size")
        self.assertLessEqual(large, 12)

    def test_nobody_types_a_score_in(self):
        case = self._open()
        for fname, value in (("priority_score", 99.0), ("priority_factors", {"score": 99})):
            with self.assertRaises(AccessError):
                case.with_user(self.manager).write({fname: value})
            with self.assertRaises(AccessError):
                self.Case.with_user(self.manager).create(
                    {"type_id": self.case_type.id, "summary": "forged", fname: value}
                )


@tagged("post_install", "-at_install")
class TestDigest(WfmonCase):
    """C16: the deterministic digest of a long case history."""

    def test_digest_of_a_long_case_history(self):
        with freeze_time(MONDAY_10):
            case = self._open(severity="high", impact_amount=4200.0, summary="Late delivery")
            case.with_user(self.lead).message_post(
                body=Markup("<p>Carrier says <b>Thursday</b></p>"), message_type="comment"
            )
        with freeze_time("2026-11-23 10:30:00"):
            case.with_user(self.manager).write({"severity": "medium"})
        for hour in range(11, 16):
            with freeze_time(f"2026-11-23 {hour}:00:00"):
                case.with_user(self.lead).message_post(
                    body="Customer chasing", message_type="comment"
                )
        with freeze_time("2026-11-23 16:00:00"):
            case.with_user(self.lead).action_start()
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                summary="Call the customer",
                user_id=self.lead.id,
                date_deadline="2026-11-25",
            )
        with freeze_time("2026-11-23 16:30:00"):
            html = case.with_user(self.manager).digest_html
            again = case.with_user(self.manager).digest_html
            digest = case._wfmon_digest()[case.id]
        self.assertEqual(html, again, "the same history gives the same digest")
        self.assertGreaterEqual(case.digest_event_count, 9)
        self.assertIn("Team Lead: Message \u00d75 \u2014 Customer chasing", html)
        for text in (
            "What happened",
            "Who decided what",
            "4,200.00",
            "Carrier says *Thursday*",
            "Call the customer",
            "Resolution of Late delivery",
            "Team Lead",
        ):
            self.assertIn(text, html)
        self.assertNotIn("&lt;b&gt;", html, "chatter HTML is read as text")
        self.assertLess(len(digest.timeline), digest.event_count, "repeats are condensed")
        keys = {item.key for item in digest.still_open}
        self.assertIn("case", keys)
        # Resolving closes the case's matter and records who decided it.
        with freeze_time("2026-11-24 10:00:00"):
            case.resolution_note = "Delivered Thursday"
            case.with_user(self.lead).action_resolve()
            digest = case._wfmon_digest()[case.id]
        self.assertNotIn("case", {item.key for item in digest.still_open})
        self.assertEqual(digest.decisions[-1].author, "Team Lead")
        self.assertEqual(digest.decisions[-1].decision, "resolved")


@tagged("post_install", "-at_install")
class TestAdvisoryOverRpc(WfmonRpcCase):
    """The score and digest as a monitoring user reads them over JSON-RPC, and
    the attempts to forge a score or change the weights without the right."""

    def test_user_reads_score_and_digest_but_cannot_forge_them(self):
        user = self.role_users["wfmon_user"]
        team = self.env["wfmon.team"].create({"name": "RPC team", "member_ids": [(4, user.id)]})
        case = self.env["wfmon.case"].create(
            {
                "type_id": self.env.ref("wfmon_core.case_type_manual").id,
                "summary": "Read me",
                "team_id": team.id,
                "impact_amount": 900.0,
            }
        )
        read = self.rpc(
            "wfmon_user",
            "wfmon.case",
            "read",
            [case.id],
            ["priority_score", "priority_explanation", "digest_html"],
        )
        self.assertFalse(read.error, read.message)
        row = read.result[0]
        self.assertGreater(row["priority_score"], 0)
        self.assertIn("Value at risk", row["priority_explanation"])
        self.assertIn("What happened", row["digest_html"])
        with self.assertUnchanged(case, "forged score"):
            for fname, value in (
                ("priority_score", 100.0),
                ("priority_factors", json.loads('{"score": 100}')),
            ):
                for role in ("wfmon_user", "wfmon_manager"):
                    self.assertRefused(
                        self.rpc(
                            role,
                            "wfmon.case",
                            "write",
                            [case.id],
                            {fname: value},
                            context=self.attack_context,
                        ),
                        f"{role} wrote {fname}",
                    )
        company = self.env.company
        before = company.wfmon_priority_weight_severity
        self.assertRefused(
            self.rpc(
                "wfmon_manager",
                "res.company",
                "write",
                [company.id],
                {"wfmon_priority_weight_severity": 1000.0},
                context=self.attack_context,
            ),
            "a manager set the weights",
        )
        self.env.invalidate_all()
        self.assertEqual(company.wfmon_priority_weight_severity, before)
