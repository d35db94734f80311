from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.severity import SEVERITIES, rank
from .lookup_cache import SLA_POLICIES


class WfmonSlaPolicyLine(models.Model):
    _name = "wfmon.sla.policy.line"
    # The policies' targets and steps are kept in the registry's cache
    # (wfmon.sla.policy._wfmon_plan_specs): every change clears it.
    _inherit = ["wfmon.lookup.source"]
    _wfmon_lookups = (SLA_POLICIES,)
    _description = "SLA Target"
    _order = "policy_id, severity_rank desc, id"

    policy_id = fields.Many2one("wfmon.sla.policy", required=True, ondelete="cascade", index=True)
    severity = fields.Selection(SEVERITIES, required=True)
    severity_rank = fields.Integer(compute="_compute_severity_rank", store=True)
    response_hours = fields.Float(
        help="Working hours until someone must start on the case. 0: no response target."
    )
    resolution_hours = fields.Float(
        required=True, help="Working hours until the case must be resolved."
    )

    _sql_constraints = [
        (
            "severity_uniq",
            "unique(policy_id, severity)",
            "Each severity appears once per SLA policy.",
        ),
    ]

    @api.depends("severity")
    def _compute_severity_rank(self):
        for line in self:
            line.severity_rank = rank(line.severity)

    @api.constrains("response_hours", "resolution_hours")
    def _check_hours(self):
        for line in self:
            if line.resolution_hours <= 0 or line.response_hours < 0:
                raise ValidationError(
                    self.env._(
                        "SLA targets need a positive resolution time and a "
                        "non-negative response time."
                    )
                )
            if line.response_hours > line.resolution_hours:
                raise ValidationError(
                    self.env._("The response target cannot be longer than the resolution target.")
                )
