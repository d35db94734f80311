import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools import escalation
from ..tools.engine import engine_options
from ..tools.fingerprint import fingerprint as make_fingerprint
from ..tools.severity import SEVERITIES, next_severity, rank
from ..tools.sla_clock import WorkSchedule, add_working_hours, working_hours_between
from .wfmon_case_log import LOG_ACTIONS  # noqa: F401  (re-exported for extensions)

_logger = logging.getLogger(__name__)

STATES = [
    ("new", "New"),
    ("assigned", "Assigned"),
    ("in_progress", "In Progress"),
    ("waiting", "Waiting"),
    ("resolved", "Resolved"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("new", "assigned", "in_progress", "waiting")
# Allowed transitions of the case state machine.
TRANSITIONS = {
    "new": {"assigned", "in_progress", "waiting", "resolved", "cancelled"},
    "assigned": {"new", "in_progress", "waiting", "resolved", "cancelled"},
    "in_progress": {"assigned", "waiting", "resolved", "cancelled"},
    "waiting": {"in_progress", "resolved", "cancelled"},
    "resolved": {"in_progress"},
    "cancelled": {"new"},
}
# States that count as a response to the case (the response clock stops).
RESPONDED_STATES = ("in_progress", "waiting", "resolved")
SLA_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("paused", "Paused"),
    ("met", "Met"),
]
# Fields only the engine writes: refused on create() and write() from users and
# RPC (see wfmon.engine.mixin).
PROTECTED_FIELDS = {
    "name",
    "state",
    "fingerprint",
    "occurrence_count",
    "first_seen",
    "last_seen",
    "sla_start",
    "response_deadline",
    "resolution_deadline",
    "at_risk_date",
    "responded_at",
    "resolved_at",
    "paused_since",
    "paused_hours",
    "sla_status",
    "sla_progress",
    "sla_next_check",
    "resolved_in_sla",
    "resolution_working_hours",
    "escalation_level",
    "escalated_step_ids",
    "response_hours",
    "resolution_hours",
    "sla_calendar_id",
    "sla_policy_id",
}
SCAN_BATCH = 500


class WfmonCase(models.Model):
    _name = "wfmon.case"
    _description = "Exception Case"
    _inherit = [
        "wfmon.engine.mixin",
        "wfmon.reference.mixin",
        "wfmon.source.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "severity_rank desc, resolution_deadline, id desc"
    _wfmon_reference_prefix = "EXC-"
    _OPEN_STATES = OPEN_STATES
    _wfmon_engine_fields = frozenset(PROTECTED_FIELDS)

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    summary = fields.Char(required=True, tracking=True)
    type_id = fields.Many2one(
        "wfmon.case.type", string="Type", required=True, index=True, tracking=True
    )
    domain = fields.Selection(related="type_id.domain", store=True, precompute=True)
    severity = fields.Selection(SEVERITIES, required=True, default="medium", tracking=True)
    severity_rank = fields.Integer(compute="_compute_severity_rank", store=True, precompute=True)
    state = fields.Selection(
        STATES,
        default="new",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        group_expand=True,
    )
    is_open = fields.Boolean(compute="_compute_is_open", store=True, index=True, precompute=True)
    user_id = fields.Many2one("res.users", string="Owner", index=True, tracking=True)
    team_id = fields.Many2one("wfmon.team", string="Team", index=True, tracking=True)
    site_id = fields.Many2one("wfmon.site", string="Store / Warehouse", index=True)
    region = fields.Char(related="site_id.region", store=True, precompute=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id, required=True
    )
    impact_amount = fields.Monetary(string="Business Impact", currency_field="currency_id")
    root_cause_id = fields.Many2one("wfmon.root.cause", string="Root Cause", tracking=True)
    resolution_note = fields.Text(copy=False)
    details = fields.Text(help="What the detector saw.")
    playbook = fields.Html(related="type_id.playbook")
    blocking = fields.Boolean(related="type_id.blocking", store=True, precompute=True)
    rule_id = fields.Many2one("wfmon.rule", string="Monitor", index=True, ondelete="set null")

    # Deduplication
    fingerprint = fields.Char(index=True, readonly=True, copy=False)
    occurrence_count = fields.Integer(default=1, readonly=True, copy=False)
    first_seen = fields.Datetime(default=fields.Datetime.now, readonly=True, copy=False)
    last_seen = fields.Datetime(default=fields.Datetime.now, readonly=True, copy=False)

    # SLA clock
    sla_policy_id = fields.Many2one("wfmon.sla.policy", string="SLA Policy", readonly=True)
    sla_calendar_id = fields.Many2one("resource.calendar", string="Working Hours", readonly=True)
    sla_start = fields.Datetime(string="Clock Start", readonly=True, copy=False)
    response_hours = fields.Float(string="Response Target (h)", readonly=True)
    resolution_hours = fields.Float(string="Resolution Target (h)", readonly=True)
    response_deadline = fields.Datetime(readonly=True, copy=False)
    resolution_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    at_risk_date = fields.Datetime(string="At Risk From", readonly=True, copy=False)
    responded_at = fields.Datetime(readonly=True, copy=False)
    resolved_at = fields.Datetime(readonly=True, copy=False)
    paused_since = fields.Datetime(readonly=True, copy=False)
    paused_hours = fields.Float(
        string="Paused Working Hours", readonly=True, copy=False, aggregator="avg"
    )
    sla_status = fields.Selection(
        SLA_STATUSES, string="SLA Status", default="on_track", readonly=True, index=True, copy=False
    )
    sla_progress = fields.Float(
        string="SLA Consumed (%)", readonly=True, copy=False, aggregator="avg"
    )
    sla_next_check = fields.Datetime(readonly=True, copy=False, index=True)
    resolved_in_sla = fields.Integer(
        string="Resolved within SLA (%)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="100 when resolved before its deadline, 0 when late, empty while not "
        "resolved: its average is the share of resolved cases that met the SLA.",
    )
    resolution_working_hours = fields.Float(
        string="Resolution Time (working h)", readonly=True, copy=False, aggregator="avg"
    )
    escalation_level = fields.Integer(readonly=True, copy=False)
    escalated_step_ids = fields.Many2many(
        "wfmon.escalation.step",
        "wfmon_case_escalation_step_rel",
        "case_id",
        "step_id",
        string="Fired Escalation Steps",
        readonly=True,
        copy=False,
    )
    log_ids = fields.One2many("wfmon.case.log", "case_id", string="Audit Log", readonly=True)
    age_days = fields.Integer(string="Age (days)", compute="_compute_age_days")
    priority_score = fields.Float(
        compute="_compute_priority_score",
        store=True,
        precompute=True,
        aggregator="avg",
        help="Advisory ranking: severity, business impact and SLA exposure.",
    )

    _sql_constraints = [
        (
            "occurrence_positive",
            "CHECK(occurrence_count >= 1)",
            "A case occurs at least once.",
        ),
    ]

    def init(self):
        # One open case per fingerprint, enforced by the database so that two
        # detectors racing on the same condition cannot open two cases.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS wfmon_case_open_fingerprint_uniq "
                "ON wfmon_case (fingerprint) WHERE is_open AND fingerprint IS NOT NULL"
            )
        )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("severity")
    def _compute_severity_rank(self):
        for case in self:
            case.severity_rank = rank(case.severity)

    @api.depends("state")
    def _compute_is_open(self):
        for case in self:
            case.is_open = case.state in OPEN_STATES

    @api.depends("first_seen", "resolved_at")
    def _compute_age_days(self):
        now = fields.Datetime.now()
        for case in self:
            end = case.resolved_at or now
            case.age_days = (end - case.first_seen).days if case.first_seen else 0

    @api.depends("severity", "impact_amount", "sla_status", "occurrence_count")
    def _compute_priority_score(self):
        exposure = {"on_track": 0, "paused": 0, "met": 0, "at_risk": 15, "breached": 30}
        for case in self:
            impact = min(case.impact_amount or 0.0, 100000.0) / 100000.0 * 30
            case.priority_score = round(
                case.severity_rank * 10
                + impact
                + exposure.get(case.sla_status, 0)
                + min(case.occurrence_count, 10),
                2,
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # The caller's own values: engine-managed fields come from the engine only.
        self._wfmon_check_engine_vals(vals_list, create=True)
        # Routing, deduplication and SLA stamps added below are the engine's.
        Case = self._wfmon_without_engine_defaults()._wfmon_engine()
        now = fields.Datetime.now()
        Case._prepare_create_vals_list(vals_list, now)
        # wfmon.reference.mixin numbers the batch.
        cases = super(WfmonCase, Case).create(vals_list).with_env(self.env)
        cases._log_batch("open", new_values=[c.state for c in cases], automated=False)
        self.env["wfmon.publisher"]._publish("case.opened", cases)
        return cases

    def write(self, vals):
        # wfmon.engine.mixin refuses engine-managed fields from anyone but the engine.
        tracked = {}
        for fname in ("user_id", "team_id", "severity"):
            if fname in vals:
                tracked[fname] = {case.id: case[fname] for case in self}
        res = super().write(vals)
        if tracked:
            self._log_field_changes(tracked)
        options = engine_options(self.env.context)
        if "severity" in vals and not (options and options.keep_deadlines):
            # Only a severity that changed re-plans the deadlines.
            old_severity = tracked["severity"]
            self.filtered(lambda c: c.is_open and c.severity != old_severity[c.id])._sla_stamp(
                fields.Datetime.now(), restart=False
            )
        if "user_id" in vals:
            unassigned = self.filtered(lambda c: c.state == "new" and c.user_id)
            unassigned._transition("assigned")
            dropped = self.filtered(lambda c: c.state == "assigned" and not c.user_id)
            dropped._transition("new")
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_audited(self):
        if not self.env.user.has_group("wfmon_core.group_wfmon_admin"):
            raise AccessError(
                self.env._("Only monitoring administrators can delete cases; cancel them instead.")
            )

    def _prepare_create_vals_list(self, vals_list, now):
        """Route, stamp dedup and SLA fields on raw create values (no writes)."""
        types = self.env["wfmon.case.type"].browse(
            {vals["type_id"] for vals in vals_list if vals.get("type_id")}
        )
        teams_by_site = self._routing_table()
        calendars = self.env["resource.calendar"]
        plans = []
        for vals in vals_list:
            case_type = types.browse(vals.get("type_id"))
            vals.setdefault("severity", case_type.default_severity or "medium")
            vals.setdefault("summary", case_type.name or self.env._("Exception"))
            if case_type.company_id and not vals.get("company_id"):
                vals["company_id"] = case_type.company_id.id
            if not vals.get("team_id"):
                team = self._route_team(case_type, vals.get("site_id"), teams_by_site)
                if team:
                    vals["team_id"] = team.id
            team = self.env["wfmon.team"].browse(vals.get("team_id"))
            if not vals.get("user_id") and team.assignment == "lead" and team.lead_id:
                vals["user_id"] = team.lead_id.id
            if vals.get("user_id") and vals.get("state", "new") == "new":
                vals["state"] = "assigned"
            if vals.get("res_model") and vals.get("res_id") and not vals.get("fingerprint"):
                vals["fingerprint"] = make_fingerprint(
                    case_type.code, vals["res_model"], vals["res_id"], vals.pop("key", None)
                )
            vals.pop("key", None)
            vals.setdefault("first_seen", now)
            vals.setdefault("last_seen", now)
            policy = case_type.sla_policy_id
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            calendar = policy.calendar_id or team.calendar_id or company._wfmon_calendar()
            calendars |= calendar
            plans.append((vals, policy, calendar, company))
        schedules = calendars._wfmon_schedules(now)
        for vals, policy, calendar, company in plans:
            vals.update(
                self._sla_plan_vals(
                    policy,
                    calendar,
                    schedules.get(calendar.id),
                    company,
                    vals["severity"],
                    start=fields.Datetime.to_datetime(vals.get("sla_start")) or now,
                    paused_hours=0.0,
                    now=now,
                )
            )

    # ------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------
    @api.model
    def _routing_table(self):
        """All active teams with their sites and types, read once per batch."""
        # Archived teams never route, whatever the caller's context says.
        teams = (
            self.env["wfmon.team"]
            .with_context(active_test=True)
            .search_fetch([], ["site_ids", "type_ids", "sequence", "company_id"])
        )
        table = defaultdict(list)
        for team in teams:
            for site in team.site_ids:
                table[site.id].append(team)
        return table

    @api.model
    def _route_team(self, case_type, site_id, teams_by_site):
        """The team serving ``site_id`` for ``case_type``, else the type's team."""
        for team in teams_by_site.get(site_id or 0, []):
            if not team.type_ids or case_type in team.type_ids:
                return team
        return case_type.team_id

    # ------------------------------------------------------------------
    # Detection API
    # ------------------------------------------------------------------
    @api.model
    def _raise(
        self,
        type_code,
        records,
        severity=None,
        impact=None,
        details=None,
        summary=None,
        site=None,
        key=None,
        rule=None,
        currency=None,
        bump=True,
    ):
        """Open a case per record of ``records`` for condition ``type_code``.

        This is the one entry point every detector uses.  When an open case
        with the same fingerprint (type, record, optional ``key``) exists, it is
        bumped instead (occurrence count, last seen, latest impact/details).
        Batch-safe: the query count does not grow with ``len(records)`` except
        for the INSERT of new rows.

        ``severity``, ``impact``, ``details``, ``summary`` and ``site`` each take
        a single value for all records or a dict keyed by record id.  With
        ``bump=False`` (periodic scanners) an open case is left as it is.

        :return: the opened or bumped cases, in the order of ``records``
        """
        Case = self.env["wfmon.case"]
        if not records:
            return Case
        case_type = self._get_type(type_code)
        if not case_type.active:
            # An archived type switches its detectors off; nothing is opened.
            return Case
        now = fields.Datetime.now()

        def pick(value, record):
            return value.get(record.id) if isinstance(value, dict) else value

        prints = {
            rec.id: make_fingerprint(case_type.code, rec._name, rec.id, key) for rec in records
        }
        # sudo: detectors run as whoever triggered them (a cashier confirming a
        # sale); deduplication must see every open case, not only their own.
        existing = Case.sudo().search_fetch(
            [("fingerprint", "in", list(prints.values())), ("is_open", "=", True)],
            ["fingerprint", "occurrence_count"],
        )
        by_print = {case.fingerprint: case for case in existing}
        if existing and bump:
            self.env.cr.execute(
                SQL(
                    "UPDATE wfmon_case SET occurrence_count = occurrence_count + 1, "
                    "last_seen = %s WHERE id IN %s",
                    now,
                    tuple(existing.ids),
                )
            )
            existing.invalidate_recordset(["occurrence_count", "last_seen"])
            updates = defaultdict(lambda: existing.browse())
            for rec in records:
                case = by_print.get(prints[rec.id])
                if not case:
                    continue
                vals = {}
                if impact is not None:
                    vals["impact_amount"] = pick(impact, rec) or 0.0
                if details is not None:
                    vals["details"] = pick(details, rec) or False
                if vals:
                    updates[tuple(sorted(vals.items()))] |= case
            for vals, cases in updates.items():
                cases._wfmon_engine().write(dict(vals))
        vals_list = []
        new_records = []
        for rec in records:
            if prints[rec.id] in by_print:
                continue
            site_value = pick(site, rec)
            vals_list.append(
                {
                    "type_id": case_type.id,
                    "summary": pick(summary, rec) or f"{case_type.name}: {rec.display_name}",
                    "severity": pick(severity, rec) or case_type.default_severity,
                    "impact_amount": pick(impact, rec) or 0.0,
                    "details": pick(details, rec) or False,
                    "site_id": site_value.id
                    if isinstance(site_value, models.BaseModel)
                    else site_value,
                    "res_model": rec._name,
                    "res_id": rec.id,
                    "source_name": rec.display_name,
                    "fingerprint": prints[rec.id],
                    "rule_id": rule.id if rule else False,
                    "company_id": self._record_company(rec).id,
                    **({"currency_id": currency.id} if currency else {}),
                }
            )
            new_records.append(rec)
        created = Case
        if vals_list:
            # sudo: the detection API opens cases on behalf of the system; the
            # triggering user may have no right on cases at all (e.g. a cashier).
            created = (
                Case.sudo()._wfmon_engine().with_context(tracking_disable=True).create(vals_list)
            )
            created._post_batch_open_messages()
        cases_by_print = {case.fingerprint: case for case in created | existing}
        ordered = Case.browse([cases_by_print[prints[rec.id]].id for rec in records])
        return ordered.with_env(self.env)

    @api.model
    def _clear(self, type_code, records, reason, key=None):
        """Resolve the open cases of ``type_code`` on ``records`` whose
        condition no longer holds, logging ``reason``.  Types with
        ``auto_resolve`` off are left open (the log still says the condition
        cleared)."""
        Case = self.env["wfmon.case"]
        if not records:
            return Case
        case_type = self._get_type(type_code)
        prints = [make_fingerprint(case_type.code, rec._name, rec.id, key) for rec in records]
        # sudo: see _raise, detectors act for the system.
        cases = Case.sudo().search([("fingerprint", "in", prints), ("is_open", "=", True)])
        if not cases:
            return Case
        if not case_type.auto_resolve:
            cases._log_batch("note", reasons=reason, automated=True)
            return Case
        cases._auto_resolve(reason)
        return cases.with_env(self.env)

    @api.model
    def _get_type(self, type_code):
        # sudo: case types are configuration every detector must read, even
        # when triggered by a user outside the monitoring groups.
        case_type = (
            self.env["wfmon.case.type"]
            .sudo()
            .with_context(active_test=False)
            .search([("code", "=", type_code)], limit=1)
        )
        if not case_type:
            raise UserError(self.env._("Unknown exception case type %s.", type_code))
        return case_type

    @api.model
    def _record_company(self, record):
        company = record["company_id"] if "company_id" in record._fields else False
        return company or self.env.company

    def _post_batch_open_messages(self):
        """Creation message and owner follow-up for a batch, in a few queries."""
        bodies = {
            case.id: Markup("<p>%s</p>")
            % self.env._("Case opened by the monitor: %s", case.summary)
            for case in self
        }
        self._message_log_batch(bodies=bodies)
        by_owner = defaultdict(list)
        for case in self:
            if case.user_id:
                by_owner[case.user_id.partner_id.id].append(case.id)
        for partner_id, case_ids in by_owner.items():
            self.env["mail.followers"]._insert_followers(
                self._name, case_ids, [partner_id], check_existing=True
            )

    def _auto_resolve(self, reason):
        """Resolve because the detector reports the condition cleared."""
        self.filtered(lambda c: not c.resolution_note)._wfmon_engine().write(
            {"resolution_note": reason}
        )
        self._transition("resolved", reason=reason, automated=True)

    # ------------------------------------------------------------------
    # State machine
    # ------------------------------------------------------------------
    def _transition(self, new_state, reason=None, automated=False):
        """Move cases to ``new_state``: stamps, pause bookkeeping, SLA, log, event."""
        if not self:
            return True
        for case in self:
            if new_state != case.state and new_state not in TRANSITIONS[case.state]:
                raise UserError(
                    self.env._(
                        "Case %(case)s cannot go from %(old)s to %(new)s.",
                        case=case.name,
                        old=dict(STATES)[case.state],
                        new=dict(STATES)[new_state],
                    )
                )
        now = fields.Datetime.now()
        moving = self.filtered(lambda c: c.state != new_state)
        if not moving:
            return True
        old_states = [c.state for c in moving]
        schedules = moving._schedules(now)
        for case in moving:
            vals = {"state": new_state}
            schedule = schedules.get(case.id)
            if case.state == "waiting" and case.paused_since:
                vals["paused_hours"] = case.paused_hours + working_hours_between(
                    schedule, case.paused_since, now
                )
                vals["paused_since"] = False
            if new_state == "waiting" and case.sla_policy_id.pause_when_waiting:
                vals["paused_since"] = now
            if new_state in RESPONDED_STATES and not case.responded_at:
                vals["responded_at"] = now
            if new_state == "resolved":
                vals["resolved_at"] = now
                paused = vals.get("paused_hours", case.paused_hours)
                if case.sla_start:
                    vals["resolution_working_hours"] = max(
                        working_hours_between(schedule, case.sla_start, now) - paused, 0.0
                    )
            elif case.state == "resolved":
                vals.update(resolved_at=False, resolution_working_hours=0.0)
            case._wfmon_engine().write(vals)
        moving._stamp_resolved_in_sla()
        was_waiting = {c.id for c, old in zip(moving, old_states, strict=True) if old == "waiting"}
        resumed = moving.filtered(lambda c: c.id in was_waiting and c.is_open)
        # The paused working time extends the deadlines: re-plan them.
        resumed._sla_stamp(now)
        (moving - resumed)._sla_refresh(now)
        action = {
            "resolved": "auto_resolve" if automated else "resolve",
        }.get(new_state, "state")
        if (
            old_states
            and new_state in ("in_progress", "new")
            and all(s in ("resolved", "cancelled") for s in old_states)
        ):
            action = "reopen"
        moving._log_batch(
            action,
            old_values=old_states,
            new_values=[new_state] * len(moving),
            reasons=reason,
            automated=automated,
        )
        event = {
            "resolved": "case.resolved",
            "cancelled": "case.cancelled",
        }.get(new_state, "case.reopened" if action == "reopen" else "case.updated")
        self.env["wfmon.publisher"]._publish(event, moving)
        if new_state in ("resolved", "cancelled") and moving.activity_ids:
            # sudo: a closed case needs no more work; its open activities may
            # belong to other people (escalation contacts), whom the closing
            # user cannot edit activities for.
            moving.activity_ids.sudo().action_feedback(
                feedback=reason or self.env._("Case closed.")
            )
        return True

    def _stamp_resolved_in_sla(self):
        """100 / 0 on resolved cases, NULL on the others, so that averaging
        the column gives the share of resolved cases that met their SLA."""
        self.flush_recordset(["state", "resolved_at", "resolution_deadline"])
        self.env.cr.execute(
            SQL(
                """UPDATE wfmon_case SET resolved_in_sla = CASE
                       WHEN state != 'resolved' THEN NULL
                       WHEN resolution_deadline IS NULL OR resolved_at <= resolution_deadline
                       THEN 100 ELSE 0 END
                   WHERE id IN %s""",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["resolved_in_sla"])

    def action_assign_to_me(self):
        self._check_open()
        self.write({"user_id": self.env.uid})
        return True

    def action_start(self):
        self._check_open()
        self._transition("in_progress")
        return True

    def action_wait(self):
        self._check_open()
        self._transition("waiting")
        return True

    def action_resume(self):
        self._transition("in_progress")
        return True

    def action_resolve(self):
        missing = self.filtered(lambda c: not c.resolution_note)
        if missing:
            raise UserError(
                self.env._(
                    "Write a resolution note before resolving %s.",
                    ", ".join(missing.mapped("name")),
                )
            )
        self._transition("resolved", reason=None)
        return True

    def action_cancel(self):
        self._transition("cancelled")
        return True

    def action_reopen(self):
        for case in self:
            case._transition("in_progress" if case.state == "resolved" else "new")
        return True

    def _check_open(self):
        closed = self.filtered(lambda c: not c.is_open)
        if closed:
            raise UserError(
                self.env._("Case %s is closed: reopen it first.", ", ".join(closed.mapped("name")))
            )

    # ------------------------------------------------------------------
    # Audit log
    # ------------------------------------------------------------------
    def _log_batch(
        self, action, old_values=None, new_values=None, reasons=None, automated=False, step=None
    ):
        """Append one audit line per case (one INSERT for the batch)."""
        if not self:
            return self.env["wfmon.case.log"]
        reason_list = reasons if isinstance(reasons, list) else [reasons] * len(self)
        vals_list = []
        for index, case in enumerate(self):
            vals_list.append(
                {
                    "case_id": case.id,
                    "action": action,
                    "old_value": old_values[index] if old_values else False,
                    "new_value": new_values[index] if new_values else False,
                    "reason": reason_list[index] or False,
                    "automated": automated,
                    "user_id": self.env.uid,
                    "res_model": step._name if step else False,
                    "res_id": step.id if step else False,
                }
            )
        # sudo: users have no create right on the audit log so that they cannot
        # forge lines; the engine writes them on the acting user's behalf.
        return self.env["wfmon.case.log"].sudo()._wfmon_engine().create(vals_list)

    def _log_field_changes(self, before):
        options = engine_options(self.env.context)
        labels = {"user_id": "assign", "team_id": "team", "severity": "severity"}
        for fname, old_by_case in before.items():
            changed = self.filtered(lambda c, f=fname, o=old_by_case: c[f] != o[c.id])
            if not changed:
                continue

            def show(value, f=fname):
                if isinstance(value, models.BaseModel):
                    return value.display_name or ""
                return dict(SEVERITIES).get(value, value or "") if f == "severity" else value

            changed._log_batch(
                labels[fname],
                old_values=[show(old_by_case[c.id]) for c in changed],
                new_values=[show(c[fname]) for c in changed],
                # The stamps of an engine write (an escalation step), never a
                # client's context.
                reasons=options.reason if options else None,
                automated=bool(options and options.automated),
            )

    # ------------------------------------------------------------------
    # SLA clock
    # ------------------------------------------------------------------
    @api.model
    def _sla_plan_vals(
        self, policy, calendar, schedule, company, severity, start, paused_hours, now
    ):
        """Deadlines and status of a clock starting at ``start`` (pure values)."""
        line = policy._target(severity) if policy else False
        if not line:
            return {
                "sla_policy_id": policy.id if policy else False,
                "sla_calendar_id": calendar.id or False,
                "sla_start": start,
                "response_hours": 0.0,
                "resolution_hours": 0.0,
                "response_deadline": False,
                "resolution_deadline": False,
                "at_risk_date": False,
                "sla_status": "on_track",
                "sla_next_check": False,
            }
        schedule = self._usable_schedule(schedule)
        ratio = policy.at_risk_ratio or company.wfmon_at_risk_ratio or 0.75
        res_deadline = add_working_hours(schedule, start, line.resolution_hours + paused_hours)
        resp_deadline = (
            add_working_hours(schedule, start, line.response_hours + paused_hours)
            if line.response_hours
            else False
        )
        at_risk = add_working_hours(schedule, start, line.resolution_hours * ratio + paused_hours)
        clocks = self._sla_clocks_of(
            start,
            line.response_hours,
            resp_deadline,
            line.resolution_hours,
            res_deadline,
            paused_hours,
        )
        steps = policy.escalation_step_ids._wfmon_specs()
        # Nothing is evaluated yet: the scanner looks at the case at the first
        # moment something may change, at once if that moment has passed (a clock
        # started in the past).
        next_check = escalation.next_check(
            now,
            pending=[resp_deadline, at_risk, res_deadline]
            + [due for _key, due in escalation.pending_steps(schedule, steps, clocks)],
        )
        return {
            "sla_policy_id": policy.id,
            "sla_calendar_id": calendar.id or False,
            "sla_start": start,
            "response_hours": line.response_hours,
            "resolution_hours": line.resolution_hours,
            "response_deadline": resp_deadline,
            "resolution_deadline": res_deadline,
            "at_risk_date": at_risk,
            "sla_status": "on_track",
            "sla_next_check": next_check or False,
        }

    @api.model
    def _usable_schedule(self, schedule):
        if schedule is None or not schedule.attendances:
            # No calendar (or an empty one): count around the clock rather
            # than never reaching a deadline.
            return WorkSchedule.always()
        return schedule

    def _schedules(self, now):
        """``{case_id: WorkSchedule}`` for these cases, in two queries."""
        calendars = self.sla_calendar_id
        by_calendar = calendars._wfmon_schedules(now - timedelta(days=400), horizon_days=1200)
        return {
            case.id: self._usable_schedule(by_calendar.get(case.sla_calendar_id.id))
            for case in self
        }

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

    @api.model
    def _sla_clocks_of(
        self,
        start,
        response_hours,
        response_deadline,
        resolution_hours,
        resolution_deadline,
        paused_hours=0.0,
    ):
        """The clocks escalation steps watch (``tools.escalation.Clock``)."""
        if not start:
            return {}
        return {
            "response": escalation.Clock(
                start, response_hours, response_deadline or None, paused_hours
            ),
            "resolution": escalation.Clock(
                start, resolution_hours, resolution_deadline or None, paused_hours
            ),
        }

    def _sla_clocks(self):
        """This case's running clocks; a response clock stops once someone responded."""
        self.ensure_one()
        return self._sla_clocks_of(
            self.sla_start,
            self.response_hours,
            not self.responded_at and self.response_deadline,
            self.resolution_hours,
            self.resolution_deadline,
            self.paused_hours,
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
        return escalation.pending_steps(
            schedule,
            self.sla_policy_id.escalation_step_ids._wfmon_specs(),
            self._sla_clocks(),
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
        if not self.resolution_deadline:
            return {"sla_status": "on_track", "sla_next_check": False, "sla_progress": 0.0}
        paused = self.paused_hours
        if self._sla_paused():
            paused += working_hours_between(schedule, self.paused_since, now)
        elapsed = max(working_hours_between(schedule, self.sla_start, now) - paused, 0.0)
        progress = elapsed / self.resolution_hours * 100 if self.resolution_hours else 0.0
        response_late = (
            self.response_deadline and not self.responded_at and now >= self.response_deadline
        )
        if self._sla_paused():
            status = "paused"
        elif now >= self.resolution_deadline or response_late:
            status = "breached"
        elif self.at_risk_date and now >= self.at_risk_date:
            status = "at_risk"
        else:
            status = "on_track"
        return {
            "sla_status": status,
            "sla_progress": round(progress, 2),
            "sla_next_check": False if status == "paused" else self._sla_next_check(now, pending),
        }

    def _sla_next_check(self, now, pending):
        """The next instant the status may change, or the due instant of the
        earliest step not fired yet even if it is past (the next scan fires it)."""
        self.ensure_one()
        return (
            escalation.next_check(
                now,
                upcoming=[
                    self.at_risk_date,
                    self.resolution_deadline,
                    not self.responded_at and self.response_deadline,
                ],
                pending=[due for _step, due in pending],
            )
            or False
        )

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
            pending = case._sla_pending_steps(schedules[case.id])
            next_check = False if case._sla_paused() else case._sla_next_check(now, pending)
            if case.is_open and case.sla_next_check != next_check:
                case._wfmon_engine().write({"sla_next_check": next_check})

    def _fire_step(self, step):
        """Run one escalation step on these cases; recorded so it never fires
        twice on a case."""
        if not self:
            return
        engine = self._wfmon_engine(
            reason=self.env._("Escalation: %s", step.name), automated=True, keep_deadlines=True
        )
        engine.write({"escalated_step_ids": [fields.Command.link(step.id)]})
        for case in engine:
            case.escalation_level += 1
        texts = []
        for case in self:
            texts.append(
                step.message
                or self.env._(
                    "Escalation '%(step)s' on %(case)s (%(status)s).",
                    step=step.name,
                    case=case.name,
                    status=dict(SLA_STATUSES).get(case.sla_status),
                )
            )
        self._run_step_action(step, engine, texts)
        self._log_batch(
            "escalate",
            new_values=[step.name] * len(self),
            reasons=texts,
            automated=True,
            step=step,
        )
        self.env["wfmon.publisher"]._publish("case.escalated", self)

    def _run_step_action(self, step, engine, texts):
        if step.action == "notify":
            for case, text in zip(self, texts, strict=True):
                target = case._step_target(step)
                case.message_post(
                    body=text,
                    partner_ids=target.partner_id.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
        elif step.action == "reassign_lead":
            by_lead = defaultdict(lambda: engine.browse())
            for case in engine.filtered("team_id.lead_id"):
                by_lead[case.team_id.lead_id] |= case
            for lead, cases in by_lead.items():
                cases.write({"user_id": lead.id})
        elif step.action == "reassign_user" and step.user_id:
            engine.write({"user_id": step.user_id.id})
        elif step.action == "raise_severity":
            by_next = defaultdict(lambda: engine.browse())
            for case in engine:
                by_next[next_severity(case.severity)] |= case
            for severity, cases in by_next.items():
                cases.write({"severity": severity})
        elif step.action == "activity":
            activity_type = step.activity_type_id or self.env.ref(
                "wfmon_core.mail_activity_type_wfmon_escalation"
            )
            for case, text in zip(self, texts, strict=True):
                target = case._step_target(step)
                if target:
                    case.activity_schedule(
                        activity_type_id=activity_type.id,
                        summary=step.name,
                        note=text,
                        user_id=target.id,
                    )
        elif step.action == "event":
            self.env["wfmon.publisher"]._publish(step.event_type or "case.escalated", self)

    def _step_target(self, step):
        self.ensure_one()
        target = {
            "owner": self.user_id,
            "lead": self.team_id.lead_id,
            "escalation": self.team_id.escalation_user_id or self.team_id.lead_id,
            "user": step.user_id,
        }.get(step.target or "lead")
        return target or self.team_id.lead_id

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

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------
    def _wfmon_event_data(self):
        """Public event payload of each case (the data contract integrators use)."""
        return [
            {
                "id": case.id,
                "reference": case.name,
                "type": case.type_id.code,
                "summary": case.summary,
                "severity": case.severity,
                "state": case.state,
                "sla_status": case.sla_status,
                "escalation_level": case.escalation_level,
                "owner": case.user_id.login or None,
                "team": case.team_id.name or None,
                "site": case.site_id.code or case.site_id.name or None,
                "company_id": case.company_id.id,
                "impact": {"amount": case.impact_amount, "currency": case.currency_id.name},
                "source": {"model": case.res_model, "id": case.res_id, "name": case.source_name}
                if case.res_model
                else None,
                "resolution_deadline": fields.Datetime.to_string(case.resolution_deadline)
                if case.resolution_deadline
                else None,
                "occurrence_count": case.occurrence_count,
            }
            for case in self
        ]
