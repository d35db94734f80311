import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import dateutil, safe_eval, time

from ..tools.severity import SEVERITIES
from ..tools.sla_clock import WorkSchedule, subtract_working_hours

_logger = logging.getLogger(__name__)

RULE_BATCH = 1000


class WfmonRule(models.Model):
    """A no-code monitor: records of a model matching a domain, optionally
    once a date field is older than a delay in working hours, open a case of
    a given type; they resolve by themselves when they stop matching."""

    _name = "wfmon.rule"
    _description = "Monitor (no-code rule)"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    model_id = fields.Many2one(
        "ir.model",
        string="Model",
        required=True,
        ondelete="cascade",
        domain=[("transient", "=", False)],
    )
    model_name = fields.Char(related="model_id.model", store=True, string="Model Name")
    domain = fields.Char(default="[]", required=True, help="Records that are in exception.")
    date_field_id = fields.Many2one(
        "ir.model.fields",
        string="Time Condition Field",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime')), "
        "('store', '=', True)]",
        help="Optional: only records whose date is older than the delay match.",
    )
    delay_hours = fields.Float(
        string="Delay (working hours)",
        help="How long after the date field the condition holds, in working hours.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        help="Calendar for the delay. Empty: the company's monitoring working hours.",
    )
    type_id = fields.Many2one("wfmon.case.type", string="Case Type", required=True)
    severity = fields.Selection(SEVERITIES, help="Empty: the case type's default severity.")
    site_id = fields.Many2one("wfmon.site", string="Store / Warehouse")
    auto_resolve = fields.Boolean(
        default=True, help="Resolve a case when its record no longer matches."
    )
    last_run = fields.Datetime(readonly=True)
    last_match_count = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True, copy=False)
    case_ids = fields.One2many("wfmon.case", "rule_id")
    open_case_count = fields.Integer(compute="_compute_open_case_count")

    def _compute_open_case_count(self):
        groups = self.env["wfmon.case"]._read_group(
            [("rule_id", "in", self.ids), ("is_open", "=", True)], ["rule_id"], ["__count"]
        )
        counts = {rule.id: count for rule, count in groups}
        for rule in self:
            rule.open_case_count = counts.get(rule.id, 0)

    @api.constrains("domain", "model_id")
    def _check_domain(self):
        for rule in self:
            try:
                domain = rule._get_domain()
                self.env[rule.model_name].search(domain, limit=1)
            except Exception as exc:  # noqa: BLE001 - any error means an invalid domain
                raise ValidationError(
                    self.env._(
                        "The domain of monitor %(rule)s is invalid: %(error)s",
                        rule=rule.name,
                        error=exc,
                    )
                ) from exc

    @api.constrains("delay_hours", "date_field_id")
    def _check_delay(self):
        for rule in self:
            if rule.delay_hours < 0:
                raise ValidationError(self.env._("The delay cannot be negative."))

    # ------------------------------------------------------------------
    def _eval_context(self):
        return {
            "datetime": safe_datetime,
            "dateutil": dateutil,
            "time": time,
            "uid": self.env.uid,
            "user": self.env.user,
            "context_today": lambda: fields.Date.context_today(self),
        }

    def _get_domain(self, now=None):
        """The rule's domain, with its time condition, ready for search()."""
        self.ensure_one()
        domain = safe_eval(self.domain or "[]", self._eval_context())
        if self.date_field_id:
            threshold = self._threshold(now or fields.Datetime.now())
            if self.date_field_id.ttype == "date":
                threshold = threshold.date()
            domain = expression.AND([domain, [(self.date_field_id.name, "<=", threshold)]])
        if self.company_id and "company_id" in self.env[self.model_name]._fields:
            domain = expression.AND([domain, [("company_id", "in", [self.company_id.id, False])]])
        return domain

    def _threshold(self, now):
        calendar = self.calendar_id or (self.company_id or self.env.company)._wfmon_calendar()
        schedule = calendar._wfmon_schedules(now - timedelta(days=400), horizon_days=400).get(
            calendar.id
        )
        if schedule is None or not schedule.attendances:
            schedule = WorkSchedule.always()
        return subtract_working_hours(schedule, now, self.delay_hours)

    def _fingerprint_key(self):
        return f"rule:{self.id}"

    def action_run_now(self):
        self._scan()
        return True

    def action_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("wfmon_core.wfmon_case_action")
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"search_default_open": 1}
        return action

    def _scan(self, now=None, progress=None):
        """Open cases for the records that match and have none, and resolve
        those whose record stopped matching: core's due-driven scan
        (``wfmon.detector._scan_due``), so that a pass with nothing new reads
        neither the matching records nor the open cases (a fixed handful of
        queries per monitor, whatever their number). A time condition is a
        threshold on the stored date: a record becomes due when the clock
        passes it. At most 20 batches of ``RULE_BATCH`` records per call; the
        next call goes on from there.

        :param progress: a dict the scans add their done/remaining counts to
            (the cron tells the cron framework once); without it, ignored
        """
        now = now or fields.Datetime.now()
        progress = {} if progress is None else progress
        Case = self.env["wfmon.case"]
        detector = self.env["wfmon.detector"]
        for rule in self:
            if rule.model_name not in self.env:
                continue
            # Archived records never open a case, but an archived record that
            # still matches keeps its open case (as before the due-driven scan):
            # the active test is written into the opening domain.
            Model = self.env[rule.model_name].with_context(active_test=False)
            domain = rule._get_domain(now)
            opening = domain
            active = Model._active_name
            if active and not any(item[0] == active for item in domain):
                opening = [(active, "=", True), *domain]

            def process(records, rule=rule):
                Case._raise(
                    rule.type_id.code,
                    records,
                    severity=rule.severity or None,
                    site=rule.site_id.id or None,
                    key=rule._fingerprint_key(),
                    rule=rule,
                    bump=False,
                )

            def resolve(cases, rule=rule):
                cases._auto_resolve(
                    self.env._(
                        "Monitor '%s': the record no longer matches its condition.", rule.name
                    )
                )

            detector._scan_due(
                f"rule.{rule.id}",
                rule.type_id.code,
                Model,
                opening,
                process,
                None,
                keep=domain,
                batch_size=RULE_BATCH,
                progress=progress,
                case_domain=[("rule_id", "=", rule.id)],
                resolve=resolve if rule.auto_resolve else False,
            )
            rule.write(
                {
                    "last_run": now,
                    "last_match_count": Model.search_count(opening),
                    "last_error": False,
                }
            )
        return True

    @api.model
    def _cron_scan_rules(self):
        rules = self.search([])
        done = 0
        progress = {}
        for rule in rules:
            try:
                with self.env.cr.savepoint():
                    rule._scan(progress=progress)
            except (UserError, ValidationError, ValueError) as exc:
                # A broken monitor must not stop the others; its error stays
                # visible on the rule itself.
                _logger.warning("wfmon monitor %s failed: %s", rule.display_name, exc)
                rule.last_error = str(exc)
            done += 1
        # Records left to open (more than a call's batches): the cron framework
        # runs the job again at once.
        self.env["ir.cron"]._notify_progress(
            done=progress.get("done", 0), remaining=progress.get("remaining", 0)
        )
        return done
