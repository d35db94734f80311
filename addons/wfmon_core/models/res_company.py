from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    wfmon_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Monitoring Working Hours",
        help="Working hours the SLA clocks count in when neither the case's team "
        "nor its SLA policy names a calendar. Empty: the company's working hours.",
    )
    wfmon_at_risk_ratio = fields.Float(
        string="At-risk Ratio",
        default=0.75,
        help="Share of an SLA budget (0-1) after which a case is shown at risk, "
        "unless its SLA policy sets its own ratio.",
    )

    def _wfmon_calendar(self):
        self.ensure_one()
        return self.wfmon_calendar_id or self.resource_calendar_id
