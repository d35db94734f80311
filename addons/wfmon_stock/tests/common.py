"""Test helpers shared by the suite's warehouse modules (distribution, retail):
stock on hand, sale and purchase orders, the cases of a document.

A test class mixes :class:`WarehouseDocuments` in and sets, in its
``setUpClass``, the defaults the helpers fall back on: ``default_warehouse``
(a ``stock.warehouse``), ``default_vendor`` and ``default_customer``
(``res.partner``). Sale and purchase orders need ``sale_stock`` and
``purchase_stock``, installed by the modules that use them.
"""


class WarehouseDocuments:
    default_warehouse = None
    default_vendor = None
    default_customer = None

    @classmethod
    def _stock(cls, product, warehouse, qty):
        """Put ``qty`` of ``product`` on hand in ``warehouse``'s stock location."""
        cls.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, qty)

    @classmethod
    def _lines(cls, lines, qty_field):
        """Order lines from ``(product, qty[, extra values])`` tuples."""
        return [
            (0, 0, {"product_id": product.id, qty_field: qty, **extra})
            for product, qty, *rest in lines
            for extra in [rest[0] if rest else {}]
        ]

    @classmethod
    def _order(cls, lines, warehouse=None, partner=None, **vals):
        """A quotation of ``lines`` (``(product, qty[, extra line values])``)."""
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.default_customer).id,
                "warehouse_id": (warehouse or cls.default_warehouse).id,
                "order_line": cls._lines(lines, "product_uom_qty"),
                **vals,
            }
        )

    @classmethod
    def _purchase(cls, lines, warehouse=None, vendor=None, **vals):
        """An RFQ of ``lines`` (``(product, qty[, extra line values])``) received
        at ``warehouse``."""
        return cls.env["purchase.order"].create(
            {
                "partner_id": (vendor or cls.default_vendor).id,
                "picking_type_id": (warehouse or cls.default_warehouse).in_type_id.id,
                "order_line": cls._lines(lines, "product_qty"),
                **vals,
            }
        )

    def _cases(self, type_code, records):
        """The cases (open or not) of ``type_code`` on ``records``."""
        return self.env["wfmon.case"].search(
            [
                ("type_id.code", "=", type_code),
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
            ]
        )
