from odoo import fields, models


class ResCompany(models.Model):
    """Retail settings of the company; stores override them (zero: this value)."""

    _inherit = "res.company"

    # Low stock (replenishment)
    wfmon_retail_velocity_days = fields.Integer(
        string="Sales Velocity Window (days)",
        default=14,
        help="Days of POS and sale lines the sales velocity of a product is computed on.",
    )
    wfmon_retail_fast_mover_units = fields.Float(
        string="Fast Mover (units/day)",
        default=3.0,
        help="A product selling at least this many units a day at a store is a fast mover.",
    )
    wfmon_retail_max_lead_days = fields.Integer(
        string="Vendor Lead Time Policy (days)",
        default=7,
        help="A vendor lead time, or a confirmed ETA, beyond this many days escalates the "
        "low-stock case to merchandising for a substitute.",
    )
    # Promotion readiness
    wfmon_retail_promo_horizon_days = fields.Integer(
        string="Promotion Check Horizon (days)",
        default=7,
        help="Promotions starting within this many days are checked, and cannot be "
        "activated before their check passes.",
    )
    wfmon_retail_promo_min_stock = fields.Float(
        string="Promotion Minimum Stock (units)",
        default=5.0,
        help="On-hand units each promoted product needs at every store where the promotion runs.",
    )
    wfmon_retail_promo_min_margin = fields.Float(
        string="Promotion Minimum Margin (%)",
        default=10.0,
        help="Margin (sales price against cost) each promoted product must keep.",
    )
    # Vendor not confirming / receipt overdue
    wfmon_retail_rfq_confirm_hours = fields.Float(
        string="Vendor Confirmation Window (working h)",
        default=16.0,
        help="An RFQ sent to a vendor and not confirmed after this many working hours "
        "opens a case.",
    )
    wfmon_retail_receipt_grace_hours = fields.Float(
        string="Receipt Grace (working h)",
        default=4.0,
        help="Working hours after a receipt's expected date before it is overdue.",
    )
    wfmon_retail_cover_risk_days = fields.Float(
        string="Stockout Risk Below (days of cover)",
        default=3.0,
        help="A late vendor is critical when an affected store has fewer days of cover than this.",
    )
    # Write-offs and transfers
    wfmon_retail_adjustment_threshold = fields.Monetary(
        string="Write-off Approval Above",
        currency_field="currency_id",
        default=500.0,
        help="Inventory adjustments and scraps at a store worth more than this (at product "
        "cost) wait for approval before they are applied.",
    )
    wfmon_retail_transfer_threshold = fields.Monetary(
        string="Transfer Approval Above",
        currency_field="currency_id",
        default=1000.0,
        help="Transfers between two stores worth more than this (at product cost) wait for "
        "approval before they are confirmed.",
    )
