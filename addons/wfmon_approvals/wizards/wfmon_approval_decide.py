from odoo import api, fields, models


class WfmonApprovalDecide(models.TransientModel):
    """Approve or reject a request with a reason."""

    _name = "wfmon.approval.decide"
    _description = "Approve or Reject"

    request_id = fields.Many2one("wfmon.approval.request", required=True, ondelete="cascade")
    decision = fields.Selection(
        [("approve", "Approve"), ("reject", "Reject")], required=True, default="approve"
    )
    reason = fields.Text()
    reason_required = fields.Boolean(compute="_compute_reason_required")
    explanation = fields.Text(related="request_id.explanation")
    routing_warning = fields.Text(related="request_id.routing_warning")
    source_name = fields.Char(related="request_id.source_name")
    amount = fields.Monetary(related="request_id.amount", currency_field="currency_id")
    currency_id = fields.Many2one(related="request_id.currency_id")

    @api.depends("decision", "request_id")
    def _compute_reason_required(self):
        for wizard in self:
            wizard.reason_required = wizard.decision == "reject" or bool(
                wizard.request_id.sudo().policy_id.reason_required_on_approve
            )

    def action_confirm(self):
        self.ensure_one()
        if self.decision == "approve":
            self.request_id.action_approve(reason=self.reason)
        else:
            self.request_id.action_reject(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
