from odoo import fields, models


class ResCompany(models.Model):
    """The limit of a sales price change made without approval."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    wfmon_retail_list_price_max_change = fields.Float(
        string="Largest Sales Price Change (%)",
        default=20.0,
        help="A change of a product's sales price by more than this, up or down, waits for "
        "approval before it is applied (one request per change, for every product it "
        "moves beyond the limit). Zero: no limit.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    wfmon_retail_list_price_max_change = fields.Float(
        related="company_id.wfmon_retail_list_price_max_change", readonly=False
    )
