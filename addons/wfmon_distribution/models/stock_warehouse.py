from odoo import api, fields, models

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
    _inherit = "stock.warehouse"

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        string="Monitoring Site",
        index=True,
        ondelete="restrict",
        copy=False,
        help="The Operations Monitor site of this warehouse: its cases carry it, its "
        "manager supervises them and its staff see them.",
    )
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

    @api.model_create_multi
    def create(self, vals_list):
        warehouses = super().create(vals_list)
        warehouses._wfmon_ensure_site()
        return warehouses

    def write(self, vals):
        res = super().write(vals)
        if "name" in vals:
            for warehouse in self.filtered("wfmon_site_id"):
                # sudo: the site mirrors its warehouse; inventory managers edit
                # warehouses without being monitoring administrators.
                warehouse.wfmon_site_id.sudo().name = warehouse.name
        return res

    def _wfmon_ensure_site(self):
        """Link each warehouse without a site to one (same code and company when
        it exists, else a new warehouse site)."""
        missing = self.filtered(lambda wh: not wh.wfmon_site_id)
        if not missing:
            return
        # sudo: sites are monitoring configuration; creating a warehouse (an
        # inventory manager's job) must give it its site.
        Site = self.env["wfmon.site"].sudo().with_context(active_test=False)
        existing = Site.search(
            [("code", "in", missing.mapped("code")), ("company_id", "in", missing.company_id.ids)]
        )
        by_key = {(site.code, site.company_id.id): site for site in existing}
        to_create = missing.filtered(lambda wh: (wh.code, wh.company_id.id) not in by_key)
        created = Site.create(
            [
                {
                    "name": wh.name,
                    "code": wh.code,
                    "kind": "warehouse",
                    "company_id": wh.company_id.id,
                }
                for wh in to_create
            ]
        )
        by_key.update({(site.code, site.company_id.id): site for site in created})
        for warehouse in missing:
            # sudo: see above (the field is written by the engine, not the user).
            warehouse.sudo().wfmon_site_id = by_key[(warehouse.code, warehouse.company_id.id)]

    def _wfmon_setting(self, fname):
        """The warehouse's override of a distribution setting, else its company's."""
        self.ensure_one()
        return self[fname] or self.company_id[OVERRIDES[fname]]

    def _wfmon_schedule_calendar(self):
        self.ensure_one()
        return self.wfmon_calendar_id or self.company_id._wfmon_calendar()
