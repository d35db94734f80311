from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, capture_events, count_queries

from .common import WfmonApprovalCase


@tagged("post_install", "-at_install")
class TestRemindersEscalation(WfmonApprovalCase):
    """C10: an hour-level deadline in working hours; a reminder at 50 % and an
    escalation at breach, each once; batched cron."""

    def _submit_at(self, when, count=1):
        cases = self._cases(count, amount=1500)
        with freeze_time(when):
            self._guard(cases)
        return cases, self.env["wfmon.approval.request"].search(
            [("res_model", "=", "wfmon.case"), ("res_id", "in", cases.ids)]
        )

    def _cron(self, when):
        with freeze_time(when):
            return self.env["wfmon.approval.request"]._cron_remind_escalate()

    def test_deadline_counts_working_hours(self):
        _cases, request = self._submit_at(MONDAY_10)
        # 8 working hours from Monday 10:00 in a 9-17 calendar: Tuesday 10:00.
        self.assertEqual(request.deadline, datetime(2026, 11, 24, 10, 0))
        self.assertEqual(request.remind_date, datetime(2026, 11, 23, 14, 0))
        # Friday 15:00 + 8h: Monday 15:00.
        _cases, friday = self._submit_at(datetime(2026, 11, 27, 15, 0))
        self.assertEqual(friday.deadline, datetime(2026, 11, 30, 15, 0))

    def test_remind_once_then_escalate_once_to_the_backup(self):
        _cases, request = self._submit_at(MONDAY_10)
        self.assertEqual(self._cron(datetime(2026, 11, 23, 13, 0)), 0, "nothing due yet")
        with capture_events(self.env) as events:
            self._cron(datetime(2026, 11, 23, 14, 5))
            self._cron(datetime(2026, 11, 23, 15, 0))
        self.assertTrue(request.reminded)
        self.assertEqual([e[0] for e in events], ["approval.reminded"])
        self.assertEqual(
            request.decision_ids.filtered(lambda d: d.decision == "remind").automated, True
        )
        with capture_events(self.env) as events:
            self._cron(datetime(2026, 11, 24, 10, 1))
            self._cron(datetime(2026, 11, 24, 12, 0))
        self.assertEqual([e[0] for e in events], ["approval.escalated"])
        self.assertTrue(request.escalated)
        self.assertEqual(self._activities(request).user_id, self.store_manager | self.backup)
        escalated = request.decision_ids.filtered(lambda d: d.decision == "escalate")
        self.assertEqual(len(escalated), 1)
        self.assertIn("Bob Backup", escalated.reason)
        # The backup decides the level alone.
        request.with_user(self.backup).action_approve()
        self.assertEqual(request.level_sequence, 2)
        self.assertFalse(request.escalated, "the next level has its own clock")

    def test_escalation_falls_back_on_the_store_manager_then_the_policy(self):
        self.policy.level_ids[1].write(
            {"approver_kind": "users", "user_ids": [(6, 0, self.finance_1.ids)]}
        )
        self.policy.escalation_user_id = self.manager
        _cases, request = self._submit_at(MONDAY_10)
        with freeze_time(MONDAY_10):
            request.with_user(self.store_manager).action_approve()
        self._cron(datetime(2026, 11, 24, 10, 30))
        # Level 2 has no backup; the store manager decided level 1 already, so
        # the policy's escalation contact takes over.
        self.assertEqual(self._activities(request).user_id, self.finance_1 | self.manager)

    def test_cron_batches(self):
        _cases, requests = self._submit_at(MONDAY_10, count=5)
        with freeze_time(datetime(2026, 11, 23, 14, 5)):
            done = self.env["wfmon.approval.request"]._cron_remind_escalate(batch_size=3)
        self.assertEqual(done, 3)
        self.assertEqual(sum(requests.mapped("reminded")), 3)
        self._cron(datetime(2026, 11, 23, 14, 6))
        self.assertTrue(all(requests.mapped("reminded")))

    def test_decision_turnaround_is_stored(self):
        _cases, request = self._submit_at(MONDAY_10)
        with freeze_time(datetime(2026, 11, 23, 12, 30)):
            request.with_user(self.store_manager).action_approve()
        line = request.decision_ids.filtered(lambda d: d.decision == "approve")
        self.assertAlmostEqual(line.duration_hours, 2.5)
        self.assertAlmostEqual(line.working_hours, 2.5)
        groups = self.env["wfmon.approval.decision"]._read_group(
            [("decision", "=", "approve")],
            ["policy_id", "level_id", "user_id"],
            ["duration_hours:avg"],
        )
        self.assertEqual(groups, [(self.policy, self.policy.level_ids[0], self.store_manager, 2.5)])

    def test_cron_query_count_is_bounded(self):
        def run(count, start):
            cases = self._cases(count, amount=1500)
            with freeze_time(start):
                self._guard(cases)
            with count_queries(self.env) as queries:
                with freeze_time(start.replace(hour=14, minute=30)):
                    done = self.env["wfmon.approval.request"]._cron_remind_escalate(batch_size=500)
            used = queries.count
            self.assertEqual(done, count)
            # Close them so the next run measures its own requests only.
            self.env["wfmon.approval.request"].search([("state", "=", "pending")])._close(
                "cancelled", "cancel", "test done"
            )
            return used

        run(3, datetime(2026, 11, 16, 10, 0))  # warm-up
        small = run(20, datetime(2026, 11, 17, 10, 0))
        large = run(200, datetime(2026, 11, 18, 10, 0))
        # The ORM writes INSERTs in chunks of 100 rows, so each table written
        # costs one more query per 100 reminders: allow that, nothing per reminder.
        msg = f"20 reminders: {small} queries, 200 reminders: {large}"
        self.assertLessEqual(large, small + 20, msg)
        self.assertLess(large, 200, msg)

    def test_idle_pass_does_not_grow_with_pending_requests(self):
        """With 3 or 9 requests pending and none due (reminders at 14:00), the
        cron costs the same single indexed search; requests whose reminder falls
        due are still picked up."""

        def idle():
            with count_queries(self.env) as queries:
                self.assertEqual(self._cron(datetime(2026, 11, 23, 13, 0)), 0)
            return queries.count

        self._submit_at(MONDAY_10, count=3)
        small = idle()
        self._submit_at(MONDAY_10, count=6)
        large = idle()
        self.assertEqual(small, large, "the idle pass reads the pending requests")
        self.assertLessEqual(large, 1)
        self.assertEqual(self._cron(datetime(2026, 11, 23, 14, 5)), 9)

    def test_request_of_a_deleted_document_expires(self):
        cases, request = self._submit_at(MONDAY_10)
        cases.with_user(self.admin).unlink()
        with capture_events(self.env) as events:
            self._cron(datetime(2026, 11, 23, 14, 5))
        self.assertEqual(request.state, "expired")
        self.assertFalse(self._activities(request))
        self.assertEqual([e[0] for e in events], ["approval.expired"])
