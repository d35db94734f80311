from odoo import fields, models


class StockWarehouse(models.Model):
    """The warehouse's store (the warehouse <-> site link is wfmon_stock's)."""

    _inherit = "stock.warehouse"

    wfmon_retail_store_ids = fields.One2many(
        "wfmon.retail.store", "warehouse_id", string="Retail Store", readonly=True
    )

    def _wfmon_retail_store(self):
        """The retail store of this warehouse (empty when it is not a store)."""
        self.ensure_one()
        # sudo: store configuration is read by the detectors of whoever acts.
        return self.sudo().wfmon_retail_store_ids[:1]
