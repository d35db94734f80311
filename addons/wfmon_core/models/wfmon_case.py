import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools.engine import engine_options, flag, with_flags
from ..tools.fingerprint import fingerprint as make_fingerprint
from ..tools.severity import SEVERITIES, rank
from ..tools.sla_clock import working_hours_between
from .precompute import add_precomputed
from .wfmon_append_mixin import create_columns
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
#: Server flag (``tools.engine.with_flags``) holding the owners of the cases
#: ``_raise`` is opening, for those routing gives nobody: ``{fingerprint: user
#: id}``, read by ``_prepare_create_vals_list``. A client can send the key, but
#: never the flag object, so it cannot give itself cases this way.
FALLBACK_OWNERS_KEY = "wfmon_fallback_owners"
#: server flag of a ``create`` of cases: the defaults of its rows, worked out once per
#: set of given fields (see ``_add_missing_default_values``)
DEFAULTS_MEMO_KEY = "wfmon_case_defaults_memo"
#: server flag of a ``create`` of cases: a dict their public event data is put in
#: (``{case id: data}``) when their ``case.opened`` event is written (see ``_raise``)
EVENT_DATA_KEY = "wfmon_case_event_data"
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
        # No empty columns: the kanban (on a phone, one column at a time) opens
        # on the first state that holds cases, where the work is.
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
    # Indexed for what reads it, the open cases, by wfmon_case_open_fingerprint_uniq
    # (see init): a second index of every case would cost each INSERT for nothing.
    fingerprint = fields.Char(readonly=True, copy=False)
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
    _sql_constraints = [
        (
            "occurrence_positive",
            "CHECK(occurrence_count >= 1)",
            "A case occurs at least once.",
        ),
    ]

    def init(self):
        # The index of ``fingerprint`` that earlier versions made (Odoo keeps an
        # index its field no longer asks for): every query of fingerprints is on
        # open cases, and uses the unique partial index below.
        self.env.cr.execute(SQL("DROP INDEX IF EXISTS wfmon_case__fingerprint_index"))
        # One open case per fingerprint, enforced by the database so that two
        # detectors racing on the same condition cannot open two cases.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS wfmon_case_open_fingerprint_uniq "
                "ON wfmon_case (fingerprint) WHERE is_open AND fingerprint IS NOT NULL"
            )
        )
        # The open cases of a document, by type: what scanners anti-join their
        # documents with (wfmon.detector._scan_due).
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS wfmon_case_open_document "
                "ON wfmon_case (res_id, type_id, res_model) WHERE is_open"
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

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # The caller's own values: engine-managed fields come from the engine only.
        self._wfmon_check_engine_vals(vals_list, create=True)
        # Routing, deduplication and SLA stamps added below are the engine's.
        Case = with_flags(
            self._wfmon_without_engine_defaults()._wfmon_engine(), **{DEFAULTS_MEMO_KEY: {}}
        )
        now = fields.Datetime.now()
        Case._prepare_create_vals_list(vals_list, now)
        # wfmon.reference.mixin numbers the batch.
        cases = super(WfmonCase, Case).create(vals_list).with_env(self.env)
        cases._log_batch("open", new_values=[c.state for c in cases], automated=False)
        collected = flag(self.env.context, EVENT_DATA_KEY)

        def payloads():
            # Built only when the events are written (not by core's no-op publisher);
            # the detector that opened the cases reads it for its own event.
            data = cases._wfmon_event_data()
            if collected is not None:
                collected.update(zip(cases.ids, data, strict=True))
            return data

        self.env["wfmon.publisher"]._publish("case.opened", cases, payloads)
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

    @api.model
    def _add_missing_default_values(self, values):
        """The ORM asks ``default_get`` once per row; the rows of one ``create``
        share their defaults (the user, the company, the context are the
        batch's): looked up once per set of given fields, as long as they are
        plain values (a list of commands would be shared by the rows)."""
        memo = flag(self.env.context, DEFAULTS_MEMO_KEY)
        if memo is None:
            return super()._add_missing_default_values(values)
        key = frozenset(values)
        defaults = memo.get(key)
        if defaults is None:
            result = super()._add_missing_default_values(values)
            defaults = {name: value for name, value in result.items() if name not in values}
            # Checked once per set of fields (a hundred fields), not once per row.
            if not any(isinstance(value, list | dict | tuple) for value in defaults.values()) and (
                not any(f.type == "properties" for f in self._fields.values())
            ):
                memo[key] = defaults
            return result
        return {**defaults, **values}

    @api.model
    def _add_precomputed_values(self, vals_list):
        # The batch's type, site, rank and open flag from its values (see precompute.py).
        add_precomputed(
            self,
            vals_list,
            {
                "severity_rank": lambda vals: rank(vals.get("severity")),
                "is_open": lambda vals: vals.get("state") in OPEN_STATES,
            },
        )
        return super()._add_precomputed_values(vals_list)

    def _create(self, data_list):
        # The rows numbered (wfmon.reference.mixin), then inserted with their cache
        # filled field by field for the batch rather than row by row: a case has
        # a hundred fields, the ORM's loop over them for each new row was most of
        # the cost of its _create.
        self._wfmon_number(data_list)
        cases = create_columns(self, data_list)
        return super()._create(data_list) if cases is None else cases

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
        fallback_owners = flag(self.env.context, FALLBACK_OWNERS_KEY)
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
            if not vals.get("user_id") and fallback_owners:
                # The detector's owner (e.g. the warehouse's supervisor) when
                # routing gives the case nobody: the case is born theirs.
                vals["user_id"] = fallback_owners.get(vals.get("fingerprint"), False)
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
        # A batch of one detector shares its policy, calendar, company, severity and
        # start: the plan is worked out once per distinct set of them, not per case.
        planned = {}
        for vals, policy, calendar, company in plans:
            start = fields.Datetime.to_datetime(vals.get("sla_start")) or now
            key = (policy.id, calendar.id, company.id, vals["severity"], start)
            if key not in planned:
                planned[key] = self._sla_plan_vals(
                    policy,
                    calendar,
                    schedules.get(calendar.id),
                    company,
                    vals["severity"],
                    start=start,
                    paused_hours=0.0,
                    now=now,
                )
            vals.update(planned[key])

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
