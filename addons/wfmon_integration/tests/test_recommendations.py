"""C16: governed recommendations, end to end over the real endpoints."""

import json
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.wfmon_core.tests.common import MONDAY_10

from .common import InboundHttpCase, envelope


@tagged("post_install", "-at_install")
class TestRecommendations(InboundHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env, login="wfi_agent", name="Alice Agent", groups="wfmon_core.group_wfmon_user"
        )
        cls.team = cls.env["wfmon.team"].create(
            {"name": "Complaints", "member_ids": [(4, cls.agent.id)]}
        )
        cls.Rec = cls.env["wfmon.recommendation"]

    def _case(self, key="one"):
        case = self.env["wfmon.case"]._raise("test.carrier_exception", self.partner, key=key)
        case.team_id = self.team
        return case

    def _advise(self, case, msg_id, **data):
        self._post(envelope("recommendation", {"case": case.name, **data}), msg_id=msg_id)
        self._process()
        event = self.Event.search([("webhook_id", "=", msg_id)])
        self.assertEqual(event.state, "processed", event.reason)
        return event.recommendation_id

    def test_category_proposal_low_goes_to_review_high_is_proposed_and_accepted(self):
        case = self._case()
        low = self._advise(
            case,
            "msg_cat_low",
            text="Maybe a billing question",
            confidence=0.35,
            kind="category",
            value="billing",
            model="rules-stub",
        )
        self.assertTrue(low.low_confidence)
        self.assertTrue(case.needs_review, "low confidence: manual review")
        high = self._advise(
            case,
            "msg_cat_high",
            text="Late delivery complaint",
            confidence=0.91,
            kind="category",
            value="late_delivery",
            inputs="helpdesk.ticket,7@2026-11-23T10:00:00Z",
            advised_at="2026-11-23T10:00:05Z",
            model="rules-stub",
        )
        self.assertEqual(
            (high.kind, high.proposed_value, high.state, high.low_confidence),
            ("category", "late_delivery", "new", False),
        )
        self.assertEqual(high.source_label, "n8n")
        self.assertEqual(high.inputs_ref, "helpdesk.ticket,7@2026-11-23T10:00:00Z")
        self.assertEqual(str(high.advised_at), "2026-11-23 10:00:05")
        self.assertEqual(
            dict(high._fields["state"]._description_selection(self.env))[high.state], "Proposed"
        )
        # Without a reason the button asks for one; an empty reason is refused.
        agent_high = high.with_user(self.agent)
        dialog = agent_high.action_accept()
        self.assertEqual(dialog["res_model"], "wfmon.recommendation.decide")
        with self.assertRaises(UserError):
            agent_high.action_accept(reason="  ")
        self.assertEqual(high.state, "new")
        Case = type(self.env["wfmon.case"])
        original = Case._wfmon_recommendation_accepted
        with patch.object(
            Case, "_wfmon_recommendation_accepted", autospec=True, side_effect=original
        ) as hook:
            wizard = (
                self.env["wfmon.recommendation.decide"]
                .with_user(self.agent)
                .create(
                    {
                        "recommendation_ids": [(6, 0, high.ids)],
                        "decision": "accepted",
                        "reason": "The customer writes about the delivery date",
                    }
                )
            )
            wizard.action_confirm()
        self.assertEqual(high.state, "accepted")
        self.assertEqual(high.decided_by_id, self.agent)
        self.assertEqual(high.decision_reason, "The customer writes about the delivery date")
        (cases, recs), _kwargs = hook.call_args
        self.assertEqual((cases, recs), (case, high))
        self.assertEqual(cases.env.uid, self.agent.id, "applied with the agent's rights")
        self.assertFalse(cases.env.su)
        low.with_user(self.agent).action_dismiss(reason="Not about billing")
        self.assertEqual(low.state, "dismissed")
        self.assertIn("Not about billing", case.message_ids[0].body)
        # Deciding twice changes nothing.
        high.with_user(self.agent).action_dismiss(reason="changed my mind")
        self.assertEqual(high.state, "accepted")

    def test_acceptance_rate_per_source(self):
        other = self.env["wfmon.inbound.source"].create(
            {"name": "Classifier B", "user_id": self.robot.id, "review_threshold": 0.1}
        )
        case = self._case()
        recs = self.Rec
        for i, source in enumerate([self.source] * 4 + [other] * 2):
            recs |= self.Rec._attach(case, source, text=f"advice {i}", confidence=0.9)
        recs[0].action_accept(reason="yes")  # n8n: 1 of 3 decided accepted, 1 open
        recs[1].action_dismiss(reason="no")
        recs[2].action_dismiss(reason="no")
        recs[4].action_accept(reason="yes")  # Classifier B: 2 of 2
        recs[5].action_accept(reason="yes")
        self.env.flush_all()
        Report = self.env["wfmon.recommendation.report"].with_user(self.robot)
        rows = Report._read_group(
            [("case_id", "=", case.id)],
            ["source_label"],
            ["acceptance_rate:avg", "decided_count:sum", "recommendation_count:sum"],
        )
        found = {label: (rate, decided, total) for label, rate, decided, total in rows}
        self.assertAlmostEqual(found["n8n"][0], 100 / 3, places=4)
        self.assertEqual(found["n8n"][1:], (3, 4), "the open one does not count")
        self.assertEqual(found["Classifier B"], (100.0, 2, 2))
        views = Report.get_views([(False, "pivot"), (False, "graph")])
        self.assertIn("acceptance_rate", views["views"]["pivot"]["arch"])
        with self.assertRaises(AccessError):
            self.env["wfmon.recommendation.report"].with_user(self.agent).search([])

    def test_outside_summary_sits_beside_the_digest(self):
        with freeze_time(MONDAY_10):
            case = self._case()
            before = case._wfmon_digest()[case.id]
        self.authenticate("wfi_n8n", "wfi_n8n")
        rec_id = self.make_jsonrpc_request(
            "/web/dataset/call_kw/wfmon.recommendation/submit",
            {
                "model": "wfmon.recommendation",
                "method": "submit",
                "args": [case.name, "Carrier late twice; customer waiting since Monday.", 0.8],
                "kwargs": {"model": "stub-summariser", "kind": "summary", "inputs": "digest"},
            },
        )
        rec = self.Rec.browse(rec_id)
        self.assertEqual(rec.kind, "summary")
        self.assertEqual(rec.source_label, "n8n robot", "JSON-RPC: the API user")
        self.assertEqual(case.summary_recommendation_ids, rec)
        with freeze_time(MONDAY_10):
            after = case._wfmon_digest()[case.id]
            html = case.digest_html
        self.assertEqual(after.event_count, before.event_count + 1, "one more event, no less")
        self.assertNotIn("customer waiting since Monday", html, "its text stays beside")
        self.assertIn("Summary from n8n robot (80%)", html)
        with self.assertRaises(UserError):
            self.Rec.with_user(self.robot).submit(case.name, "x", 0.5, kind="execute")

    def test_agent_decides_over_rpc_and_cannot_edit_advice(self):
        case = self._case()
        rec = self.Rec._attach(case, self.source, text="Offer a voucher", confidence=0.9)
        self.authenticate("wfi_agent", "wfi_agent")

        def call(method, *args, **kwargs):
            payload = {
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {
                    "model": "wfmon.recommendation",
                    "method": method,
                    "args": list(args),
                    "kwargs": {**kwargs, "context": {"wfmon_engine": True}},
                },
            }
            # Odoo logs each refusal as a warning; refusals are the point here.
            with mute_logger("odoo.http"):
                return self.url_open(
                    f"/web/dataset/call_kw/wfmon.recommendation/{method}",
                    data=json.dumps(payload),
                    headers={"Content-Type": "application/json"},
                ).json()

        for fname, value in (("state", "accepted"), ("text", "Refund 500"), ("confidence", 1)):
            answer = call("write", [rec.id], {fname: value})
            self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        answer = call("create", {"case_id": case.id, "text": "mine", "confidence": 1})
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.env.invalidate_all()
        self.assertEqual((rec.state, rec.text), ("new", "Offer a voucher"))
        answer = call("action_accept", [rec.id], reason="Customer is a regular")
        self.assertNotIn("error", answer)
        self.env.invalidate_all()
        self.assertEqual((rec.state, rec.decided_by_id), ("accepted", self.agent))
        # Advice on a case the agent does not see stays out of reach.
        hidden = self.env["wfmon.case"]._raise("test.carrier_exception", self.partner, key="x")
        other = self.Rec._attach(hidden, self.source, text="Hidden", confidence=0.9)
        answer = call("action_dismiss", [other.id], reason="not mine")
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.env.invalidate_all()
        self.assertEqual(other.state, "new")
