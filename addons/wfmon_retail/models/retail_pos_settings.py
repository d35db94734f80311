from odoo import fields, models


class ResCompany(models.Model):
    """Retail settings of the till (price policy, returns, cash, anomalies);
    stores override the first four (zero: this value)."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    # Price overrides and discounts
    wfmon_retail_max_discount = fields.Float(
        string="Largest Line Discount (%)",
        default=20.0,
        help="A POS line with a larger discount waits for a sign-off.",
    )
    wfmon_retail_price_tolerance = fields.Float(
        string="Price Override Tolerance (%)",
        default=1.0,
        help="A POS line sold this far below its pricelist price or less is not an override.",
    )
    wfmon_retail_price_min_amount = fields.Monetary(
        string="Ignore Overrides Below",
        currency_field="currency_id",
        default=1.0,
        help="POS lines giving away less than this against the pricelist are ignored.",
    )
    # Returns
    wfmon_retail_return_window_days = fields.Integer(
        string="Return Window (days)",
        default=30,
        help="A refund more than this many days after the sale is out of policy. Zero: no window.",
    )
    # Cash
    wfmon_retail_cash_tolerance = fields.Monetary(
        string="Cash Difference Tolerance",
        currency_field="currency_id",
        default=10.0,
        help="A POS session closed with a larger cash difference opens a case for Finance, "
        "unless the shop has its own authorized difference in Point of Sale or the store "
        "its own tolerance.",
    )
    # Anomalies
    wfmon_retail_anomaly_days = fields.Integer(
        string="Anomaly Window (days)",
        default=28,
        help="Returns, price deviations and stock adjustments of the last this many days are "
        "compared between stores and between cashiers.",
    )
    wfmon_retail_anomaly_min_sample = fields.Integer(
        string="Anomaly Minimum Sample",
        default=30,
        help="A store or cashier with fewer sales (or adjustments) in the window is not judged.",
    )
    wfmon_retail_anomaly_threshold = fields.Float(
        string="Anomaly Threshold (robust z-score)",
        default=3.5,
        help="How far from the peers' median, in robust standard deviations, is unusual.",
    )


class WfmonRetailStore(models.Model):
    _inherit = "wfmon.retail.store"  # pylint: disable=consider-merging-classes-inherited

    max_discount = fields.Float(
        string="Largest Line Discount (%)",
        help="POS lines with a larger discount wait for a sign-off. Zero: company setting.",
    )
    price_tolerance = fields.Float(
        string="Price Override Tolerance (%)",
        help="How far below the pricelist price a POS line may be sold. Zero: company setting.",
    )
    return_window_days = fields.Integer(
        string="Return Window (days)",
        help="Refunds later than this after the sale are out of policy. Zero: company setting.",
    )
    cash_tolerance = fields.Monetary(
        string="Cash Difference Tolerance",
        help="Cash differences at closing above this open a case for Finance. Zero: the "
        "shop's authorized difference in Point of Sale when set, else the company setting.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    wfmon_retail_max_discount = fields.Float(
        related="company_id.wfmon_retail_max_discount", readonly=False
    )
    wfmon_retail_price_tolerance = fields.Float(
        related="company_id.wfmon_retail_price_tolerance", readonly=False
    )
    wfmon_retail_price_min_amount = fields.Monetary(
        related="company_id.wfmon_retail_price_min_amount",
        readonly=False,
        currency_field="company_currency_id",
    )
    wfmon_retail_return_window_days = fields.Integer(
        related="company_id.wfmon_retail_return_window_days", readonly=False
    )
    wfmon_retail_cash_tolerance = fields.Monetary(
        related="company_id.wfmon_retail_cash_tolerance",
        readonly=False,
        currency_field="company_currency_id",
    )
    wfmon_retail_anomaly_days = fields.Integer(
        related="company_id.wfmon_retail_anomaly_days", readonly=False
    )
    wfmon_retail_anomaly_min_sample = fields.Integer(
        related="company_id.wfmon_retail_anomaly_min_sample", readonly=False
    )
    wfmon_retail_anomaly_threshold = fields.Float(
        related="company_id.wfmon_retail_anomaly_threshold", readonly=False
    )
