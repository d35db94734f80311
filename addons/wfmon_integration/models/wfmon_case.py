from odoo import fields, models


class WfmonCase(models.Model):
    _inherit = "wfmon.case"

    recommendation_ids = fields.One2many("wfmon.recommendation", "case_id", readonly=True)
    recommendation_count = fields.Integer(compute="_compute_recommendation_count")
    needs_review = fields.Boolean(
        string="Manual Review",
        copy=False,
        index=True,
        help="Set when advice arrived with low confidence: a person must decide.",
    )

    def _compute_recommendation_count(self):
        counts = dict(
            self.env["wfmon.recommendation"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.recommendation_count = counts.get(case, 0)

    def _wfmon_route_to_review(self, recommendation):
        """Flag for manual review and give the owner (or team lead) a to-do."""
        for case in self:
            case.needs_review = True
            user = case.user_id or case.team_id.lead_id
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Review low-confidence recommendation"),
                note=self.env._(
                    "Confidence %(pct)s%%: %(text)s",
                    pct=round(recommendation.confidence * 100),
                    text=recommendation.text[:500],
                ),
                user_id=user.id or self.env.ref("base.user_admin").id,
            )

    def action_view_recommendations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_integration.wfmon_recommendation_action"
        )
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"default_case_id": self.id}
        return action

    def action_review_done(self):
        self.write({"needs_review": False})
        return True
