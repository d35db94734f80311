from freezegun import freeze_time

from odoo.tests import tagged

from .common import MONDAY_10, WfmonCase, capture_events


@tagged("post_install", "-at_install")
class TestTransitionsOnChangeOnly(WfmonCase):
    """An audit line or an event is written only when the value it reports
    changes: state, SLA status, severity, owner, team and escalation."""

    def _lines(self, case, action):
        return case.log_ids.filtered(lambda line: line.action == action)

    def _breached_case(self):
        """A medium case (16 h, due Wednesday 10:00) breached by the scanner."""
        with freeze_time(MONDAY_10):
            case = self._open(user_id=self.user.id)
            case.action_start()
        with freeze_time("2026-11-25 10:30:00"):
            self.Case._cron_scan_sla()
        self.assertEqual(case.sla_status, "breached")
        return case

    def test_new_severity_on_a_breached_case_does_not_breach_it_again(self):
        case = self._breached_case()
        self.assertEqual(
            len(self._lines(case, "sla").filtered(lambda x: x.new_value == "breached")), 1
        )
        sla_lines = self._lines(case, "sla")
        with freeze_time("2026-11-25 10:40:00"), capture_events(self.env) as events:
            case.severity = "high"  # 8 h: due Tuesday 10:00, still breached
        self.assertEqual(case.resolution_deadline.isoformat(), "2026-11-24T10:00:00")
        self.assertEqual(case.sla_status, "breached")
        self.assertEqual(self._lines(case, "sla"), sla_lines, "no second on_track -> breached")
        self.assertNotIn("case.breached", [event[0] for event in events])
        self.assertEqual(self._lines(case, "severity").mapped("new_value"), ["High"])
        # Lowered so far that it is on track again: that change is logged...
        with freeze_time("2026-11-25 10:45:00"), capture_events(self.env) as events:
            case.severity = "low"  # 40 h: due Monday 30th 10:00
        self.assertEqual(case.sla_status, "on_track")
        self.assertEqual(self._lines(case, "sla").sorted("id")[-1].new_value, "on_track")
        # ... and raised back, it is a breach again.
        with freeze_time("2026-11-25 10:50:00"), capture_events(self.env) as events:
            case.severity = "critical"
        self.assertEqual(case.sla_status, "breached")
        self.assertEqual([e[0] for e in events if e[0] == "case.breached"], ["case.breached"])

    def test_same_values_write_nothing(self):
        case = self._breached_case()
        before = case.log_ids
        with freeze_time("2026-11-25 11:00:00"), capture_events(self.env) as events:
            case.write({"severity": case.severity, "user_id": case.user_id.id})
            case.team_id = case.team_id
            case.action_start()  # already in progress
            case.with_user(case.user_id).action_assign_to_me()  # already the owner
            self.Case._cron_scan_sla()
            self.Case._cron_scan_sla()
        self.assertEqual(case.log_ids, before)
        self.assertEqual(events, [])

    def test_a_severity_write_without_change_keeps_the_plan(self):
        with freeze_time(MONDAY_10):
            case = self._open()
        self.policy.line_ids.filtered(lambda line: line.severity == "medium").resolution_hours = 8
        with freeze_time("2026-11-23 11:00:00"):
            case.severity = "medium"
        self.assertEqual(case.resolution_deadline.isoformat(), "2026-11-25T10:00:00")
        self.assertFalse(self._lines(case, "severity"))

    def test_scanner_logs_each_status_change_once(self):
        with freeze_time(MONDAY_10):
            case = self._open(user_id=self.user.id)
            case.action_start()
        for now in ("2026-11-24 14:30:00", "2026-11-24 15:00:00", "2026-11-25 10:30:00"):
            with freeze_time(now):
                self.Case._cron_scan_sla()
                self.Case._cron_scan_sla()
        self.assertEqual(
            self._lines(case, "sla").sorted("id").mapped("new_value"), ["at_risk", "breached"]
        )

    def test_escalation_reassigning_to_the_current_owner_logs_no_assignment(self):
        with freeze_time(MONDAY_10):
            case = self._open(user_id=self.lead.id)
            case.action_start()
        self.env["wfmon.escalation.step"].create(
            {
                "policy_id": self.policy.id,
                "name": "To the lead",
                "trigger": "breach",
                "breach_hours": 0,
                "action": "reassign_lead",
            }
        )
        with freeze_time("2026-11-25 10:30:00"), capture_events(self.env) as events:
            self.Case._cron_scan_sla()
            self.Case._cron_scan_sla()
        self.assertEqual(case.escalation_level, 1)
        self.assertEqual(len(self._lines(case, "escalate")), 1)
        self.assertFalse(self._lines(case, "assign").filtered("automated"))
        self.assertEqual([e[0] for e in events].count("case.escalated"), 1)
        self.assertEqual([e[0] for e in events].count("case.breached"), 1)
