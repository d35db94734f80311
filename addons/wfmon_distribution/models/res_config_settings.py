from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    wfmon_dist_picking_sla_hours = fields.Float(
        related="company_id.wfmon_dist_picking_sla_hours", readonly=False
    )
    wfmon_dist_uninvoiced_days = fields.Integer(
        related="company_id.wfmon_dist_uninvoiced_days", readonly=False
    )
    wfmon_dist_tolerance_percent = fields.Float(
        related="company_id.wfmon_dist_tolerance_percent", readonly=False
    )
    wfmon_dist_large_order_amount = fields.Monetary(
        related="company_id.wfmon_dist_large_order_amount",
        currency_field="company_currency_id",
        readonly=False,
    )
    wfmon_dist_min_margin_percent = fields.Float(
        related="company_id.wfmon_dist_min_margin_percent", readonly=False
    )
    wfmon_dist_max_discount_percent = fields.Float(
        related="company_id.wfmon_dist_max_discount_percent", readonly=False
    )
    wfmon_dist_purchase_amount_limit = fields.Monetary(
        related="company_id.wfmon_dist_purchase_amount_limit",
        currency_field="company_currency_id",
        readonly=False,
    )
    wfmon_dist_check_vendor = fields.Boolean(
        related="company_id.wfmon_dist_check_vendor", readonly=False
    )
    wfmon_dist_overdue_grace_days = fields.Integer(
        related="company_id.wfmon_dist_overdue_grace_days", readonly=False
    )
    wfmon_dist_require_tax = fields.Boolean(
        related="company_id.wfmon_dist_require_tax", readonly=False
    )
    wfmon_dist_require_packaging = fields.Boolean(
        related="company_id.wfmon_dist_require_packaging", readonly=False
    )
