from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Policy field -> scope name the customer returns report as a hold.
RETURN_SCOPES = {
    "wfmon_retail_return": "retail_return",
    "wfmon_retail_return_invalid": "retail_return_invalid",
}


class WfmonApprovalPolicy(models.Model):
    """Scopes of the matrix for customer return pickings (returns and refunds)."""

    _inherit = "wfmon.approval.policy"  # pylint: disable=consider-merging-classes-inherited

    wfmon_retail_return = fields.Boolean(
        string="Customer Return",
        help="Only customer returns (made by the return wizard, not the till's).",
    )
    wfmon_retail_return_invalid = fields.Boolean(
        string="Return out of Policy",
        help="Only customer returns that fail the return check: no original delivery, "
        "outside the return window, more than delivered.",
    )

    @api.constrains("model_id", *RETURN_SCOPES)
    def _check_wfmon_retail_return_scope(self):
        for policy in self:
            if (
                any(policy[fname] for fname in RETURN_SCOPES)
                and policy.model_name != "stock.picking"
            ):
                raise ValidationError(
                    self.env._(
                        "The customer return scopes apply to transfers only (policy %s).",
                        policy.name,
                    )
                )

    def _extra_scopes(self):
        scopes = super()._extra_scopes()
        return scopes + tuple(scope for fname, scope in RETURN_SCOPES.items() if self[fname])

    @api.model
    def _scope_labels(self):
        # The documents' signals in words (approved values, explanations).
        return {
            **super()._scope_labels(),
            **{
                scope: self._fields[fname]._description_string(self.env)
                for fname, scope in RETURN_SCOPES.items()
            },
        }
