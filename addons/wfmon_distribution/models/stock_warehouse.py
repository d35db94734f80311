from odoo import fields, models

# Per-warehouse override field -> company default field. An override of zero
# means "use the company's setting".
OVERRIDES = {
    "wfmon_picking_sla_hours": "wfmon_dist_picking_sla_hours",
    "wfmon_uninvoiced_days": "wfmon_dist_uninvoiced_days",
    "wfmon_tolerance_percent": "wfmon_dist_tolerance_percent",
    "wfmon_large_order_amount": "wfmon_dist_large_order_amount",
    "wfmon_min_margin_percent": "wfmon_dist_min_margin_percent",
}


class StockWarehouse(models.Model):
    """Per-warehouse overrides of the distribution settings; the warehouse's
    monitoring site is wfmon_stock's."""

    _inherit = "stock.warehouse"

    wfmon_picking_sla_hours = fields.Float(
        string="Picking SLA Window (working h)",
        help="Overrides the company's setting for this warehouse. Zero: company setting.",
    )
    wfmon_uninvoiced_days = fields.Integer(
        string="Delivered Not Invoiced After (days)",
        help="Overrides the company's setting for this warehouse. Zero: company setting.",
    )
    wfmon_tolerance_percent = fields.Float(
        string="Price / Quantity Tolerance (%)",
        help="Overrides the company's setting for this warehouse. Zero: company setting.",
    )
    wfmon_large_order_amount = fields.Monetary(
        string="Large Order Amount",
        currency_field="wfmon_currency_id",
        help="Overrides the company's setting for this warehouse. Zero: company setting.",
    )
    wfmon_min_margin_percent = fields.Float(
        string="Minimum Margin (%)",
        help="Overrides the company's setting for this warehouse. Zero: company setting.",
    )
    wfmon_currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    wfmon_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        help="Working hours the picking SLA window counts in. Empty: the company's "
        "monitoring working hours.",
    )

    def _wfmon_setting(self, fname):
        """The warehouse's override of a distribution setting, else its company's."""
        self.ensure_one()
        return self[fname] or self.company_id[OVERRIDES[fname]]

    def _wfmon_schedule_calendar(self):
        self.ensure_one()
        return self.wfmon_calendar_id or self.company_id._wfmon_calendar()
