from odoo import fields, models


class WfmonCase(models.Model):
    _inherit = "wfmon.case"

    distribution_line_ids = fields.One2many(
        "wfmon.distribution.line", "case_id", string="Analysis", readonly=True
    )
    distribution_line_count = fields.Integer(compute="_compute_distribution_line_count")

    def _compute_distribution_line_count(self):
        groups = self.env["wfmon.distribution.line"]._read_group(
            [("case_id", "in", self.ids)], ["case_id"], ["__count"]
        )
        counts = {case.id: count for case, count in groups}
        for case in self:
            case.distribution_line_count = counts.get(case.id, 0)
