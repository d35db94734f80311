from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Policy field -> (scope name the documents report as a hold, models it applies to).
RETAIL_SCOPES = {
    "wfmon_retail_replenishment": ("retail_replenishment", ("purchase.order",)),
    "wfmon_retail_urgent": ("retail_urgent", ("purchase.order",)),
    "wfmon_retail_writeoff": ("retail_writeoff", ("stock.quant", "stock.scrap")),
    "wfmon_retail_transfer": ("retail_transfer", ("stock.picking",)),
    "wfmon_retail_flagship": ("retail_flagship", ("stock.picking",)),
    "wfmon_retail_price_override": ("retail_price_override", ("sale.order",)),
}


class WfmonApprovalPolicy(models.Model):
    """Retail scopes of the approval matrix.

    A policy with one of these boxes ticked applies only to the documents that
    report the matching hold (``_wfmon_approval_hold_names``): replenishment
    purchases of a store (and urgent ones), write-offs above the store's
    threshold, inter-store transfers above it (and those involving a flagship
    store). Each ticked box counts as a scope for "most specific wins".
    """

    _inherit = "wfmon.approval.policy"

    wfmon_retail_replenishment = fields.Boolean(
        string="Store Replenishment",
        help="Only purchase orders replenishing a store's reordering rule (raised by the "
        "low-stock detector or from the store's reordering rules).",
    )
    wfmon_retail_urgent = fields.Boolean(
        string="Urgent Replenishment",
        help="Only replenishment purchases whose low-stock case is high or critical "
        "(promotion running, fast mover, stockout).",
    )
    wfmon_retail_writeoff = fields.Boolean(
        string="Store Write-off",
        help="Only inventory adjustments and scraps at a store worth more than the store's "
        "write-off threshold (at product cost).",
    )
    wfmon_retail_transfer = fields.Boolean(
        string="Inter-store Transfer",
        help="Only transfers between two stores worth more than the stricter threshold of "
        "the two stores (at product cost).",
    )
    wfmon_retail_flagship = fields.Boolean(
        string="Involves a Flagship Store",
        help="Only inter-store transfers from or to a flagship store.",
    )

    wfmon_retail_price_override = fields.Boolean(
        string="Priced Below Policy",
        help="Only sale orders with lines below the store's price policy: a unit price "
        "under the pricelist price or a discount above the store's limit.",
    )

    @api.constrains("model_id", *RETAIL_SCOPES)
    def _check_wfmon_retail_scope(self):
        for policy in self:
            for fname, (_scope, models_ok) in RETAIL_SCOPES.items():
                if policy[fname] and policy.model_name not in models_ok:
                    raise ValidationError(
                        self.env._(
                            "%(scope)s applies to %(models)s only (policy %(policy)s).",
                            scope=self._fields[fname].get_description(self.env)["string"],
                            models=", ".join(models_ok),
                            policy=policy.name,
                        )
                    )

    def _extra_scopes(self):
        scopes = super()._extra_scopes()
        return scopes + tuple(scope for fname, (scope, _m) in RETAIL_SCOPES.items() if self[fname])

    @api.model
    def _scope_labels(self):
        # The documents' signals in words (approved values, explanations).
        return {
            **super()._scope_labels(),
            **{
                scope: self._fields[fname]._description_string(self.env)
                for fname, (scope, _models) in RETAIL_SCOPES.items()
            },
        }
