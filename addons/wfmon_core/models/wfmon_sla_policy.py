from odoo import api, fields, models
from odoo.exceptions import ValidationError


class WfmonSlaPolicy(models.Model):
    _name = "wfmon.sla.policy"
    _description = "SLA Policy"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        help="Working hours this policy counts in. Empty: the team's, else the company's.",
    )
    at_risk_ratio = fields.Float(
        string="At-risk Ratio",
        help="Share of the budget (0-1) after which a case is at risk. 0: use the company setting.",
    )
    pause_when_waiting = fields.Boolean(
        default=True,
        help="Stop the clocks while the case waits on a third party; the paused "
        "working time extends the deadlines.",
    )
    line_ids = fields.One2many("wfmon.sla.policy.line", "policy_id", string="Targets", copy=True)
    escalation_step_ids = fields.One2many(
        "wfmon.escalation.step", "policy_id", string="Escalation Ladder", copy=True
    )

    @api.constrains("at_risk_ratio")
    def _check_at_risk_ratio(self):
        for policy in self:
            if not 0 <= policy.at_risk_ratio < 1:
                raise ValidationError(
                    self.env._(
                        "The at-risk ratio of %s must be between 0 and 1.", policy.display_name
                    )
                )

    def _target(self, severity):
        """The policy line of ``severity`` (or the policy's first line)."""
        self.ensure_one()
        lines = self.line_ids
        return lines.filtered(lambda line: line.severity == severity)[:1] or lines[:1]
