from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from ..tools import sla_plan
from ..tools.escalation import pending_steps

#: cases the SLA scanner loads per batch
SCAN_BATCH = 500


class WfmonCase(models.Model):
    """The SLA clock of a case: its plan, its status, the scanner that moves it.

    The arithmetic is plain Python (``tools/sla_plan.py``, ``tools/escalation.py``);
    this file reads the case's policy, calendar and stamps, and writes what
    changed, in batches.
    """

    # One concern of the model per file (its lifecycle is in the file named after it).
    _inherit = "wfmon.case"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Plan
    # ------------------------------------------------------------------
    @api.model
    def _sla_plan_vals(
        self, policy, calendar, schedule, company, severity, start, paused_hours, now
    ):
        """The SLA fields of a clock of ``policy`` starting at ``start``."""
        # The policy's target and ladder in plain values (wfmon.sla.policy._wfmon_plan_spec).
        spec = policy._wfmon_plan_spec(severity) if policy else None
        response_hours, resolution_hours, steps = spec or (None, None, ())
        planned = sla_plan.plan(
            schedule,
            start,
            response_hours,
            resolution_hours,
            now,
            at_risk_ratio=(
                policy.at_risk_ratio
                or company.wfmon_at_risk_ratio
                or sla_plan.DEFAULT_AT_RISK_RATIO
            )
            if spec
            else sla_plan.DEFAULT_AT_RISK_RATIO,
            paused_hours=paused_hours,
            steps=steps,
        )
        return {
            "sla_policy_id": policy.id if policy else False,
            "sla_calendar_id": calendar.id or False,
            "sla_start": start,
            "response_hours": planned.response_hours,
            "resolution_hours": planned.resolution_hours,
            "response_deadline": planned.response_deadline or False,
            "resolution_deadline": planned.resolution_deadline or False,
            "at_risk_date": planned.at_risk_date or False,
            "sla_status": "on_track",
            "sla_next_check": planned.next_check or False,
        }

    def _schedules(self, now):
        """``{case_id: WorkSchedule}`` for these cases, in two queries."""
        calendars = self.sla_calendar_id
        by_calendar = calendars._wfmon_schedules(now - timedelta(days=400), horizon_days=1200)
        return {case.id: sla_plan.usable(by_calendar.get(case.sla_calendar_id.id)) for case in self}

    def _sla_stamp(self, now, restart=False):
        """Re-plan deadlines (new severity or policy) keeping the clock start.

        Only the plan is written here; the status and the next check are then
        evaluated against what the case showed before, so that a re-plan that
        leaves a breached case breached changes, logs and publishes nothing, and
        a step the new plan makes overdue is scheduled at once."""
        cases = self.filtered("type_id")
        if not cases:
            return
        calendars = self.env["resource.calendar"]
        for case in cases:
            calendars |= case._sla_calendar()
        schedules = calendars._wfmon_schedules(now - timedelta(days=400), horizon_days=1200)
        for case in cases:
            calendar = case._sla_calendar()
            vals = case._sla_plan_vals(
                case.type_id.sla_policy_id,
                calendar,
                schedules.get(calendar.id),
                case.company_id,
                case.severity,
                start=now if restart else (case.sla_start or now),
                paused_hours=case.paused_hours,
                now=now,
            )
            for fname in ("sla_status", "sla_next_check"):
                del vals[fname]
            case._wfmon_engine().write(vals)
        cases._sla_refresh(now)

    def _sla_restart(self, start):
        """Engine API: these cases were opened at ``start`` (cases opened
        elsewhere and imported, the demo data): their SLA clocks start then,
        they count as first seen then (their age), and they are re-planned."""
        start = fields.Datetime.to_datetime(start)
        self._wfmon_engine().write({"sla_start": start})
        self.filtered(lambda case: case.first_seen > start)._wfmon_engine().write(
            {"first_seen": start}
        )
        self._sla_stamp(fields.Datetime.now())

    def _sla_calendar(self):
        self.ensure_one()
        return (
            self.type_id.sla_policy_id.calendar_id
            or self.team_id.calendar_id
            or self.company_id._wfmon_calendar()
        )

    # ------------------------------------------------------------------
    # Status
    # ------------------------------------------------------------------
    def _sla_clock(self):
        """What ``tools.sla_plan.status`` reads of this case."""
        self.ensure_one()
        return sla_plan.Clock(
            start=self.sla_start,
            resolution_hours=self.resolution_hours,
            resolution_deadline=self.resolution_deadline or None,
            response_deadline=self.response_deadline or None,
            at_risk_date=self.at_risk_date or None,
            responded_at=self.responded_at or None,
            paused_hours=self.paused_hours,
            paused_since=self.paused_since if self._sla_paused() else None,
        )

    def _sla_paused(self):
        self.ensure_one()
        return self.state == "waiting" and bool(self.paused_since)

    def _sla_pending_steps(self, schedule):
        """``[(step id, due instant)]`` of the steps not fired yet, while the case
        can escalate (open, clock running): the one source of both firing and the
        next check."""
        self.ensure_one()
        if not self.is_open or self._sla_paused():
            return []
        return pending_steps(
            schedule,
            self.sla_policy_id.escalation_step_ids._specs(),
            sla_plan.clocks(
                self.sla_start,
                self.response_hours,
                not self.responded_at and self.response_deadline,
                self.resolution_hours,
                self.resolution_deadline,
                self.paused_hours,
            ),
            fired=self.escalated_step_ids.ids,
        )

    def _sla_evaluate(self, schedule, now, pending=()):
        """Current SLA values of one case: status, progress, next check.

        ``pending``: what ``_sla_pending_steps`` returns for the case."""
        self.ensure_one()
        if self.state == "cancelled":
            return {"sla_next_check": False}
        if self.state == "resolved":
            return {
                "sla_status": "met" if self.resolved_in_sla else "breached",
                "sla_next_check": False,
            }
        found = sla_plan.status(
            schedule, self._sla_clock(), now, pending=[due for _step, due in pending]
        )
        return {
            "sla_status": found.status,
            "sla_progress": found.progress,
            "sla_next_check": found.next_check or False,
        }

    def _sla_refresh(self, now, fire=False):
        """Recompute SLA status of these cases; optionally fire due escalation
        steps.  Status changes of the whole batch are flushed together and
        logged with one INSERT per kind of change, so the query count does not
        grow with the batch.  A status is logged, and ``case.breached``
        published, only when it changes."""
        if not self:
            return
        schedules = self._schedules(now)
        changes = defaultdict(lambda: self.browse())
        due = defaultdict(lambda: self.browse())
        for case in self:
            pending = case._sla_pending_steps(schedules[case.id])
            vals = case._sla_evaluate(schedules[case.id], now, pending)
            old_status = case.sla_status
            changed = {k: v for k, v in vals.items() if case[k] != v}
            if changed:
                case._wfmon_engine().write(changed)
            if "sla_status" in changed and case.is_open:
                changes[(old_status, case.sla_status)] |= case
            if fire:
                for step_id, due_at in pending:
                    if due_at <= now:
                        due[step_id] |= case
        for (old_status, new_status), cases in changes.items():
            cases._log_batch(
                "sla",
                old_values=[old_status] * len(cases),
                new_values=[new_status] * len(cases),
                automated=True,
            )
        newly_breached = self.browse().union(
            *[cases for (_old, new), cases in changes.items() if new == "breached"]
        )
        if newly_breached:
            self.env["wfmon.publisher"]._publish("case.breached", newly_breached)
        if not due:
            return
        # Fire step by step over all the cases it is due on: one write, one
        # audit INSERT and one event per step, not per case.
        steps = self.env["wfmon.escalation.step"].browse(list(due))
        for step in steps.sorted(lambda s: (s.sequence, s.id)):
            due[step.id]._fire_step(step)
        # The fired steps leave the plan: schedule the next one.
        fired = self.browse().union(*due.values())
        for case in fired:
            pending = [due_at for _step, due_at in case._sla_pending_steps(schedules[case.id])]
            next_check = (
                False
                if case._sla_paused()
                else sla_plan.next_check(case._sla_clock(), now, pending) or False
            )
            if case.is_open and case.sla_next_check != next_check:
                case._wfmon_engine().write({"sla_next_check": next_check})

    # ------------------------------------------------------------------
    # Scheduled scanner
    # ------------------------------------------------------------------
    @api.model
    def _cron_scan_sla(self, batch_size=SCAN_BATCH):
        """Move SLA statuses and fire escalation steps of cases that are due.

        Only cases whose ``sla_next_check`` has passed are loaded, in batches;
        the cron framework re-runs the job at once while work remains.
        """
        now = fields.Datetime.now()
        domain = [
            ("is_open", "=", True),
            ("sla_next_check", "!=", False),
            ("sla_next_check", "<=", now),
        ]
        cases = self.search(domain, limit=batch_size, order="sla_next_check, id")
        cases._sla_refresh(now, fire=True)
        remaining = self.search_count(domain) if len(cases) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(cases), remaining=remaining)
        return len(cases)
