from odoo import fields, models


class WfmonRecommendationDecide(models.TransientModel):
    """Asks for the reason of a decision on advice, then records it."""

    _name = "wfmon.recommendation.decide"
    _description = "Decide on a Recommendation"

    recommendation_ids = fields.Many2many("wfmon.recommendation", required=True)
    decision = fields.Selection(
        [("accepted", "Accept"), ("dismissed", "Dismiss")], required=True, default="accepted"
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        recommendations = self.recommendation_ids
        if self.decision == "accepted":
            recommendations.action_accept(self.reason)
        else:
            recommendations.action_dismiss(self.reason)
        return {"type": "ir.actions.act_window_close"}
