from freezegun import freeze_time

from odoo.tests import tagged

from .common import MONDAY_10, WfmonCase


@tagged("post_install", "-at_install")
class TestReporting(WfmonCase):
    """C14: volume, aging, resolution time and % resolved within SLA by
    type, team and site, as the pivot/graph views and the overview show them."""

    def test_sla_statistics(self):
        with freeze_time(MONDAY_10):
            on_time, late, still_open = (
                self._open(site_id=self.store_a.id),
                self._open(site_id=self.store_a.id),
                self._open(site_id=self.store_b.id),
            )
        with freeze_time("2026-11-23 14:00:00"):
            on_time.resolution_note = "ok"
            on_time.action_resolve()
        with freeze_time("2026-11-26 10:00:00"):
            late.resolution_note = "late"
            late.action_resolve()
        self.env.flush_all()
        groups = self.Case._read_group(
            [("id", "in", (on_time | late).ids)],
            ["site_id"],
            ["resolved_in_sla:avg", "resolution_working_hours:avg", "__count"],
        )
        [(site, pct, hours, count)] = groups
        self.assertEqual((site, count), (self.store_a, 2))
        self.assertEqual(pct, 50.0, "one of two resolved within SLA")
        self.assertAlmostEqual(hours, (4 + 24) / 2)
        with freeze_time("2026-11-23 18:00:00"):
            still_open.invalidate_recordset(["age_days"])
            self.assertEqual(still_open.age_days, 0)
        with freeze_time("2026-11-30 10:00:00"):
            still_open.invalidate_recordset(["age_days"])
            self.assertEqual(still_open.age_days, 7)

    def test_overview_counts(self):
        with freeze_time(MONDAY_10):
            cases = self._open() | self._open() | self._open()
            cases.action_start()
        with freeze_time("2026-11-24 15:00:00"):
            self.Case._cron_scan_sla()
        cases[0].action_cancel()
        self.case_type.invalidate_recordset()
        self.assertEqual(self.case_type.open_case_count, 2)
        self.assertEqual(self.case_type.at_risk_case_count, 2)
        self.assertEqual(self.team.open_case_count, 2)
        action = self.case_type.action_view_cases()
        self.assertEqual(self.Case.search(action["domain"] + [("is_open", "=", True)]), cases[1:])

    def test_kanban_columns_follow_the_state_machine(self):
        """Grouping by state (the kanban) shows the states holding cases, in
        workflow order: no empty column comes first (on a phone, one column
        shows at a time)."""
        waiting = self._open()
        started = self._open()
        started.action_start()
        cancelled = self._open()
        cancelled.action_cancel()
        groups = self.Case.read_group([("type_id", "=", self.case_type.id)], ["state"], ["state"])
        workflow = [state for state, _label in self.Case._fields["state"].selection]
        held = {waiting.state, "in_progress", "cancelled"}
        self.assertEqual(
            [group["state"] for group in groups], [state for state in workflow if state in held]
        )
        self.assertTrue(all(group["state_count"] for group in groups), "no empty column")
