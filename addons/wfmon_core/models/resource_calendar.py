from datetime import datetime, time, timedelta

from odoo import api, models, tools

from ..tools.sla_clock import Attendance, WorkSchedule
from .lookup_cache import SCHEDULES, lookup_cached


class ResourceCalendar(models.Model):
    # The schedules (_wfmon_schedules) are kept in the registry's cache: every
    # change of a calendar, of its attendances or of a leave of no one resource
    # clears it.
    _name = "resource.calendar"
    _inherit = ["resource.calendar", "wfmon.lookup.source"]
    _wfmon_lookups = (SCHEDULES,)

    def _wfmon_schedules(self, start, horizon_days=800):
        """Return ``{calendar_id: WorkSchedule}`` for these calendars.

        Reads attendances and global leaves of all calendars in two queries, so
        SLA arithmetic for a whole batch of cases costs a constant number of
        queries.  Lunch breaks, section lines and flexible-hours calendars follow
        Odoo's own interpretation in ``_attendance_intervals_batch``.

        The leaves read are those from 31 days before ``start``'s day to
        ``horizon_days`` after the day after it. As superuser (the detection
        API opens and resolves cases as superuser) what is read comes from the
        registry's cache, per calendars and day (:meth:`_wfmon_schedule_rows`),
        until a calendar, an attendance or a leave of no one resource changes:
        no query per detector call. Each call gets schedules of its own (a
        schedule keeps what it computed for the batch it serves).
        """
        if not self:
            return {}
        day = start.date()
        ids = tuple(sorted(set(self.ids)))
        if self.env.su and lookup_cached(self.env, SCHEDULES):
            rows = self._wfmon_schedule_rows(ids, day, horizon_days)
        else:
            rows = self.browse(ids)._wfmon_read_schedules(day, horizon_days)
        return {
            calendar_id: WorkSchedule.always()
            if flexible
            else WorkSchedule(tz=tz, attendances=atts, leaves=leaves, two_weeks=two_weeks)
            for calendar_id, (flexible, tz, atts, leaves, two_weeks) in rows.items()
        }

    @api.model
    @tools.ormcache("ids", "day", "horizon_days")
    def _wfmon_schedule_rows(self, ids, day, horizon_days):
        """:meth:`_wfmon_read_schedules` as superuser, kept in the registry's
        cache (plain values) until a calendar, an attendance or a leave of no
        one resource changes (see ``lookup_cache``)."""
        return self.sudo().browse(ids)._wfmon_read_schedules(day, horizon_days)

    def _wfmon_read_schedules(self, day, horizon_days):
        """``{calendar id: (flexible, tz, attendances, leaves, two weeks)}``, in
        plain values (what the registry's cache may keep), in two queries."""
        start = datetime.combine(day, time())
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
                ("date_from", "<=", start + timedelta(days=horizon_days + 1)),
            ],
            ["calendar_id", "company_id", "date_from", "date_to"],
        )
        result = {}
        for calendar in self:
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
            result[calendar.id] = (
                bool(calendar.flexible_hours),
                calendar.tz or "UTC",
                atts,
                cal_leaves,
                bool(calendar.two_weeks_calendar),
            )
        return result


class ResourceCalendarAttendance(models.Model):
    _name = "resource.calendar.attendance"
    _inherit = ["resource.calendar.attendance", "wfmon.lookup.source"]
    _wfmon_lookups = (SCHEDULES,)


class ResourceCalendarLeaves(models.Model):
    _name = "resource.calendar.leaves"
    _inherit = ["resource.calendar.leaves", "wfmon.lookup.source"]
    _wfmon_lookups = (SCHEDULES,)

    def _wfmon_feeds_lookups(self):
        # Only the leaves of no one resource (public holidays, company closures) are
        # in the schedules: an employee's time off leaves the cache alone.
        return any(not leave.resource_id for leave in self)
