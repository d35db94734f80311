from odoo import api, fields, models

from odoo.addons.wfmon_core.models.precompute import add_precomputed

LINE_KINDS = [
    ("shortage", "Shortage"),
    ("alternate", "Alternate Warehouse"),
    ("inbound", "Open Inbound"),
    ("impact", "Order at Risk"),
    ("margin", "Margin"),
    ("variance", "Variance"),
    ("gap", "Missing Data"),
]


class WfmonDistributionLine(models.Model):
    """What a distribution detector found, one line per product, order or gap.

    The lines belong to a case and are replaced each time the detector sees the
    condition again, so the case always shows the latest analysis: the stock
    missing and where else it is (shortage), the sale orders an inbound delay puts at
    risk (inbound delay), the margin of each line (margin / discount), the variances of a bill
    (billing variance, purchase outside policy).
    """

    _name = "wfmon.distribution.line"
    # Appended by the detectors only: one INSERT per batch (wfmon_core's wfmon_append_mixin.py).
    _inherit = ["wfmon.append.mixin"]
    _description = "Distribution Case Analysis Line"
    _order = "case_id, sequence, id"

    case_id = fields.Many2one("wfmon.case", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(
        related="case_id.company_id", store=True, index=True, precompute=True
    )
    case_state = fields.Selection(related="case_id.state", string="Case Status")
    currency_id = fields.Many2one(related="case_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(LINE_KINDS, required=True, index=True)
    name = fields.Char(string="Description")
    product_id = fields.Many2one("product.product", index=True)
    warehouse_id = fields.Many2one("stock.warehouse")
    quantity = fields.Float(string="Needed", digits="Product Unit of Measure")
    available_qty = fields.Float(string="Available", digits="Product Unit of Measure")
    missing_qty = fields.Float(string="Missing", digits="Product Unit of Measure")
    sale_order_id = fields.Many2one("sale.order", index=True)
    partner_id = fields.Many2one("res.partner", string="Customer / Vendor")
    commitment_date = fields.Datetime(string="Promised Date")
    purchase_order_id = fields.Many2one("purchase.order", index=True)
    date_planned = fields.Datetime(string="Expected Arrival")
    reference_value = fields.Float(string="Reference")
    actual_value = fields.Float(string="Actual")
    variance_percent = fields.Float(string="Variance (%)")
    amount = fields.Monetary(currency_field="currency_id")

    @api.model
    def _add_precomputed_values(self, vals_list):
        # The company of the batch's cases, read once (see wfmon_core's precompute.py).
        add_precomputed(self, vals_list)
        return super()._add_precomputed_values(vals_list)

    def action_open_sale_order(self):
        self.ensure_one()
        return self._open(self.sale_order_id)

    def action_open_purchase_order(self):
        self.ensure_one()
        return self._open(self.purchase_order_id)

    def _open(self, record):
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "target": "current",
        }
