from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    wfmon_retail_velocity_days = fields.Integer(
        related="company_id.wfmon_retail_velocity_days", readonly=False
    )
    wfmon_retail_fast_mover_units = fields.Float(
        related="company_id.wfmon_retail_fast_mover_units", readonly=False
    )
    wfmon_retail_max_lead_days = fields.Integer(
        related="company_id.wfmon_retail_max_lead_days", readonly=False
    )
    wfmon_retail_promo_horizon_days = fields.Integer(
        related="company_id.wfmon_retail_promo_horizon_days", readonly=False
    )
    wfmon_retail_promo_min_stock = fields.Float(
        related="company_id.wfmon_retail_promo_min_stock", readonly=False
    )
    wfmon_retail_promo_min_margin = fields.Float(
        related="company_id.wfmon_retail_promo_min_margin", readonly=False
    )
    wfmon_retail_rfq_confirm_hours = fields.Float(
        related="company_id.wfmon_retail_rfq_confirm_hours", readonly=False
    )
    wfmon_retail_receipt_grace_hours = fields.Float(
        related="company_id.wfmon_retail_receipt_grace_hours", readonly=False
    )
    wfmon_retail_cover_risk_days = fields.Float(
        related="company_id.wfmon_retail_cover_risk_days", readonly=False
    )
    wfmon_retail_adjustment_threshold = fields.Monetary(
        related="company_id.wfmon_retail_adjustment_threshold",
        currency_field="company_currency_id",
        readonly=False,
    )
    wfmon_retail_transfer_threshold = fields.Monetary(
        related="company_id.wfmon_retail_transfer_threshold",
        currency_field="company_currency_id",
        readonly=False,
    )
