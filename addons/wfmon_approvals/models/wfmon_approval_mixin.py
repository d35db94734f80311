from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.wfmon_core.tools.engine import flag

from .wfmon_approval_request import CONSUMED_KEY, PASSED_KEY


class WfmonApprovalMixin(models.AbstractModel):
    """Guard action methods of a model behind the approval matrix.

    A model opts in by inheriting this mixin and setting class attributes::

        class PurchaseOrder(models.Model):
            _inherit = ["purchase.order", "wfmon.approval.mixin"]
            _wfmon_guarded_actions = {"button_confirm": "Confirm order"}
            _wfmon_approval_site_field = None          # or "site_id"
            _wfmon_approval_case_type_field = None     # or "case_type_id"
            _wfmon_approval_snapshot_fields = ("partner_id",)

            def button_confirm(self):
                allowed, response = self._wfmon_approval_guard("button_confirm")
                res = super(PurchaseOrder, allowed).button_confirm() if allowed else True
                return response or res

    The guard lets through the records no policy applies to and those with a
    valid, unused approval (consuming it); it opens (or reuses) a request for
    the others. When the last level approves, the engine calls the action again
    as the requester, and the guard lets it through exactly once.
    """

    _name = "wfmon.approval.mixin"
    _description = "Approval-guarded document"

    #: ``{method name: label}`` of the guarded actions
    _wfmon_guarded_actions = {}
    #: field (many2one to wfmon.site) scoping policies by store / warehouse
    _wfmon_approval_site_field = None
    #: field (many2one to wfmon.case.type) scoping policies by exception type
    _wfmon_approval_case_type_field = None
    #: extra fields whose change after approval invalidates it
    _wfmon_approval_snapshot_fields = ()
    #: ``{action: (state field, states)}``: the states only the guarded action
    #: moves a record into. A ``write`` (or ``create``) putting a record there
    #: any other way is refused, else writing ``state`` would skip the approval.
    _wfmon_guarded_states = {}

    wfmon_approval_request_ids = fields.One2many(
        "wfmon.approval.request",
        "res_id",
        string="Approval Requests",
        domain=lambda self: [("res_model", "=", self._name)],
        readonly=True,
    )
    wfmon_approval_state = fields.Selection(
        [
            ("none", "No approval"),
            ("pending", "Waiting for approval"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        string="Approval",
        compute="_compute_wfmon_approval",
    )
    wfmon_approval_banner = fields.Html(
        string="Approval Status", compute="_compute_wfmon_approval", sanitize=False
    )

    def _compute_wfmon_approval(self):
        # sudo: the banner shows the approval status of a document the user can
        # already read, even when they may not read the requests themselves.
        requests = (
            self.env["wfmon.approval.request"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                order="id desc",
            )
        )
        latest = {}
        for request in requests:
            latest.setdefault(request.res_id, request)
        for record in self:
            request = latest.get(record.id)
            if not request or request.state in ("cancelled", "expired") or request.consumed:
                record.wfmon_approval_state = "none"
                record.wfmon_approval_banner = False
                continue
            if request.state == "pending":
                record.wfmon_approval_state = "pending"
                record.wfmon_approval_banner = Markup(
                    '<div class="alert alert-warning mb-0" role="status">%s</div>'
                ) % escape(request._wfmon_waiting_text())
            elif request.state == "approved":
                record.wfmon_approval_state = "approved"
                record.wfmon_approval_banner = Markup(
                    '<div class="alert alert-success mb-0" role="status">%s</div>'
                ) % self.env._("Approved (%s): the action can run once.", request.name)
            else:
                last = request.decision_ids.filtered(lambda d: d.decision == "reject")[:1]
                record.wfmon_approval_state = "rejected"
                record.wfmon_approval_banner = Markup(
                    '<div class="alert alert-danger mb-0" role="status">%s</div>'
                ) % self.env._(
                    "Rejected by %(who)s (%(name)s): %(reason)s",
                    who=last.user_id.name or "",
                    name=request.name,
                    reason=last.reason or "",
                )

    # ------------------------------------------------------------------
    # Only the guarded action enters its states
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for action, (fname, states) in self._wfmon_guarded_states.items():
                if any(vals.get(fname) in states for vals in vals_list):
                    self._wfmon_refuse_guarded_state(action, fname)
        return super().create(vals_list)

    def write(self, vals):
        for action, (fname, states) in self._wfmon_guarded_states.items():
            if vals.get(fname) not in states:
                continue
            passed = (flag(self.env.context, PASSED_KEY) or {}).get(f"{self._name}.{action}", ())
            entering = self.filtered(lambda r, f=fname, s=states: r[f] not in s)
            if set(entering.ids) - set(passed):
                self._wfmon_refuse_guarded_state(action, fname)
        return super().write(vals)

    def _wfmon_refuse_guarded_state(self, action, fname):
        raise AccessError(
            self.env._(
                "%(model)s: only %(action)s sets this %(field)s; it asks for approval "
                "where a policy applies.",
                model=self._description,
                action=self._wfmon_guarded_actions.get(action, action),
                field=self._fields[fname].string,
            )
        )

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------
    def _wfmon_approval_applicable(self, action_name):
        """Records the guarded action would really act on (e.g. drafts only).
        The others are let through untouched: the action itself skips them."""
        return self

    def _wfmon_approval_analysis(self, action_name):
        """``{record id: html}``: what the approvers decide on, stored on each
        new request of ``action_name`` (e.g. a margin analysis). Called once per
        batch of new requests; return ``{}`` for nothing."""
        return {}

    def _wfmon_approval_consumed(self, action_name):
        """``{record id: approval request}`` of the records of ``self`` that the
        last guard call let through under an approval (which it used up)."""
        # A server flag set by the guard: a client's context cannot claim one.
        consumed = (flag(self.env.context, CONSUMED_KEY) or {}).get(
            f"{self._name}.{action_name}", {}
        )
        Request = self.env["wfmon.approval.request"]
        return {
            rec_id: Request.browse(consumed[rec_id]) for rec_id in self.ids if rec_id in consumed
        }

    def _wfmon_approval_snapshot(self, policy):
        """Guarded values of this record under ``policy``: a change of any of
        them after the approval invalidates it. Extend to add computed values."""
        self.ensure_one()
        return self.env["wfmon.approval.request"]._wfmon_default_snapshot(self, policy)

    # ------------------------------------------------------------------
    # The guard
    # ------------------------------------------------------------------
    def _wfmon_approval_guard(self, action_name):
        """Split ``self`` into records allowed to run ``action_name`` now and
        records waiting for an approval; see ``wfmon.approval.request._wfmon_guard``.

        :return: ``(allowed, response)``
        """
        return self.env["wfmon.approval.request"]._wfmon_guard(self, action_name)

    def action_wfmon_view_approvals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_approvals.wfmon_approval_request_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    @api.model
    def _wfmon_guarded(self, action_name):
        """Whether ``action_name`` is guarded on this model."""
        return action_name in self._wfmon_guarded_actions
