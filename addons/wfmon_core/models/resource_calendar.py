from datetime import timedelta

from odoo import models

from ..tools.sla_clock import Attendance, WorkSchedule


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _wfmon_schedules(self, start, horizon_days=800):
        """Return ``{calendar_id: WorkSchedule}`` for these calendars.

        Reads attendances and global leaves of all calendars in two queries, so
        SLA arithmetic for a whole batch of cases costs a constant number of
        queries.  Lunch breaks, section lines and flexible-hours calendars follow
        Odoo's own interpretation in ``_attendance_intervals_batch``.
        """
        result = {}
        if not self:
            return result
        attendances = self.env["resource.calendar.attendance"].search_fetch(
            [
                ("calendar_id", "in", self.ids),
                ("resource_id", "=", False),
                ("display_type", "=", False),
                ("day_period", "!=", "lunch"),
            ],
            ["calendar_id", "dayofweek", "hour_from", "hour_to", "week_type"],
        )
        leaves = self.env["resource.calendar.leaves"].search_fetch(
            [
                ("calendar_id", "in", [*self.ids, False]),
                ("resource_id", "=", False),
                ("time_type", "=", "leave"),
                ("date_to", ">=", start - timedelta(days=31)),
                ("date_from", "<=", start + timedelta(days=horizon_days)),
            ],
            ["calendar_id", "company_id", "date_from", "date_to"],
        )
        for calendar in self:
            if calendar.flexible_hours:
                result[calendar.id] = WorkSchedule.always()
                continue
            atts = tuple(
                Attendance(
                    weekday=int(att.dayofweek),
                    hour_from=att.hour_from,
                    hour_to=att.hour_to,
                    week_type=int(att.week_type) if calendar.two_weeks_calendar else None,
                )
                for att in attendances
                if att.calendar_id == calendar
            )
            cal_leaves = tuple(
                (leave.date_from, leave.date_to)
                for leave in leaves
                if leave.calendar_id == calendar
                or (
                    not leave.calendar_id
                    and (not leave.company_id or leave.company_id == calendar.company_id)
                )
            )
            result[calendar.id] = WorkSchedule(
                tz=calendar.tz or "UTC",
                attendances=atts,
                leaves=cal_leaves,
                two_weeks=bool(calendar.two_weeks_calendar),
            )
        return result
