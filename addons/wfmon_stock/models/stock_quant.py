from collections import defaultdict

from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _wfmon_free_stock(self, products, companies):
        """``{(warehouse id, product id): free quantity}`` in every warehouse of
        ``companies``: on hand minus reserved in internal locations, the same
        figure as ``product.free_qty`` with a ``warehouse_id`` context, for all
        warehouses and products in two queries."""
        if not products:
            return {}
        # sudo: the people whose documents a detector checks (sales, store
        # staff) need not read stock; detectors read availability figures only
        # to decide and describe a case.
        groups = self.sudo()._read_group(
            [
                ("product_id", "in", products.ids),
                ("company_id", "in", companies.ids),
                ("location_id.usage", "=", "internal"),
            ],
            ["location_id", "product_id"],
            ["quantity:sum", "reserved_quantity:sum"],
        )
        free = defaultdict(float)
        for location, product, quantity, reserved in groups:
            warehouse = location.warehouse_id
            if warehouse:
                free[(warehouse.id, product.id)] += quantity - reserved
        return dict(free)
