from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import MONDAY_10, WfmonCase, capture_events


@tagged("post_install", "-at_install")
class TestCaseLifecycle(WfmonCase):
    """C1: a case has a type, severity, state machine, owner, team, site,
    company, source link, impact, root cause, resolution, chatter."""

    @freeze_time(MONDAY_10)
    def test_manual_case_through_the_form(self):
        partner = self._partners(1)
        with Form(self.Case.with_user(self.manager)) as form:
            form.type_id = self.case_type
            form.summary = "Customer record blocks invoicing"
            form.site_id = self.store_a
            form.impact_amount = 1250.0
        case = form.record
        self.assertRegex(case.name, r"^EXC-\d{6}$")
        self.assertEqual(case.state, "new")
        self.assertEqual(case.team_id, self.team, "routed to the type's team")
        self.assertEqual(case.severity, "medium", "type's default severity")
        self.assertEqual(case.company_id, self.env.company)
        self.assertEqual(case.currency_id, self.env.company.currency_id)
        # Link to a source document.
        case2 = self.Case._raise("test.condition", partner, impact=99.5)
        self.assertEqual(case2.source_ref, partner)
        self.assertEqual(case2.source_name, partner.display_name)
        action = case2.action_open_source()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", partner.id))

    @freeze_time(MONDAY_10)
    def test_state_machine(self):
        case = self._open()
        with capture_events(self.env) as events:
            case.with_user(self.lead).action_assign_to_me()
            self.assertEqual(case.state, "assigned")
            self.assertEqual(case.user_id, self.lead)
            case.action_start()
            self.assertEqual(case.state, "in_progress")
            self.assertTrue(case.responded_at)
            case.action_wait()
            self.assertEqual(case.state, "waiting")
            case.action_resume()
            self.assertEqual(case.state, "in_progress")
            with self.assertRaisesRegex(UserError, "resolution note"):
                case.action_resolve()
            case.root_cause_id = self.env.ref("wfmon_core.root_cause_process")
            case.resolution_note = "Re-trained the store team."
            case.action_resolve()
        self.assertEqual(case.state, "resolved")
        self.assertTrue(case.resolved_at)
        self.assertFalse(case.is_open)
        self.assertIn(("case.resolved", "wfmon.case", (case.id,)), [e[:3] for e in events])
        # Closed cases refuse work until reopened.
        with self.assertRaisesRegex(UserError, "reopen it first"):
            case.action_wait()
        case.action_reopen()
        self.assertEqual(case.state, "in_progress")
        self.assertFalse(case.resolved_at)
        self.assertIn("reopen", case.log_ids.mapped("action"))

    def test_invalid_transition_is_refused(self):
        case = self._open()
        case.action_cancel()
        with self.assertRaisesRegex(UserError, "cannot go from Cancelled to Resolved"):
            case._transition("resolved")
        case.action_reopen()
        self.assertEqual(case.state, "new")

    def test_engine_fields_are_protected(self):
        case = self._open()
        for vals in (
            {"state": "resolved"},
            {"occurrence_count": 7},
            {"resolution_deadline": "2030-01-01 00:00:00"},
            {"sla_status": "met"},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                case.with_user(self.manager).write(vals)
            # The engine's context key as a client sends it, even under sudo(),
            # is not the engine.
            with self.assertRaises(AccessError, msg=str(vals)):
                case.sudo().with_context(wfmon_engine=True).write(vals)
        self.assertEqual(case.state, "new")

    def test_engine_fields_are_protected_on_create(self):
        Case = self.Case.with_user(self.manager)
        base = {"type_id": self.case_type.id, "summary": "Forged"}
        for vals in (
            {"state": "resolved"},
            {"sla_start": "2030-01-01 00:00:00"},
            {"escalation_level": 3},
            {"fingerprint": "abc"},
            {"name": "EXC-000001"},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                Case.create({**base, **vals})
        # The default value a form sends back is accepted.
        self.assertEqual(Case.create({**base, "state": "new"}).state, "new")
        # Context defaults never fill in engine fields; other defaults still apply.
        case = Case.with_context(
            default_state="resolved",
            default_escalation_level=4,
            default_sla_status="met",
            default_team_id=self.team.id,
        ).create(base)
        self.assertEqual(
            (case.state, case.escalation_level, case.sla_status, case.team_id),
            ("new", 0, "on_track", self.team),
        )

    def test_unassign_returns_to_queue(self):
        case = self._open(user_id=self.lead.id)
        self.assertEqual(case.state, "assigned")
        case.user_id = False
        self.assertEqual(case.state, "new")

    def test_closing_completes_open_activities(self):
        case = self._open(user_id=self.lead.id)
        case.activity_schedule("mail.mail_activity_data_todo", user_id=self.lead.id)
        self.assertEqual(len(case.activity_ids), 1)
        case.action_cancel()
        self.assertFalse(case.activity_ids)
