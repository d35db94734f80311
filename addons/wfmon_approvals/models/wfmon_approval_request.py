import json
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_datetime, html2plaintext

from odoo.addons.wfmon_core.tools.engine import engine as as_engine
from odoo.addons.wfmon_core.tools.sla_clock import working_hours_between

from ..tools.approval_matrix import changed_keys, level_outcome

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]
# Fields only the engine writes: refused on write() from users and RPC (see
# wfmon.engine.mixin in core, which also reserves create() to the engine).
PROTECTED_FIELDS = {
    "name",
    "state",
    "res_model",
    "res_id",
    "action_name",
    "policy_id",
    "level_id",
    "level_sequence",
    "required_approvals",
    "amount",
    "currency_id",
    "requester_id",
    "company_id",
    "level_started",
    "date_decided",
    "deadline",
    "remind_date",
    "reminded",
    "escalated",
    "snapshot",
    "fingerprint",
    "consumed",
    "consumed_date",
    "explanation",
    "analysis",
    "decision_ids",
    "assignment_ids",
    "source_name",
    "site_id",
    "date_requested",
    "turnaround_hours",
    "next_check",
}
ACTIVITY_XMLID = "wfmon_approvals.mail_activity_type_wfmon_approval"


class WfmonApprovalRequest(models.Model):
    """A request to approve one guarded action on one document.

    Created by the engine only (:meth:`_submit`); approvers decide through
    :meth:`action_approve` / :meth:`action_reject` (buttons, the decision wizard,
    or by marking their activity done).
    """

    _name = "wfmon.approval.request"
    _description = "Approval Request"
    _inherit = [
        "wfmon.engine.mixin",
        "wfmon.reference.mixin",
        "wfmon.source.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "id desc"
    _wfmon_reference_prefix = "APR-"
    # Approvers and requesters comment without write access on the request.
    _mail_post_access = "read"
    # The Activities menu opens the approver's requests as cards with Approve / Reject.
    _systray_view = "kanban"
    _wfmon_engine_fields = frozenset(PROTECTED_FIELDS)
    _wfmon_engine_create = True

    state = fields.Selection(
        STATES, default="pending", required=True, index=True, readonly=True, tracking=True
    )
    # The guarded document (wfmon.source.mixin).
    res_model = fields.Char(string="Document Model", required=True)
    res_id = fields.Many2oneReference(string="Document ID", required=True)
    source_ref = fields.Reference(string="Document")
    source_name = fields.Char(string="Document Name")
    action_name = fields.Char(string="Guarded Action", required=True, readonly=True)
    policy_id = fields.Many2one(
        "wfmon.approval.policy", required=True, readonly=True, index=True, ondelete="restrict"
    )
    explanation = fields.Text(string="Why This Policy", readonly=True)
    analysis = fields.Html(
        readonly=True,
        sanitize=True,
        help="What the approvers decide on, as the document's module computed it when the "
        "approval was requested (e.g. the margin analysis of an order).",
    )
    level_id = fields.Many2one(
        "wfmon.approval.level", string="Current Level", readonly=True, ondelete="set null"
    )
    level_sequence = fields.Integer(string="Level No.", readonly=True)
    required_approvals = fields.Integer(readonly=True)
    amount = fields.Monetary(currency_field="currency_id", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    requester_id = fields.Many2one(
        "res.users", string="Requested By", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    site_id = fields.Many2one("wfmon.site", string="Store / Warehouse", readonly=True, index=True)
    date_requested = fields.Datetime(default=fields.Datetime.now, readonly=True)
    level_started = fields.Datetime(readonly=True)
    date_decided = fields.Datetime(readonly=True)
    deadline = fields.Datetime(readonly=True, index=True)
    remind_date = fields.Datetime(string="Reminder At", readonly=True)
    reminded = fields.Boolean(readonly=True)
    escalated = fields.Boolean(readonly=True)
    next_check = fields.Datetime(
        compute="_compute_next_check", store=True, index=True, readonly=True
    )
    snapshot = fields.Text(string="Approved Values", readonly=True)
    fingerprint = fields.Char(readonly=True, index=True)
    consumed = fields.Boolean(
        readonly=True, help="The guarded action ran under this approval (it runs once)."
    )
    consumed_date = fields.Datetime(readonly=True)
    decision_ids = fields.One2many("wfmon.approval.decision", "request_id", readonly=True)
    assignment_ids = fields.One2many("wfmon.approval.assignment", "request_id", readonly=True)
    waiting_for = fields.Char(compute="_compute_waiting_for")
    is_my_approval = fields.Boolean(
        compute="_compute_is_my_approval", search="_search_is_my_approval"
    )
    turnaround_hours = fields.Float(
        string="Turnaround (h)",
        readonly=True,
        aggregator="avg",
        help="Hours from the request to the final decision.",
    )

    def init(self):
        # One open request (pending, or approved and not used yet) per document
        # and action, enforced by the database: two users clicking Confirm at the
        # same time cannot open two requests.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS wfmon_approval_request_open_uniq "
                "ON wfmon_approval_request (res_model, res_id, action_name) "
                "WHERE state = 'pending' OR (state = 'approved' AND NOT consumed)"
            )
        )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("state", "remind_date", "reminded", "deadline", "escalated")
    def _compute_next_check(self):
        for request in self:
            dates = []
            if request.state == "pending":
                if request.remind_date and not request.reminded:
                    dates.append(request.remind_date)
                if request.deadline and not request.escalated:
                    dates.append(request.deadline)
            request.next_check = min(dates) if dates else False

    @api.depends("assignment_ids.state", "assignment_ids.user_id")
    def _compute_waiting_for(self):
        for request in self:
            # sudo: show who is asked, even to a requester who cannot read assignments.
            pending = request.sudo().assignment_ids.filtered(lambda a: a.state == "pending")
            request.waiting_for = ", ".join(pending.user_id.mapped("name"))

    @api.depends_context("uid")
    @api.depends("assignment_ids.state", "assignment_ids.user_id")
    def _compute_is_my_approval(self):
        for request in self:
            # sudo: assignments of other approvers are read only to find the own one.
            request.is_my_approval = any(
                a.state == "pending" and a.user_id.id == self.env.uid
                for a in request.sudo().assignment_ids
            )

    def _search_is_my_approval(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'my approvals'."))
        domain = [
            ("state", "=", "pending"),
            ("assignment_ids", "any", [("user_id", "=", self.env.uid), ("state", "=", "pending")]),
        ]
        positive = (operator == "=") == value
        return domain if positive else ["!", "&", *domain]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # wfmon.engine.mixin: created by the engine (the guarded action) only;
        # wfmon.reference.mixin numbers the batch.
        requests = super().create(vals_list)
        requests.fetch(["name"])
        return requests

    @api.ondelete(at_uninstall=False)
    def _unlink_except_admin(self):
        if not self.env.user.has_group("wfmon_core.group_wfmon_admin"):
            raise AccessError(
                self.env._("Approval requests are part of the audit trail; cancel them instead.")
            )

    def _engine(self):
        """These requests as the engine: superuser plus core's engine context,
        which no RPC client can forge (wfmon.engine.mixin).

        sudo: requesters and approvers have no write access on requests,
        assignments or decisions; every change goes through this engine after
        the public method checked the acting user's rights.
        """
        return self.sudo()._wfmon_engine()

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def action_approve(self, reason=None):
        """Approve the current level as the current user (SoD checked here)."""
        return self._decide("approve", reason)

    def action_reject(self, reason=None):
        """Reject the request as the current user; a reason is required."""
        return self._decide("reject", reason)

    def action_open_decide_wizard(self):
        self.ensure_one()
        decision = self.env.context.get("wfmon_decision", "approve")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Approve") if decision == "approve" else self.env._("Reject"),
            "res_model": "wfmon.approval.decide",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_id": self.id, "default_decision": decision},
        }

    def action_cancel(self, reason=None):
        """The requester (or a monitoring manager) withdraws pending requests."""
        is_manager = self.env.user.has_group("wfmon_core.group_wfmon_manager")
        for request in self:
            if request.state != "pending":
                raise UserError(self.env._("Request %s is not pending.", request.name))
            if request.requester_id != self.env.user and not is_manager:
                raise AccessError(
                    self.env._("Only the requester or a manager can cancel %s.", request.name)
                )
        self._close("cancelled", "cancel", reason or self.env._("Cancelled by the user."))
        return True

    # ------------------------------------------------------------------
    # Decisions
    # ------------------------------------------------------------------
    def _check_decider(self, user):
        """Segregation of duties, enforced on the server for every decision."""
        self.ensure_one()
        # sudo: the checks read every decision and assignment of the request.
        request = self.sudo()
        if user == request.requester_id:
            raise AccessError(
                self.env._("You requested %s yourself: someone else must decide it.", request.name)
            )
        earlier = request.decision_ids.filtered(
            lambda d: (
                d.decision in ("approve", "reject")
                and d.user_id == user
                and d.level_sequence != request.level_sequence
            )
        )
        if earlier:
            raise AccessError(
                self.env._(
                    "You already decided level %(level)s of %(request)s: one person never "
                    "decides two levels of the same request.",
                    level=earlier[0].level_sequence,
                    request=request.name,
                )
            )
        if request.policy_id.incompatible_group_ids & user.groups_id:
            raise AccessError(
                self.env._(
                    "Your role is incompatible with approving under policy %s "
                    "(segregation of duties).",
                    request.policy_id.name,
                )
            )
        assignment = request.assignment_ids.filtered(
            lambda a: a.state == "pending" and a.user_id == user
        )
        if not assignment:
            raise AccessError(
                self.env._(
                    "You are not an approver of the current level of %s "
                    "(or you already decided it).",
                    request.name,
                )
            )
        return assignment[:1]

    def _decide(self, decision, reason=None):
        user = self.env.user
        reason = (reason or "").strip()
        now = fields.Datetime.now()
        for request in self:
            engine = request._engine()
            if engine.state != "pending":
                raise UserError(
                    self.env._(
                        "%(request)s is already %(state)s.",
                        request=engine.name,
                        state=dict(STATES)[engine.state].lower(),
                    )
                )
            assignment = engine.env["wfmon.approval.assignment"].browse(
                request._check_decider(user).id
            )
            if decision == "reject" and not reason:
                raise UserError(self.env._("Give a reason to reject %s.", engine.name))
            if decision == "approve" and engine.policy_id.reason_required_on_approve and not reason:
                raise UserError(
                    self.env._(
                        "Policy %(policy)s requires a reason to approve %(request)s.",
                        policy=engine.policy_id.name,
                        request=engine.name,
                    )
                )
            schedule = engine._schedules(now)[engine.id]
            start = engine.level_started or engine.date_requested
            engine.env["wfmon.approval.decision"].create(
                {
                    "request_id": engine.id,
                    "level_id": engine.level_id.id,
                    "level_sequence": engine.level_sequence,
                    "user_id": user.id,
                    "on_behalf_of_id": assignment.on_behalf_of_id.id,
                    "decision": decision,
                    "reason": reason or False,
                    "date": now,
                    "duration_hours": round((now - start).total_seconds() / 3600, 4),
                    "working_hours": round(working_hours_between(schedule, start, now), 4),
                }
            )
            assignment.write({"state": "approved" if decision == "approve" else "rejected"})
            body = (
                self.env._(
                    "%(user)s approved level %(level)s",
                    user=user.name,
                    level=engine.level_id.display_name,
                )
                if decision == "approve"
                else self.env._("%(user)s rejected", user=user.name)
            )
            if assignment.on_behalf_of_id:
                body += self.env._(" on behalf of %s", assignment.on_behalf_of_id.name)
            if reason:
                body += f": {reason}"
            if assignment.activity_id:
                as_engine(assignment.activity_id).action_feedback(feedback=body)
            else:
                engine.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
            level_assignments = engine.assignment_ids.filtered(
                lambda a, seq=engine.level_sequence: a.level_sequence == seq
            )
            approvals = len(level_assignments.filtered(lambda a: a.state == "approved"))
            rejections = len(level_assignments.filtered(lambda a: a.state == "rejected"))
            required = 1 if assignment.escalated else engine.required_approvals
            outcome = level_outcome(required, approvals, rejections)
            if outcome == "rejected":
                engine._close("rejected", None, reason)
            elif outcome == "approved":
                engine._close_open_assignments()
                levels = engine.policy_id.level_ids.sorted(lambda lv: (lv.sequence, lv.id))
                later = levels.filtered(
                    lambda lv, cur=engine.level_id: (lv.sequence, lv.id) > (cur.sequence, cur.id)
                )
                self.env["wfmon.publisher"]._publish("approval.level_approved", engine)
                engine._start_levels({engine.id: later[:1]}, now)
        return True

    def _close_open_assignments(self):
        """Close the still-pending assignments (and activities) of these requests."""
        pending = self._engine().assignment_ids.filtered(lambda a: a.state == "pending")
        activities = pending.activity_id
        pending.write({"state": "cancelled"})
        # sudo (via _engine): the activities belong to other approvers.
        as_engine(activities.sudo()).unlink()

    def _close(self, state, decision, reason, automated=False):
        """End pending (or approved, unconsumed) requests as ``state``."""
        engine = self._engine()
        now = fields.Datetime.now()
        engine._close_open_assignments()
        if decision:
            engine._log_decisions(decision, reason=reason, automated=automated, now=now)
        engine.write({"state": state, "date_decided": now})
        engine._stamp_turnaround(now)
        labels = dict(STATES)
        bodies = {
            request.id: Markup("<p>%s</p>")
            % (
                self.env._("%(state)s: %(reason)s", state=labels[state], reason=reason)
                if reason
                else labels[state]
            )
            for request in engine
        }
        engine._message_log_batch(bodies=bodies)
        if state == "rejected":
            engine._notify_requesters(self.env._("rejected"), reason)
        self.env["wfmon.publisher"]._publish(f"approval.{state}", engine.with_env(self.env))
        return True

    def _finish_approved(self, now):
        engine = self._engine()
        engine.write({"state": "approved", "date_decided": now, "level_id": False})
        engine._stamp_turnaround(now)
        engine._message_log_batch(
            bodies={r.id: Markup("<p>%s</p>") % self.env._("Approved.") for r in engine}
        )
        engine._notify_requesters(self.env._("approved"), None)
        self.env["wfmon.publisher"]._publish("approval.approved", engine.with_env(self.env))
        engine._resume()

    def _stamp_turnaround(self, now):
        for request in self:
            start = request.date_requested or now
            request.turnaround_hours = round((now - start).total_seconds() / 3600, 4)

    def _notify_requesters(self, what, reason):
        for request in self:
            body = self.env._(
                "Your request %(name)s (%(doc)s) was %(what)s.",
                name=request.name,
                doc=request.source_name,
                what=what,
            )
            if reason:
                body += " " + reason
            request.message_notify(
                partner_ids=request.requester_id.partner_id.ids,
                body=body,
                subject=body,
            )

    def _log_decisions(
        self, decision, reason=None, automated=False, now=None, user=None, reasons=None
    ):
        """Append one decision line per request (one INSERT for the batch);
        ``reasons`` (``{request id: text}``) overrides ``reason`` per request."""
        if not self:
            return self.env["wfmon.approval.decision"]
        now = now or fields.Datetime.now()
        # sudo: nobody has create access on decisions; only the engine logs them.
        return (
            self.env["wfmon.approval.decision"]
            .sudo()
            ._wfmon_engine()
            .create(
                [
                    {
                        "request_id": request.id,
                        "level_id": request.level_id.id,
                        "level_sequence": request.level_sequence,
                        "user_id": (user or self.env.user).id,
                        "decision": decision,
                        "reason": (reasons or {}).get(request.id, reason) or False,
                        "automated": automated,
                        "date": now,
                    }
                    for request in self
                ]
            )
        )

    # ------------------------------------------------------------------
    # Resume the guarded action
    # ------------------------------------------------------------------
    def _resume(self):
        """Run the approved action as the requester, once.

        The guard consumes the approval before the action runs, so calling the
        action again later needs a new approval. A failure (the document moved
        on, a missing field) is rolled back to a savepoint and reported on the
        request; the requester can then run the action by hand, still approved.
        """
        documents = self._source_records()
        for request in self:
            record = documents.get(request.id)
            if not record or not record.exists():
                continue
            method = getattr(record.with_user(request.requester_id), request.action_name, None)
            if method is None:
                continue
            try:
                with self.env.cr.savepoint():
                    method()
            except (UserError, ValidationError, AccessError) as exc:
                request._engine().message_post(
                    body=self.env._(
                        "Approved, but %(action)s could not run by itself: %(error)s. "
                        "The requester can run it again; the approval still holds.",
                        action=request.action_name,
                        error=exc.args[0] if exc.args else exc,
                    ),
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    partner_ids=request.requester_id.partner_id.ids,
                )
                continue
            if request.state != "approved":
                # The guard found the document changed since the approval: it
                # expired this request and asked for a new one.
                continue
            if not request.consumed:
                # The action does not go through the guard (a model that is not
                # guarded by the mixin): the approval is used up all the same.
                request._engine().write({"consumed": True, "consumed_date": fields.Datetime.now()})
            request._log_decisions(
                "resume",
                reason=self.env._("%s ran as the requester.", request.action_name),
                automated=True,
                user=request.requester_id,
            )

    # ------------------------------------------------------------------
    # Guard support
    # ------------------------------------------------------------------
    def _expire(self, reason):
        """Invalidate requests whose document changed (or vanished); each says
        why (``expiry_reason``, shown on the form)."""
        if self:
            self._engine().write({"expiry_reason": reason})
            self._close("expired", "expire", reason, automated=True)

    def _snapshot_changes(self, snapshot):
        self.ensure_one()
        try:
            before = json.loads(self.snapshot or "{}")
        except ValueError:
            before = {}
        after = json.loads(json.dumps(snapshot, sort_keys=True, default=str))
        return changed_keys(before, after)

    def _waiting_text(self):
        """'Waiting for approval by A, B since <date> (APR-000012)'."""
        self.ensure_one()
        request = self.sudo()
        return self.env._(
            "Waiting for approval by %(who)s since %(since)s (%(name)s, level %(level)s).",
            who=request.waiting_for or self.env._("nobody"),
            since=format_datetime(self.env, request.level_started or request.date_requested),
            name=request.name,
            level=request.level_id.display_name or request.level_sequence,
        )

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------
    def _wfmon_event_data(self):
        """Public event payload of each request (the integrators' data contract)."""
        return [
            {
                "id": request.id,
                "reference": request.name,
                "state": request.state,
                "policy": request.policy_id.name,
                "level": request.level_sequence,
                "level_name": request.level_id.name or None,
                "action": request.action_name,
                "requester": request.requester_id.login,
                "approvers": request.assignment_ids.filtered(
                    lambda a: a.state == "pending"
                ).user_id.mapped("login"),
                "company_id": request.company_id.id,
                "site": request.site_id.code or request.site_id.name or None,
                "amount": {"amount": request.amount, "currency": request.currency_id.name},
                "source": {
                    "model": request.res_model,
                    "id": request.res_id,
                    "name": request.source_name,
                },
                "deadline": fields.Datetime.to_string(request.deadline)
                if request.deadline
                else None,
            }
            for request in self.sudo()
        ]


def plain_reason(feedback):
    """Activity feedback (HTML or text) as a plain reason."""
    return html2plaintext(feedback or "").strip() if feedback else ""
