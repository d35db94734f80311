from odoo import fields, models

from odoo.addons.wfmon_core.models.wfmon_engine_mixin import ALL_FIELDS

ASSIGNMENT_STATES = [
    ("pending", "Waiting"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("cancelled", "No longer needed"),
]


class WfmonApprovalAssignment(models.Model):
    """A person asked to decide the current level of a request (engine-managed)."""

    _name = "wfmon.approval.assignment"
    _inherit = ["wfmon.engine.mixin"]
    _description = "Approval Assignment"
    _order = "request_id, level_sequence, id"
    # Created and written by the approval engine only (wfmon.engine.mixin).
    _wfmon_engine_fields = ALL_FIELDS
    _wfmon_engine_create = True

    request_id = fields.Many2one(
        "wfmon.approval.request", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="request_id.company_id", store=True, index=True, precompute=True
    )
    level_id = fields.Many2one("wfmon.approval.level", ondelete="set null")
    level_sequence = fields.Integer(string="Level No.")
    user_id = fields.Many2one("res.users", string="Approver", required=True, index=True)
    on_behalf_of_id = fields.Many2one("res.users", string="On Behalf Of")
    state = fields.Selection(ASSIGNMENT_STATES, default="pending", required=True, index=True)
    escalated = fields.Boolean(help="Added by the escalation at the deadline.")
    activity_id = fields.Many2one("mail.activity", ondelete="set null")

    def _schedule_activities(self, escalation=False):
        """One approval activity per assignment (one batch), and one notification
        per approver for the whole batch instead of one mail per activity."""
        if not self:
            return
        activity_type = self.env.ref("wfmon_approvals.mail_activity_type_wfmon_approval")
        model_id = self.env["ir.model"]._get_id("wfmon.approval.request")
        today = fields.Date.context_today(self)
        vals_list = []
        for assignment in self:
            request = assignment.request_id
            deadline = (
                fields.Date.context_today(self, request.deadline) if request.deadline else today
            )
            summary = self.env._("Approve %s", request.source_name)
            if assignment.on_behalf_of_id:
                summary += self.env._(" (for %s)", assignment.on_behalf_of_id.name)
            if escalation:
                summary = self.env._("Escalated: %s", summary)
            vals_list.append(
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": model_id,
                    "res_id": request.id,
                    "user_id": assignment.user_id.id,
                    "summary": summary,
                    "note": request.explanation,
                    "date_deadline": max(deadline, today),
                    "automated": True,
                }
            )
        # sudo: the engine schedules to-dos for other users; the acting user
        # (requester or previous approver) may not write on the request.
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )
        for assignment, activity in zip(self, activities, strict=True):
            assignment.activity_id = activity
        self.request_id._notify_approvers(
            self,
            self.env._("Escalated: %s approval(s) wait for you")
            if escalation
            else self.env._("%s approval(s) waiting for you"),
        )
