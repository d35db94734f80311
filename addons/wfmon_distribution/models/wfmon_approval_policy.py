from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Policy field -> (scope name used by the matrix, model the scope is read on).
DIST_SCOPES = {
    "wfmon_dist_credit_hold": ("credit_hold", "sale.order"),
    "wfmon_dist_margin": ("margin_or_discount", "sale.order"),
    "wfmon_dist_purchase": ("purchase_policy", "purchase.order"),
}


class WfmonApprovalPolicy(models.Model):
    """Distribution scopes of the approval matrix: credit hold, margin or
    discount outside policy, purchase outside policy.

    A policy with one of these boxes ticked applies only to the documents the
    matching detector flags (the holds the orders report through
    ``_wfmon_approval_hold_names``). Each ticked box is an extra scope of the
    matrix, so it counts for "most specific wins": a policy for "credit hold and
    margin" beats the "credit hold" one on an order that breaches both.
    """

    _inherit = "wfmon.approval.policy"

    wfmon_dist_credit_hold = fields.Boolean(
        string="Credit Hold",
        help="Only sale orders in credit breach: over the customer's credit limit or with "
        "invoices overdue beyond the grace days of the Settings.",
    )
    wfmon_dist_margin = fields.Boolean(
        string="Margin / Discount Outside Policy",
        help="Only large sale orders whose margin is below, or whose discount is above, "
        "the limits of the Settings (or of their warehouse).",
    )
    wfmon_dist_purchase = fields.Boolean(
        string="Purchase Outside Policy",
        help="Only purchase orders above the purchase amount limit, from a vendor not in a "
        "product's vendor list, or priced beyond tolerance from the vendor price list.",
    )

    @api.constrains("model_id", *DIST_SCOPES)
    def _check_wfmon_dist_scope(self):
        for policy in self:
            for fname, (_scope, model) in DIST_SCOPES.items():
                if policy[fname] and policy.model_name != model:
                    raise ValidationError(
                        self.env._(
                            "%(scope)s applies to %(model)s only (policy %(policy)s).",
                            scope=self._fields[fname].get_description(self.env)["string"],
                            model=model,
                            policy=policy.name,
                        )
                    )

    @api.model
    def _scope_labels(self):
        return {
            **super()._scope_labels(),
            **{
                scope: self._fields[fname]._description_string(self.env)
                for fname, (scope, _model) in DIST_SCOPES.items()
            },
        }

    @api.model
    def _scope_reasons(self):
        return {
            **super()._scope_reasons(),
            "credit_hold": self.env._(
                "the customer is over its credit limit or has invoices overdue"
            ),
            "margin_or_discount": self.env._("the margin or a discount is outside policy"),
            "purchase_policy": self.env._(
                "the purchase is outside policy (amount, vendor or price)"
            ),
        }

    def _extra_scopes(self):
        scopes = super()._extra_scopes()
        return scopes + tuple(scope for fname, (scope, _m) in DIST_SCOPES.items() if self[fname])
