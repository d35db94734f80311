"""Nothing a recommendation carries approves, posts, confirms or changes a
guarded record: attacked over JSON-RPC and the signed inbound endpoint."""

import json

from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import WfmonRpcCase
from odoo.addons.wfmon_integration.tests.common import envelope, signed_headers

GRANTING = ("approve", "auto", "resume")


@tagged("post_install", "-at_install")
class TestAdvisoryAttacks(WfmonRpcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = cls.role_users
        cls.approver = new_test_user(
            cls.env, login="adv_approver", name="Named Approver", groups="base.group_user"
        )
        cls.env["wfmon.approval.policy"].create(
            {
                "name": "Advisory attack documents",
                "model_id": cls.env["ir.model"]._get("test.wfmon.document").id,
                "action_name": "action_confirm",
                "amount_field": "amount",
                "currency_field": "currency_id",
                "min_amount": 1000,
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Named",
                            "approver_kind": "users",
                            "user_ids": [(6, 0, cls.approver.ids)],
                        },
                    )
                ],
            }
        )
        cls.doc = (
            cls.env["test.wfmon.document"]
            .with_user(users["internal"])
            .create({"name": "Held by policy", "amount": 5000})
        )
        cls.doc.with_user(users["internal"]).action_confirm()
        cls.request = cls.env["wfmon.approval.request"].search(
            [("res_model", "=", cls.doc._name), ("res_id", "=", cls.doc.id)]
        )
        assert cls.request.state == "pending" and cls.doc.state == "draft"
        # A case about the held document, seen by the monitoring user's team.
        cls.team = cls.env["wfmon.team"].create(
            {"name": "Advisory attack team", "member_ids": [(4, users["wfmon_user"].id)]}
        )
        cls.case = cls.env["wfmon.case"].create(
            {
                "type_id": cls.env.ref("wfmon_core.case_type_manual").id,
                "summary": "Held document",
                "team_id": cls.team.id,
                "res_model": cls.doc._name,
                "res_id": cls.doc.id,
            }
        )
        cls.source = cls.env["wfmon.inbound.source"].create(
            {
                "name": "Hostile advisor",
                "user_id": users["admin"].id,
                "allowed_model_ids": [(6, 0, cls.env["ir.model"]._get("test.wfmon.document").ids)],
                "review_threshold": 0.5,
            }
        )
        # Everything a payload can name to ask for an approval or a confirmation.
        cls.payload = {
            "case_id": cls.case.id,
            "text": f"Approve {cls.request.name} and confirm {cls.doc.name} now.",
            "confidence": 1,
            "kind": "advice",
            "value": "approve",
            "suggested_action": "action_confirm",
            "model": "test.wfmon.document",
            "id": cls.doc.id,
            "method": "action_approve",
            "request_id": cls.request.id,
            "state": "confirmed",
            "decision": "approve",
            "apply": True,
            "execute": ["action_confirm", "action_approve"],
        }

    def assertStillHeld(self, msg):
        self.env.invalidate_all()
        self.assertEqual(self.doc.state, "draft", f"confirmed: {msg}")
        self.assertEqual(self.doc.confirm_count, 0, msg)
        self.assertEqual(self.request.state, "pending", f"request decided: {msg}")
        self.assertFalse(self.request.consumed, msg)
        self.assertFalse(self.request.decision_ids.filtered(lambda d: d.decision in GRANTING), msg)

    def _inbound(self, data, msg_id):
        body = envelope("recommendation", data)
        headers = signed_headers(self.source.secret, msg_id, body)
        response = self.url_open(f"/wfmon/inbound/{self.source.token}", data=body, headers=headers)
        self.assertEqual(response.status_code, 202, response.text)
        self.env["wfmon.inbound.event"]._cron_process()
        return self.env["wfmon.inbound.event"].search([("webhook_id", "=", msg_id)])

    def test_advice_naming_an_approval_runs_nothing_when_stored_or_accepted(self):
        decisions = self.table_digest("wfmon.approval.decision")
        # 1. Through the signed endpoint, with every key a payload could try.
        event = self._inbound(self.payload, "adv_msg_1")
        self.assertEqual(event.state, "processed", event.reason)
        from_inbound = event.recommendation_id
        self.assertEqual(from_inbound.suggested_action, "action_confirm", "kept as a label")
        self.assertStillHeld("stored from the endpoint")
        # 2. Through JSON-RPC, as the manager the API key belongs to.
        outcome = self.rpc(
            "wfmon_manager",
            "wfmon.recommendation",
            "submit",
            self.case.id,
            self.payload["text"],
            1.0,
            suggested_action="action_confirm",
            kind="category",
            value="confirmed",
            context=self.attack_context,
        )
        self.assertFalse(outcome.error, outcome.message)
        from_rpc = self.env["wfmon.recommendation"].browse(outcome.result)
        self.assertStillHeld("stored from JSON-RPC")
        # 3. Accepted by every role that may, under the attack context.
        for rec, role in ((from_inbound, "wfmon_user"), (from_rpc, "admin")):
            outcome = self.rpc(
                role,
                "wfmon.recommendation",
                "action_accept",
                rec.ids,
                reason="Looks right",
                context=self.attack_context,
            )
            self.assertFalse(outcome.error, outcome.message)
            self.env.invalidate_all()
            self.assertEqual(rec.state, "accepted")
            self.assertStillHeld(f"accepted by {role}")
        self.assertEqual(self.table_digest("wfmon.approval.decision"), decisions)

    def test_advice_cannot_be_forged_decided_for_others_or_applied_by_hand(self):
        rec = self.env["wfmon.recommendation"]._attach(
            self.case, self.source, text="Approve it", confidence=0.95, suggested_action="approve"
        )
        for role in self.role_users:
            with self.subTest(role=role), self.assertUnchanged(rec):
                ctx = self.attack_context
                for vals in (
                    {"state": "accepted"},
                    {"proposed_value": "approve"},
                    {"case_id": self.case.id, "decided_by_id": self.approver.id},
                ):
                    self.assertRefused(
                        self.rpc(role, "wfmon.recommendation", "write", rec.ids, vals, context=ctx)
                    )
                self.assertRefused(
                    self.rpc(
                        role,
                        "wfmon.recommendation",
                        "create",
                        {"case_id": self.case.id, "text": "forged", "state": "accepted"},
                        context=ctx,
                    )
                )
                for method, args in (
                    ("_decide", ["accepted", "r"]),
                    ("_attach", [self.case.id, False, "x", 1.0]),
                ):
                    self.assertRefused(
                        self.rpc(role, "wfmon.recommendation", method, rec.ids, *args, context=ctx)
                    )
                self.assertRefused(
                    self.rpc(
                        role,
                        "wfmon.case",
                        "_wfmon_recommendation_accepted",
                        self.case.ids,
                        rec.ids,
                        context=ctx,
                    )
                )
        # Roles that do not see the case cannot decide its advice.
        for role in ("portal", "internal"):
            with self.assertUnchanged(rec):
                self.assertRefused(
                    self.rpc(role, "wfmon.recommendation", "action_accept", rec.ids, reason="x")
                )
        self.assertStillHeld("forgery attempts")
        # The approval still goes through the named approver only.
        self.request.with_user(self.approver).action_approve()
        self.env.invalidate_all()
        self.assertEqual(self.doc.state, "confirmed")
        self.assertEqual(self.doc.confirm_count, 1)

    def test_approver_reads_the_request_digest_and_nobody_writes_it(self):
        self.authenticate(self.approver.login, self.approver.login)
        self._rpc_role = None  # the next rpc() logs in again
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": "wfmon.approval.request",
                "method": "read",
                "args": [self.request.ids, ["digest_html", "digest_event_count"]],
                "kwargs": {"context": self.attack_context},
            },
        }
        body = self.url_open(
            "/web/dataset/call_kw/wfmon.approval.request/read",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertNotIn("error", body)
        row = body["result"][0]
        self.assertIn("Who decided what", row["digest_html"])
        self.assertIn("5,000.00", row["digest_html"])
        self.assertIn("waiting for", row["digest_html"])
        self.assertGreaterEqual(row["digest_event_count"], 1)
        # A computed digest is nobody's to write, and portal users do not read it.
        for role in ("internal", "wfmon_manager", "admin"):
            with self.assertUnchanged(self.request):
                self.assertRefused(
                    self.rpc(
                        role,
                        "wfmon.approval.request",
                        "write",
                        self.request.ids,
                        {"digest_html": "<p>All approved</p>"},
                        context=self.attack_context,
                    )
                )
        self.assertRefused(
            self.rpc("portal", "wfmon.approval.request", "read", self.request.ids, ["digest_html"])
        )
