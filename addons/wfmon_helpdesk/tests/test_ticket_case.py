from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, capture_events

from .common import EMAIL, HelpdeskCase


@tagged("post_install", "-at_install")
@freeze_time(MONDAY_10)
class TestTicketCase(HelpdeskCase):
    """A ticket from any channel becomes a governed case, and the case follows it."""

    # ------------------------------------------------------------------
    # Opening, routing, assignment
    # ------------------------------------------------------------------
    def test_staff_entry_opens_a_case_routed_to_the_store_team(self):
        with capture_events(self.env) as events:
            ticket = self._ticket(category_id=self.cat_delivery.id, priority="2")
        case = ticket.wfmon_case_id
        self.assertTrue(case, "a ticket opens its case")
        self.assertEqual(ticket.wfmon_site_id, self.store_a, "the customer's home store")
        self.assertEqual(ticket.team_id, self.hd_team_a, "front door -> the store's team")
        self.assertEqual(ticket.user_id, self.store_manager, "store-manager assignment")
        self.assertEqual(case.type_id, self.type_delivery, "case type by category")
        self.assertEqual(case.severity, "high", "priority High -> severity high")
        self.assertEqual(case.team_id, self.team, "the helpdesk team's monitoring team")
        self.assertEqual(case.user_id, self.store_manager)
        self.assertEqual(case.state, "assigned")
        self.assertEqual(case.site_id, self.store_a)
        self.assertEqual((case.res_model, case.res_id), ("helpdesk.ticket", ticket.id))
        self.assertEqual(case.helpdesk_ticket_id, ticket)
        self.assertEqual(case.sla_policy_id, self.env.ref("wfmon_helpdesk.sla_policy_customer"))
        # 8 working hours from Monday 10:00 in a 9-17 calendar: Tuesday 10:00.
        self.assertEqual(case.resolution_deadline, MONDAY_10 + timedelta(days=1))
        opened = [e for e in events if e.type == "helpdesk.delivery_complaint"]
        self.assertEqual(len(opened), 1)
        self.assertEqual(opened[0].data[0]["ticket"]["number"], ticket.number)
        self.assertEqual(opened[0].data[0]["ticket"]["store"], "A01")
        self.assertTrue(any("Routed to" in body for body in ticket.message_ids.mapped("body")))

    def test_region_team_when_no_team_serves_the_store(self):
        ticket = self._ticket(partner_id=self.customer_b.id)
        self.assertEqual(ticket.team_id, self.hd_team_south)
        self.assertEqual(ticket.user_id, self.agent_south, "team-leader assignment")
        self.assertEqual(ticket.wfmon_case_id.type_id, self.type_complaint, "no category")
        self.assertEqual(ticket.wfmon_case_id.severity, "medium")

    def test_a_ticket_staff_put_with_a_store_team_stays_there(self):
        ticket = self._ticket(partner_id=self.customer_b.id, team_id=self.hd_team_a.id)
        self.assertEqual(ticket.team_id, self.hd_team_a)

    def test_an_unknown_customer_stays_at_the_front_door(self):
        ticket = self._ticket(partner_id=False, partner_email="x@example.com")
        self.assertEqual(ticket.team_id, self.front)
        self.assertFalse(ticket.user_id, "queue")
        self.assertTrue(ticket.wfmon_case_id)

    def test_email_to_the_alias_opens_a_routed_case(self):
        ticket = self._email("Damaged lamp", "The lamp arrived broken.")
        self.assertEqual(
            ticket.channel_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email")
        )
        self.assertEqual(ticket.partner_id.email, "alice@example.com")
        self.assertEqual(ticket.team_id, self.hd_team_a)
        self.assertTrue(ticket.wfmon_case_id)

    # ------------------------------------------------------------------
    # The case follows the ticket
    # ------------------------------------------------------------------
    def test_category_priority_team_and_owner_follow(self):
        ticket = self._ticket()
        case = ticket.wfmon_case_id
        self.assertEqual(case.type_id, self.type_complaint)
        ticket.category_id = self.cat_refund
        self.assertEqual(case.type_id, self.type_refund)
        notes = case.log_ids.filtered(lambda line: line.action == "note")
        self.assertIn("Refund complaint", "".join(notes.mapped("reason")))
        ticket.priority = "3"
        self.assertEqual(case.severity, "critical")
        ticket.write({"team_id": self.hd_team_south.id, "user_id": self.agent_south.id})
        self.assertEqual(case.helpdesk_team_id, self.hd_team_south)
        self.assertEqual(case.user_id, self.agent_south)

    def test_waiting_on_the_customer_pauses_the_sla(self):
        ticket = self._ticket()
        case = ticket.wfmon_case_id
        deadline = case.resolution_deadline
        ticket.stage_id = self.stage_progress
        self.assertEqual(case.state, "in_progress")
        ticket.stage_id = self.stage_awaiting
        self.assertEqual(case.state, "waiting")
        self.assertEqual(case.sla_status, "paused")
        with freeze_time(MONDAY_10 + timedelta(hours=3)):
            ticket.stage_id = self.stage_progress
            self.assertEqual(case.state, "in_progress")
            self.assertAlmostEqual(case.paused_hours, 3.0, places=2)
            self.assertEqual(case.resolution_deadline, deadline + timedelta(hours=3))

    def test_a_customer_reply_by_email_resumes_a_waiting_ticket(self):
        ticket = self._email("Broken lamp", "The lamp arrived broken.")
        case = ticket.wfmon_case_id
        ticket.stage_id = self.stage_awaiting
        self.assertEqual(case.sla_status, "paused")
        with freeze_time(MONDAY_10 + timedelta(hours=2)):
            reply = EMAIL.format(
                to=f"complaints-test@{self.alias_domain.name}",
                sender="alice@example.com",
                sender_name="Alice Customer",
                msg_id="reply-broken-lamp",
                subject="Re: Broken lamp",
                body="Here is the photo you asked for.",
            ).replace(
                "MIME-Version", f"In-Reply-To: {ticket.message_ids[-1].message_id}\nMIME-Version"
            )
            self.assertEqual(self.env["mail.thread"].message_process(False, reply), ticket.id)
            self.assertEqual(ticket.stage_id, self.stage_progress)
            self.assertEqual(case.state, "in_progress")
            self.assertNotEqual(case.sla_status, "paused")
            self.assertAlmostEqual(case.paused_hours, 2.0, places=2)

    def test_closing_needs_a_root_cause_and_resolves_the_case_with_it(self):
        ticket = self._ticket()
        case = ticket.wfmon_case_id
        with self.assertRaisesRegex(UserError, "root cause"):
            ticket.stage_id = self.stage_done
        self.assertTrue(case.is_open)
        with capture_events(self.env) as events:
            ticket.write(
                {"stage_id": self.stage_done.id, "wfmon_root_cause_id": self.root_cause.id}
            )
        self.assertEqual(case.state, "resolved")
        self.assertEqual(case.root_cause_id, self.root_cause)
        self.assertIn(ticket.number, case.resolution_note)
        self.assertEqual(case.sla_status, "met")
        self.assertEqual(case.resolved_in_sla, 100)
        self.assertIn("helpdesk.ticket_closed", [e.type for e in events])
        self.assertIn("case.resolved", [e.type for e in events])

    def test_reopening_the_ticket_reopens_the_case(self):
        ticket = self._ticket(wfmon_root_cause_id=self.root_cause.id)
        case = ticket.wfmon_case_id
        ticket.stage_id = self.stage_done
        self.assertEqual(case.state, "resolved")
        with capture_events(self.env) as events:
            ticket.stage_id = self.stage_progress
        self.assertEqual(case.state, "in_progress")
        self.assertIn("reopen", case.log_ids.mapped("action"))
        self.assertIn("helpdesk.ticket_reopened", [e.type for e in events])
        # Back to New from a closed stage: the case goes back through the states.
        ticket.stage_id = self.stage_cancelled
        self.assertEqual(case.state, "cancelled")
        ticket.stage_id = self.stage_new
        self.assertIn(case.state, ("new", "assigned"))
        self.assertTrue(case.is_open)

    def test_the_case_buttons_refuse_a_ticket_case(self):
        ticket = self._ticket()
        case = ticket.wfmon_case_id
        for action in ("action_start", "action_wait", "action_resolve", "action_cancel"):
            with self.subTest(action=action), self.assertRaisesRegex(UserError, "ticket"):
                getattr(case, action)()
        self.assertEqual(case.state, "assigned")

    def test_escalation_runs_the_core_ladder_and_the_ticket_follows(self):
        ticket = self._ticket(partner_id=self.customer_b.id)
        case = ticket.wfmon_case_id
        self.assertEqual(ticket.user_id, self.agent_south)
        # South's helpdesk team has no monitoring team: the case type's routing
        # (none here); give the case a lead to escalate to.
        case.sudo().team_id = self.team
        # Medium: 16 working hours = two working days; breached Wednesday 10:00.
        with freeze_time(MONDAY_10 + timedelta(days=2, hours=1)):
            self.Case._cron_scan_sla()
        self.assertEqual(case.sla_status, "breached")
        self.assertGreaterEqual(case.escalation_level, 2)
        self.assertEqual(case.user_id, self.lead, "breach: reassigned to the team lead")
        self.assertEqual(ticket.user_id, self.lead, "the ticket follows its case")

    def test_archived_case_type_opens_no_case(self):
        self.type_complaint.active = False
        ticket = self._ticket()
        self.assertFalse(ticket.wfmon_case_id)
        ticket.stage_id = self.stage_progress  # nothing to follow, nothing breaks
