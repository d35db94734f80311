from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, WfmonRpcCase
from odoo.addons.wfmon_integration.tests.common import envelope, signed_headers

from .common import HelpdeskCase


@tagged("post_install", "-at_install")
class TestSeedScenario(WfmonRpcCase, HelpdeskCase):
    """A customer complains by email about a late delivery; the ticket becomes a
    case routed to the store's team; a classifier (n8n) writes a category back
    through the signed inbound endpoint: low confidence -> manual review, high
    confidence -> proposed; the agent accepts it; the SLA is met."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_users.update(agent=cls.agent_a)
        cls.robot = new_test_user(
            cls.env,
            login="hd_n8n",
            name="n8n classifier",
            groups="wfmon_core.group_wfmon_manager,helpdesk_mgmt.group_helpdesk_user",
        )
        cls.source = cls.env["wfmon.inbound.source"].create(
            {
                "name": "n8n ticket classifier",
                "user_id": cls.robot.id,
                "allowed_model_ids": [
                    (6, 0, cls.env.ref("helpdesk_mgmt.model_helpdesk_ticket").ids)
                ],
                "review_threshold": 0.7,
            }
        )

    def _classify(self, ticket, category, confidence, msg_id):
        body = envelope(
            "helpdesk.classification",
            {
                "ticket": ticket.number,
                "category": category,
                "confidence": confidence,
                "model": "rules-stub",
                "external_id": msg_id,
            },
        )
        response = self.url_open(
            f"/wfmon/inbound/{self.source.token}",
            data=body,
            headers=signed_headers(self.source.secret, msg_id, body),
        )
        self.assertIn(response.status_code, (200, 202), response.text)
        self.env["wfmon.inbound.event"]._cron_process()
        event = self.env["wfmon.inbound.event"].search(
            [("source_id", "=", self.source.id), ("webhook_id", "=", msg_id)]
        )
        self.assertEqual(event.state, "processed", event.reason)
        return event.recommendation_id

    def _late_delivery(self):
        """A customer delivery with its own open case (the distribution module's
        late-picking case, when that module is installed; helpdesk imports none)."""
        if "stock.picking" not in self.env or not self.env["wfmon.case.type"].search(
            [("code", "=", "distribution.picking_late")]
        ):
            self.skipTest("no distribution module: no delivery case to relate to")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.env.ref("stock.picking_type_out").id,
                "partner_id": self.customer_a.id,
            }
        )
        case = self.env["wfmon.detector"]._detect("distribution.picking_late", picking)
        return picking, case

    def test_late_delivery_complaint_by_email_classified_accepted_and_met(self):
        with freeze_time(MONDAY_10, tick=True):
            picking, delivery_case = self._late_delivery()

            # The customer writes to the complaints alias about the delivery.
            ticket = self._email(
                f"Delivery {picking.name} is late",
                "My order was due on Friday and nobody came. Where is it?",
            )
            case = ticket.wfmon_case_id
            self.assertEqual(ticket.team_id, self.hd_team_a, "routed to the store's team")
            self.assertEqual(ticket.user_id, self.store_manager, "the store manager owns it")
            self.assertEqual(case.team_id, self.team)
            self.assertEqual(case.site_id, self.store_a)
            self.assertEqual(ticket.wfmon_document_ref, picking, "the complaint names the delivery")
            self.assertIn(
                delivery_case, case.related_case_ids, "the complaint shows the delivery's case"
            )
            self.assertIn(
                case, delivery_case.related_case_ids, "the delivery's case shows the complaint"
            )
            self.assertIn(delivery_case.name, case.related_case_note)

            # The classifier is unsure: a person reviews, nothing is proposed.
            unsure = self._classify(ticket, "Order", 0.41, "msg_cls_1")
            self.assertTrue(unsure.low_confidence)
            self.assertTrue(case.needs_review, "low confidence: manual review")
            self.assertTrue(case.activity_ids, "the owner has a review to-do")
            ticket.invalidate_recordset()
            self.assertFalse(ticket.wfmon_proposal_id)
            self.assertFalse(ticket.category_id)

            # The classifier is sure: the category is proposed, not applied.
            sure = self._classify(ticket, "Delivery", 0.93, "msg_cls_2")
            self.assertFalse(sure.low_confidence)
            self.assertEqual(sure.helpdesk_category_id, self.cat_delivery)
            ticket.invalidate_recordset()
            self.assertEqual(ticket.wfmon_proposal_id, sure)
            self.assertEqual(ticket.wfmon_proposal_confidence, 93)
            self.assertFalse(ticket.category_id, "a recommendation changes nothing by itself")

            # The agent accepts it, logged in, through JSON-RPC.
            outcome = self.rpc(
                "agent",
                "helpdesk.ticket",
                "action_wfmon_accept_proposal",
                ticket.ids,
                "The customer writes about a late parcel.",
            )
            self.assertFalse(outcome.error, outcome.message)
            self.assertEqual(ticket.category_id, self.cat_delivery)
            self.assertEqual(case.type_id, self.type_delivery, "case type by category")
            self.assertEqual(sure.state, "accepted")
            self.assertEqual(sure.decided_by_id, self.agent_a)
            self.assertEqual(sure.kind, "category")
            self.assertEqual(sure.decision_reason, "The customer writes about a late parcel.")
            self.assertEqual(unsure.state, "new", "the unsure one waits for its own decision")

            # The agent closes the ticket with its root cause: the SLA is met.
            outcome = self.rpc(
                "agent",
                "helpdesk.ticket",
                "write",
                ticket.ids,
                {"stage_id": self.stage_done.id, "wfmon_root_cause_id": self.root_cause.id},
            )
            self.assertFalse(outcome.error, outcome.message)
            self.assertEqual(case.state, "resolved")
            self.assertEqual(case.root_cause_id, self.root_cause)
            self.assertEqual(case.sla_status, "met")
            self.assertEqual(case.resolved_in_sla, 100)
            self.assertTrue(delivery_case.is_open, "the delivery's own case is the warehouse's")
