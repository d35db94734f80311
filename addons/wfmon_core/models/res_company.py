from odoo import fields, models

from ..tools.priority import FACTORS as PRIORITY_FACTORS
from ..tools.priority import PriorityConfig
from .res_partner import TIER_ORDER


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

    # Priority score (advisory ranking of cases; see tools/priority.py)
    wfmon_priority_weight_value = fields.Float(string="Value at Risk Weight", default=25.0)
    wfmon_priority_weight_tier = fields.Float(string="Customer Tier Weight", default=15.0)
    wfmon_priority_weight_sla = fields.Float(string="SLA Exposure Weight", default=25.0)
    wfmon_priority_weight_promotion = fields.Float(string="Promotion Impact Weight", default=10.0)
    wfmon_priority_weight_velocity = fields.Float(string="Sales Velocity Weight", default=5.0)
    wfmon_priority_weight_severity = fields.Float(string="Severity Weight", default=15.0)
    wfmon_priority_weight_recurrence = fields.Float(string="Recurrence Weight", default=5.0)
    wfmon_priority_value_cap = fields.Float(
        string="Value at Risk Counting Fully",
        default=10000.0,
        help="Value at risk from which the value factor counts fully; smaller values "
        "count on a logarithmic scale (1,000 of 10,000 counts 75%).",
    )

    _sql_constraints = [
        (
            "wfmon_priority_weights_positive",
            "CHECK(wfmon_priority_weight_value >= 0 AND wfmon_priority_weight_tier >= 0 "
            "AND wfmon_priority_weight_sla >= 0 AND wfmon_priority_weight_promotion >= 0 "
            "AND wfmon_priority_weight_velocity >= 0 AND wfmon_priority_weight_severity >= 0 "
            "AND wfmon_priority_weight_recurrence >= 0)",
            "Priority weights cannot be negative.",
        ),
        (
            "wfmon_priority_value_cap_positive",
            "CHECK(wfmon_priority_value_cap > 0)",
            "The value at risk counting fully must be above zero.",
        ),
    ]

    def _wfmon_priority_config(self):
        """The priority settings of this company as :class:`PriorityConfig`."""
        self.ensure_one()
        return PriorityConfig(
            weights={
                factor: self[f"wfmon_priority_weight_{factor}"] for factor in PRIORITY_FACTORS
            },
            value_cap=self.wfmon_priority_value_cap or 10000.0,
            value_scale="log",
            tier_order=TIER_ORDER,
        )

    def write(self, vals):
        res = super().write(vals)
        if any(key.startswith("wfmon_priority_") for key in vals):
            # New weights rank the open cases again at once; closed cases keep
            # the score they were closed with.
            cases = (
                self.env["wfmon.case"]
                .sudo()
                .search([("company_id", "in", self.ids), ("is_open", "=", True)])
            )
            # sudo (above): every open case of the company is re-ranked, not
            # only those the administrator's stores show.
            cases._wfmon_priority_refresh()
        return res
