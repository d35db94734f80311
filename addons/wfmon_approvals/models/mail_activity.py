from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.wfmon_core.tools.engine import is_engine

from .wfmon_approval_request import plain_reason


class MailActivity(models.Model):
    _inherit = "mail.activity"

    wfmon_is_approval = fields.Boolean(
        compute="_compute_wfmon_is_approval",
        help="An approval to-do: its form offers Approve and Reject.",
    )
    wfmon_routing_warning = fields.Text(
        string="Later Levels Without Approver",
        compute="_compute_wfmon_routing_warning",
        help="On an approval to-do: the later levels of its request that nobody may be "
        "eligible to decide, as the request form says.",
    )

    def _compute_wfmon_is_approval(self):
        approval_type = self.env.ref(
            "wfmon_approvals.mail_activity_type_wfmon_approval", raise_if_not_found=False
        )
        for activity in self:
            activity.wfmon_is_approval = bool(
                approval_type
                and activity.activity_type_id == approval_type
                and activity.res_model == "wfmon.approval.request"
            )

    def _compute_wfmon_routing_warning(self):
        approvals = self.filtered("wfmon_is_approval")
        requests = self.env["wfmon.approval.request"].browse(approvals.mapped("res_id")).exists()
        warnings = {request.id: request.routing_warning for request in requests}
        for activity in self:
            activity.wfmon_routing_warning = (
                warnings.get(activity.res_id) if activity.wfmon_is_approval else False
            ) or False

    def _wfmon_approval_activities(self):
        """Approval to-dos of these activities, unless the engine itself closes them."""
        if is_engine(self.env.context):
            return self.browse()
        approval_type = self.env.ref(
            "wfmon_approvals.mail_activity_type_wfmon_approval", raise_if_not_found=False
        )
        if not approval_type:
            return self.browse()
        return self.filtered(
            lambda a: (
                a.activity_type_id == approval_type and a.res_model == "wfmon.approval.request"
            )
        )

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking an approval to-do done approves, with the feedback as reason.

        The decision goes through the request's checks (segregation of duties,
        reason required by the policy), as the user who marks it done.
        """
        approvals = self._wfmon_approval_activities()
        if not approvals:
            return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        request_ids = sorted(set(approvals.mapped("res_id")))
        requests = self.env["wfmon.approval.request"].browse(request_ids)
        requests.action_approve(reason=plain_reason(feedback))
        rest = (self - approvals).exists()
        if rest:
            return super(MailActivity, rest)._action_done(
                feedback=feedback, attachment_ids=attachment_ids
            )
        return self.env["mail.message"], self.env["mail.activity"]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_pending_approval(self):
        """An approver cannot make a pending approval vanish by cancelling its
        to-do: they approve or reject. The engine (as superuser) closes them."""
        if self.env.su:
            return
        approvals = self._wfmon_approval_activities()
        if not approvals:
            return
        # sudo: read the state of requests the user may not see (another's to-do).
        pending = (
            self.env["wfmon.approval.request"]
            .sudo()
            .search_count([("id", "in", approvals.mapped("res_id")), ("state", "=", "pending")])
        )
        if pending:
            raise UserError(
                self.env._(
                    "This to-do is an approval: approve or reject the request instead of "
                    "cancelling it."
                )
            )

    def action_wfmon_reject(self):
        """Open the reject wizard of the request behind an approval to-do."""
        self.ensure_one()
        request = self.env["wfmon.approval.request"].browse(self.res_id)
        return request.with_context(wfmon_decision="reject").action_open_decide_wizard()

    def action_wfmon_approve(self):
        """Open the approve wizard of the request behind an approval to-do."""
        self.ensure_one()
        request = self.env["wfmon.approval.request"].browse(self.res_id)
        return request.with_context(wfmon_decision="approve").action_open_decide_wizard()
