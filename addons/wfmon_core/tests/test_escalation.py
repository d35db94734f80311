from datetime import datetime

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged

from .common import MONDAY_10, WfmonCase, capture_events, count_queries


@tagged("post_install", "-at_install")
class TestEscalation(WfmonCase):
    """C4 + C5: escalation ladders fired by the scheduled scanner, each step
    once per case, with a query count that does not grow with the volume."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Step = cls.env["wfmon.escalation.step"]
        common = {"policy_id": cls.policy.id}
        cls.step_half = Step.create(
            {
                **common,
                "sequence": 1,
                "name": "Halfway",
                "trigger": "ratio",
                "ratio_percent": 50,
                "action": "notify",
                "target": "owner",
            }
        )
        cls.step_event = Step.create(
            {
                **common,
                "sequence": 2,
                "name": "Tell n8n",
                "trigger": "ratio",
                "ratio_percent": 80,
                "action": "event",
                "event_type": "case.needs_attention",
            }
        )
        cls.step_breach = Step.create(
            {
                **common,
                "sequence": 3,
                "name": "To the lead",
                "trigger": "breach",
                "breach_hours": 0,
                "action": "reassign_lead",
            }
        )
        cls.step_severity = Step.create(
            {
                **common,
                "sequence": 4,
                "name": "Raise severity",
                "trigger": "breach",
                "breach_hours": 2,
                "action": "raise_severity",
            }
        )
        cls.step_activity = Step.create(
            {
                **common,
                "sequence": 5,
                "name": "Regional manager",
                "trigger": "breach",
                "breach_hours": 2,
                "action": "activity",
                "target": "escalation",
            }
        )

    def _fired(self, case):
        return case.escalated_step_ids

    def test_ladder_fires_each_step_once(self):
        with freeze_time(MONDAY_10):
            case = self._open(user_id=self.user.id)  # medium: 16 h, due Wed 10:00
            case.action_start()
        # Tue 10:30: 8.5 h of 16 h consumed (53 %): halfway notification to the owner.
        with freeze_time("2026-11-24 10:30:00"):
            self.Case._cron_scan_sla()
            self.Case._cron_scan_sla()
        self.assertEqual(self._fired(case), self.step_half)
        note = case.message_ids.filtered(lambda m: self.user.partner_id in m.partner_ids)
        self.assertEqual(len(note), 1, "the owner is notified once, not at every scan")
        # Tue 16:00: 86 %: the event step.
        with freeze_time("2026-11-24 16:00:00"), capture_events(self.env) as events:
            self.Case._cron_scan_sla()
        published = [e[:3] for e in events]
        self.assertIn(("case.needs_attention", "wfmon.case", (case.id,)), published)
        self.assertIn(("case.escalated", "wfmon.case", (case.id,)), published)
        # Wed 10:30: breached, reassigned to the team lead.
        with freeze_time("2026-11-25 10:30:00"):
            self.Case._cron_scan_sla()
        self.assertEqual(case.sla_status, "breached")
        self.assertEqual(case.user_id, self.lead)
        self.assertEqual(case.severity, "medium")
        # Wed 12:30: breach + 2 working hours: severity up, activity for the regional manager.
        with freeze_time("2026-11-25 12:30:00"):
            self.Case._cron_scan_sla()
        self.assertEqual(case.severity, "high")
        self.assertEqual(
            case.resolution_deadline.isoformat(),
            "2026-11-25T10:00:00",
            "an escalation raises severity without moving the deadline",
        )
        activity = case.activity_ids
        self.assertEqual(activity.user_id, self.escalation_contact)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("wfmon_core.mail_activity_type_wfmon_escalation"),
        )
        self.assertEqual(case.escalation_level, 5)
        # Later scans fire nothing again.
        with freeze_time("2026-11-26 16:00:00"):
            self.Case._cron_scan_sla()
        self.assertEqual(case.escalation_level, 5)
        self.assertEqual(len(case.activity_ids), 1)
        logs = case.log_ids.filtered(lambda line: line.action == "escalate")
        self.assertEqual(len(logs), 5)
        self.assertTrue(all(logs.mapped("automated")))
        assign = case.log_ids.filtered(lambda line: line.action == "assign")
        self.assertEqual(assign.new_value, self.lead.name)
        self.assertIn("To the lead", assign.reason)

    def test_paused_case_does_not_escalate(self):
        with freeze_time(MONDAY_10):
            case = self._open(user_id=self.user.id)
            case.action_wait()
        with freeze_time("2026-11-27 10:00:00"):
            self.Case._cron_scan_sla()
        self.assertFalse(case.escalated_step_ids)
        self.assertEqual(case.sla_status, "paused")

    def test_scanner_queries_do_not_grow_with_volume(self):
        """Only due cases are loaded; a batch costs the same whatever its size."""
        # No ladder. Removed first: a change of a policy clears the registry's
        # caches (the SLA targets are kept there), and the cases' creation warms
        # them again before anything is counted.
        self.policy.escalation_step_ids.unlink()
        with freeze_time(MONDAY_10):
            # low severity: no response target, 40 h to resolve, at risk after 30 h
            small = self.Case.create(
                [
                    {"type_id": self.case_type.id, "summary": f"s{i}", "severity": "low"}
                    for i in range(10)
                ]
            )
            large = self.Case.create(
                [
                    {"type_id": self.case_type.id, "summary": f"l{i}", "severity": "low"}
                    for i in range(100)
                ]
            )
        self.env.flush_all()

        def scan(now):
            with freeze_time(now), count_queries(self.env) as queries:
                self.Case._cron_scan_sla()
            return queries.count

        idle = scan("2026-11-23 11:00:00")
        self.assertLessEqual(idle, 3, "nothing due: one search, nothing loaded")
        # 110 cases go at risk at once; compare with 10 doing so in another batch size.
        with self.subTest("batch"):
            queries_large = scan("2026-11-26 16:30:00")
        self.assertEqual(set((small | large).mapped("sla_status")), {"at_risk"})
        (small | large).invalidate_recordset()
        with freeze_time(MONDAY_10):
            more = self.Case.create(
                [
                    {"type_id": self.case_type.id, "summary": f"m{i}", "severity": "low"}
                    for i in range(10)
                ]
            )
        self.env.flush_all()
        queries_small = scan("2026-11-26 16:30:00")
        self.assertEqual(set(more.mapped("sla_status")), {"at_risk"})
        # Same queries for 10 or 110 cases, except the ORM's multi-row
        # UPDATE / INSERT statements that carry 100 rows each.
        self.assertLessEqual(queries_large - queries_small, 2)

    def test_idle_scanner_pass_does_not_grow_with_open_cases(self):
        """With 10 or 30 open cases none of which is due, the scanner costs the
        same single search (indexed ``sla_next_check``); a case whose next check
        has passed is still picked up."""

        def open_cases(count, when=MONDAY_10):
            with freeze_time(when):
                return self.Case.create(
                    [
                        {"type_id": self.case_type.id, "summary": f"i{i}", "severity": "low"}
                        for i in range(count)
                    ]
                )

        def idle():
            with freeze_time("2026-11-23 11:00:00"), count_queries(self.env) as queries:
                self.assertEqual(self.Case._cron_scan_sla(), 0)
            return queries.count

        open_cases(10)
        small = idle()
        open_cases(20)
        large = idle()
        self.assertEqual(small, large, "the idle pass reads the open cases")
        self.assertLessEqual(large, 3)
        # Opened a week earlier: its at-risk check (30 working hours) has passed.
        due = open_cases(1, "2026-11-16 10:00:00")
        with freeze_time("2026-11-23 11:00:00"):
            self.assertEqual(self.Case._cron_scan_sla(), 1)
        self.assertNotEqual(due.sla_status, "on_track")

    def test_scanner_works_in_batches(self):
        with freeze_time(MONDAY_10):
            cases = self.Case.create(
                [
                    {"type_id": self.case_type.id, "summary": f"c{i}", "severity": "low"}
                    for i in range(5)
                ]
            )
        with freeze_time("2026-11-26 16:30:00"):
            done = self.Case._cron_scan_sla(batch_size=3)
            self.assertEqual(done, 3)
            done = self.Case._cron_scan_sla(batch_size=3)
        self.assertGreaterEqual(done, 2)
        self.assertEqual(set(cases.mapped("sla_status")), {"at_risk"})

    def test_scanner_reports_progress_to_the_cron(self):
        """The cron framework learns how much is left and re-runs at once."""
        with freeze_time(MONDAY_10):
            self.Case.create(
                [
                    {"type_id": self.case_type.id, "summary": f"p{i}", "severity": "low"}
                    for i in range(5)
                ]
            )
        cron = self.env.ref("wfmon_core.ir_cron_wfmon_scan_sla")
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": cron.id, "remaining": 0, "done": 0}
        )
        with freeze_time("2026-11-26 16:30:00"):
            self.Case.with_context(ir_cron_progress_id=progress.id)._cron_scan_sla(batch_size=3)
        self.assertEqual((progress.done, progress.remaining), (3, 2))

    def test_escalating_a_batch_costs_queries_per_step_not_per_case(self):
        """A step due on many cases fires once over all of them."""
        (self.policy.escalation_step_ids - self.step_event).unlink()
        self.step_event.ratio_percent = 50

        def open_and_scan(count):
            with freeze_time(MONDAY_10):
                cases = self.Case.create(
                    [
                        {"type_id": self.case_type.id, "summary": f"b{i}", "severity": "low"}
                        for i in range(count)
                    ]
                )
            with count_queries(self.env) as queries:
                with (
                    freeze_time("2026-11-25 15:00:00"),
                    capture_events(self.env, data=False) as events,
                ):
                    self.Case._cron_scan_sla()
                    self.env.flush_all()
                self.assertEqual(set(cases.mapped("escalation_level")), {1})
                self.assertEqual(len([e for e in events if e[0] == "case.needs_attention"]), 1)
                cases.action_cancel()
            return queries.count

        small, large = open_and_scan(10), open_and_scan(110)
        # Only the ORM's 100-row statements (m2m link, level update, audit INSERT) grow.
        self.assertLessEqual(large - small, 6)


@tagged("post_install", "-at_install")
class TestOverdueSteps(WfmonCase):
    """A step that is due fires, whatever made it due: waiting for it, a
    re-plan that puts it in the past, or a clock started in the past."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fast_policy = cls.env["wfmon.sla.policy"].create(
            {
                "name": "Low 10 h, critical at once",
                "line_ids": [
                    (0, 0, {"severity": "low", "response_hours": 0, "resolution_hours": 10}),
                    (
                        0,
                        0,
                        {"severity": "critical", "response_hours": 0, "resolution_hours": 0.001},
                    ),
                ],
            }
        )
        Step = cls.env["wfmon.escalation.step"]
        common = {"policy_id": cls.fast_policy.id, "action": "notify", "target": "lead"}
        cls.step_half = Step.create(
            {**common, "sequence": 1, "name": "Half", "trigger": "ratio", "ratio_percent": 50}
        )
        cls.step_breach = Step.create(
            {**common, "sequence": 2, "name": "Breach", "trigger": "breach", "breach_hours": 0}
        )
        cls.step_later = Step.create(
            {
                **common,
                "sequence": 3,
                "name": "Breach + 2 h",
                "trigger": "breach",
                "breach_hours": 2,
            }
        )
        cls.fast_type = cls.env["wfmon.case.type"].create(
            {
                "name": "Fast condition",
                "code": "test.fast",
                "domain": "general",
                "default_severity": "low",
                "sla_policy_id": cls.fast_policy.id,
                "team_id": cls.team.id,
            }
        )

    def test_severity_raised_past_its_ladder_fires_at_the_next_scan(self):
        with freeze_time(MONDAY_10):
            case = self._open(type_id=self.fast_type.id)
            case.action_start()
        with freeze_time("2026-11-23 10:00:05"):
            case.severity = "critical"
            self.assertEqual(case.sla_status, "breached")
            self.assertTrue(case.sla_next_check, "the overdue steps are scheduled")
            self.assertLessEqual(case.sla_next_check, datetime(2026, 11, 23, 10, 0, 5))
        with freeze_time("2026-11-23 10:01:00"), capture_events(self.env) as events:
            self.Case._cron_scan_sla()
        self.assertEqual(case.escalated_step_ids, self.step_half | self.step_breach)
        self.assertEqual(case.escalation_level, 2)
        self.assertEqual([e[0] for e in events].count("case.escalated"), 2)
        # The last step is 2 working hours after the (new) deadline: next in line.
        self.assertEqual(case.sla_next_check.isoformat(), "2026-11-23T12:00:04")
        with freeze_time("2026-11-23 11:00:00"):
            self.Case._cron_scan_sla()
        self.assertEqual(case.escalation_level, 2)
        with freeze_time("2026-11-23 12:00:04"):
            self.Case._cron_scan_sla()
        self.assertEqual(case.escalation_level, 3)
        self.assertFalse(case.sla_next_check, "nothing left to look at")
        with freeze_time("2026-11-30 12:00:00"):
            self.assertEqual(self.Case._cron_scan_sla(), 0)
        self.assertEqual(len(case.log_ids.filtered(lambda x: x.action == "escalate")), 3)

    def test_steps_passed_while_waiting_without_pause_fire(self):
        """A policy that keeps the clock running while waiting escalates then too."""
        self.fast_policy.pause_when_waiting = False
        with freeze_time(MONDAY_10):
            case = self._open(type_id=self.fast_type.id)
            case.action_wait()
        with freeze_time("2026-11-24 12:00:00"):  # 10 h later: breached
            self.Case._cron_scan_sla()
        self.assertEqual(case.sla_status, "breached")
        self.assertEqual(case.escalated_step_ids, self.step_half | self.step_breach)
        self.assertEqual(case.sla_next_check.isoformat(), "2026-11-24T14:00:00")

    def test_clock_started_in_the_past_escalates_at_the_first_scan(self):
        with freeze_time("2026-11-27 10:00:00"):
            case = self._open(type_id=self.fast_type.id)
            case._sla_restart("2026-11-23 09:00:00")  # opened elsewhere on Monday
            case.action_start()
            self.assertEqual(case.sla_status, "breached")
            self.assertTrue(case.sla_next_check)
            self.Case._cron_scan_sla()
        self.assertEqual(case.escalation_level, 3)
        self.assertFalse(case.sla_next_check)

    def test_a_case_never_waits_past_its_next_step(self):
        """Whatever happened to it, an open case whose clock runs is looked at
        no later than its earliest step not fired yet."""
        with freeze_time(MONDAY_10):
            cases = self.Case.create(
                [{"type_id": self.fast_type.id, "summary": f"c{i}"} for i in range(4)]
            )
        with freeze_time("2026-11-23 12:00:00"):
            cases[0].action_start()
            cases[1].severity = "critical"
            cases[2].action_wait()
        with freeze_time("2026-11-23 13:00:00"):
            cases[2].action_resume()
            self.Case._cron_scan_sla()
            cases[3].severity = "critical"
        scanned_at = datetime(2026, 11, 23, 13, 0, 0)
        checked = 0
        for case in cases:
            schedule = case._schedules(scanned_at)[case.id]
            pending = case._sla_pending_steps(schedule)
            if not pending:
                continue
            checked += 1
            with self.subTest(case=case.summary):
                self.assertTrue(case.sla_next_check)
                self.assertLessEqual(case.sla_next_check, min(due for _s, due in pending))
        self.assertGreaterEqual(checked, 3)


@tagged("post_install", "-at_install")
class TestDemoEscalation(TransactionCase):
    """The demo's backdated breached case has escalated once the scanner ran
    during the installation."""

    def test_backdated_breached_case_escalated(self):
        case = self.env.ref("wfmon_core.demo_case_breached", raise_if_not_found=False)
        if not case:
            self.skipTest("installed without demo data")
        self.assertEqual(case.sla_status, "breached")
        ladder = case.sla_policy_id.escalation_step_ids
        breach = self.env.ref("wfmon_core.sla_policy_standard_step_breach")
        self.assertIn(breach, case.escalated_step_ids)
        self.assertEqual(case.escalation_level, len(case.escalated_step_ids))
        self.assertGreaterEqual(case.escalation_level, 2)
        self.assertEqual(case.user_id, case.team_id.lead_id, "the breach step reassigned it")
        # Steps not fired yet are scheduled.
        if ladder - case.escalated_step_ids:
            self.assertTrue(case.sla_next_check)
