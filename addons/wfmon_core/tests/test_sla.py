from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import MONDAY_10, WfmonCase, capture_events


def dt(value):
    return fields.Datetime.to_datetime(value)


@tagged("post_install", "-at_install")
class TestSlaClock(WfmonCase):
    """C3: response and resolution deadlines in working hours, pauses,
    at risk and breached statuses."""

    @freeze_time(MONDAY_10)
    def test_deadlines_in_working_hours(self):
        case = self._open()  # medium: respond in 4 h, resolve in 16 h (9-17 Mon-Fri)
        self.assertEqual(case.sla_calendar_id, self.calendar, "company monitoring calendar")
        self.assertEqual(case.sla_start, dt("2026-11-23 10:00:00"))
        self.assertEqual(case.response_deadline, dt("2026-11-23 14:00:00"))
        self.assertEqual(case.resolution_deadline, dt("2026-11-25 10:00:00"))
        self.assertEqual(case.at_risk_date, dt("2026-11-24 14:00:00"), "75 % of 16 h = 12 h")
        self.assertEqual(case.sla_status, "on_track")

    @freeze_time("2026-11-27 15:00:00")
    def test_weekend_is_skipped(self):
        case = self._open(severity="high")  # 8 h: Fri 15-17 + Mon 9-15
        self.assertEqual(case.resolution_deadline, dt("2026-11-30 15:00:00"))

    @freeze_time(MONDAY_10)
    def test_public_holiday_is_skipped(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": "2026-11-24 00:00:00",
                "date_to": "2026-11-24 23:59:59",
            }
        )
        case = self._open()
        self.assertEqual(case.resolution_deadline, dt("2026-11-26 10:00:00"))

    def test_team_calendar_wins_over_company(self):
        around_the_clock = self.env["resource.calendar"].create(
            {
                "name": "24/7",
                "tz": "UTC",
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"D{d}",
                            "dayofweek": str(d),
                            "hour_from": 0,
                            "hour_to": 24,
                            "day_period": "morning",
                        },
                    )
                    for d in range(7)
                ],
            }
        )
        self.team.calendar_id = around_the_clock
        with freeze_time(MONDAY_10):
            case = self._open()
        self.assertEqual(case.sla_calendar_id, around_the_clock)
        self.assertEqual(case.resolution_deadline, dt("2026-11-24 02:00:00"))

    def test_pause_while_waiting_extends_the_deadline(self):
        with freeze_time(MONDAY_10):
            case = self._open()
        with freeze_time("2026-11-23 12:00:00"):
            case.action_wait()
            self.assertEqual(case.sla_status, "paused")
        with freeze_time("2026-11-24 11:00:00"):
            self.Case._cron_scan_sla()
            self.assertEqual(case.sla_status, "paused", "a paused clock never goes at risk")
        with freeze_time("2026-11-24 12:00:00"):
            case.action_resume()
        # Paused Mon 12-17 (5 h) + Tue 9-12 (3 h) = 8 working hours.
        self.assertAlmostEqual(case.paused_hours, 8.0)
        self.assertEqual(case.resolution_deadline, dt("2026-11-26 10:00:00"))
        self.assertEqual(case.sla_status, "on_track")

    def test_severity_change_replans_from_the_same_start(self):
        with freeze_time(MONDAY_10):
            case = self._open()
        with freeze_time("2026-11-23 11:00:00"):
            case.severity = "critical"
        self.assertEqual(case.resolution_deadline, dt("2026-11-23 14:00:00"))
        self.assertIn("severity", case.log_ids.mapped("action"))

    def test_at_risk_then_breached_by_the_scanner(self):
        with freeze_time(MONDAY_10):
            case = self._open(user_id=self.lead.id)
            case.action_start()
        with freeze_time("2026-11-24 14:30:00"):
            self.Case._cron_scan_sla()
            self.assertEqual(case.sla_status, "at_risk")
            self.assertGreater(case.sla_progress, 75)
        with freeze_time("2026-11-25 10:30:00"), capture_events(self.env) as events:
            self.Case._cron_scan_sla()
            self.assertEqual(case.sla_status, "breached")
        self.assertIn(("case.breached", "wfmon.case", (case.id,)), [e[:3] for e in events])
        sla_lines = case.log_ids.filtered(lambda line: line.action == "sla")
        self.assertEqual(sorted(sla_lines.mapped("new_value")), ["at_risk", "breached"])
        with freeze_time("2026-11-25 11:00:00"):
            case.resolution_note = "late"
            case.action_resolve()
        self.assertEqual((case.sla_status, case.resolved_in_sla), ("breached", 0))

    def test_missed_response_breaches(self):
        with freeze_time(MONDAY_10):
            case = self._open()
        with freeze_time("2026-11-23 14:30:00"):
            self.Case._cron_scan_sla()
        self.assertEqual(case.sla_status, "breached", "nobody responded within 4 h")

    def test_resolved_in_time_is_met(self):
        with freeze_time(MONDAY_10):
            case = self._open()
        with freeze_time("2026-11-23 15:00:00"):
            case.resolution_note = "fixed"
            case.action_resolve()
        self.assertEqual((case.sla_status, case.resolved_in_sla), ("met", 100))
        self.assertAlmostEqual(case.resolution_working_hours, 5.0)

    def test_at_risk_ratio_from_settings(self):
        settings = self.env["res.config.settings"].create({"wfmon_at_risk_ratio": 0.5})
        settings.execute()
        self.assertEqual(self.env.company.wfmon_at_risk_ratio, 0.5)
        with freeze_time(MONDAY_10):
            case = self._open()
        self.assertEqual(case.at_risk_date, dt("2026-11-24 10:00:00"), "50 % of 16 h = 8 h")

    def test_scanner_cadence_from_settings(self):
        settings = self.env["res.config.settings"].create({"wfmon_scan_interval": 5})
        settings.execute()
        cron = self.env.ref("wfmon_core.ir_cron_wfmon_scan_sla")
        self.assertEqual((cron.interval_number, cron.interval_type), (5, "minutes"))
        self.assertEqual(self.env["res.config.settings"].create({}).wfmon_scan_interval, 5)
