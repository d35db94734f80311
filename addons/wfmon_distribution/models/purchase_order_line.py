from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import float_compare

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    wfmon_date_planned_initial = fields.Datetime(
        string="First Promised Arrival",
        readonly=True,
        copy=False,
        help="The expected arrival before the vendor first moved it later.",
    )
    wfmon_date_moved = fields.Boolean(
        string="Arrival Moved Later",
        readonly=True,
        copy=False,
        index=True,
        help="The vendor moved the expected arrival after the first promised date.",
    )

    def write(self, vals):
        if "date_planned" not in vals or detectors_off(self.env):
            return super().write(vals)
        before = {line.id: line.date_planned for line in self if line.state == "purchase"}
        res = super().write(vals)
        if before:
            self._wfmon_track_date_planned(before)
        return res

    def _wfmon_track_date_planned(self, before):
        """Remember the first promised date when a confirmed line's arrival moves
        later, and run the inbound-delay analysis of its order at once."""
        lines = self.filtered(lambda ln: ln.id in before and before[ln.id] and ln.date_planned)
        moved_later = lines.filtered(
            lambda ln: ln.date_planned > (ln.wfmon_date_planned_initial or before[ln.id])
        )
        back_in_time = lines - moved_later
        for line in moved_later.filtered(lambda ln: not ln.wfmon_date_planned_initial):
            line.wfmon_date_planned_initial = before[line.id]
        moved_later.filtered(lambda ln: not ln.wfmon_date_moved).wfmon_date_moved = True
        back_in_time.filtered("wfmon_date_moved").wfmon_date_moved = False
        if moved_later or back_in_time:
            (moved_later | back_in_time).order_id._wfmon_check_inbound_delay()

    def _wfmon_is_open(self):
        self.ensure_one()
        return (
            float_compare(
                self.qty_received, self.product_qty, precision_rounding=self.product_uom.rounding
            )
            < 0
        )

    @api.model
    def _wfmon_open_inbound(self, products, companies, limit=200):
        """``{product id: purchase lines}``: confirmed purchase lines of
        ``products`` still to receive, earliest arrival first (one query)."""
        if not products:
            return {}
        # sudo: salespeople confirming an order may not read purchases; the
        # detector lists the inbound receipts on the case for the planner.
        lines = self.sudo().search(
            [
                ("product_id", "in", products.ids),
                ("state", "=", "purchase"),
                ("company_id", "in", companies.ids),
                ("order_id.receipt_status", "in", ("pending", "partial")),
            ],
            order="date_planned, id",
            limit=limit,
        )
        result = defaultdict(list)
        for line in lines:
            if line._wfmon_is_open():
                result[line.product_id.id].append(line)
        return dict(result)
