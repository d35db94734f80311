from odoo import models
from odoo.tools import float_compare

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools.rules import beyond_tolerance, variance_percent

INVOICE_GAP = "distribution.invoice_gap"


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "wfmon.case.mixin"]

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        if not detectors_off(self.env):
            posted.filtered(lambda m: m.move_type == "in_invoice")._wfmon_check_bill_variance()
            posted._wfmon_refresh_uninvoiced()
        return posted

    def _wfmon_refresh_uninvoiced(self):
        """Customer invoices posted: the analysis of the open invoicing-gap cases
        of their orders shows what is still not invoiced (the scanner reads only
        the orders without a case; it resolves those invoiced in full)."""
        orders = self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        ).invoice_line_ids.sale_line_ids.order_id
        if not orders:
            return
        open_cases = self.env["wfmon.distribution.detector"]._open_cases(INVOICE_GAP, orders)
        if open_cases:
            orders.browse(list(open_cases))._wfmon_check_uninvoiced()

    def button_cancel(self):
        res = super().button_cancel()
        self.env["wfmon.distribution.detector"]._resolve(
            INVOICE_GAP,
            self.filtered(lambda m: m.state == "cancel"),
            self.env._("The bill was cancelled."),
        )
        return res

    def _wfmon_bill_variances(self):
        """``{bill id: [line values]}``: bill lines whose price differs from
        their purchase line beyond tolerance, or that bring the billed quantity
        above what was received (or ordered, for products billed on order)."""
        result = {}
        for move in self:
            found = []
            for line in move.invoice_line_ids.filtered("purchase_line_id"):
                pol = line.purchase_line_id
                order = pol.order_id
                warehouse = order.picking_type_id.warehouse_id
                tolerance = (
                    warehouse._wfmon_setting("wfmon_tolerance_percent")
                    if warehouse
                    else move.company_id.wfmon_dist_tolerance_percent
                )
                ordered_price = order.currency_id._convert(
                    pol.price_unit * (1 - (pol.discount or 0.0) / 100.0),
                    move.currency_id,
                    move.company_id,
                    move.invoice_date or move.date,
                )
                ordered_price = pol.product_uom._compute_price(ordered_price, line.product_uom_id)
                billed_price = line.price_unit * (1 - (line.discount or 0.0) / 100.0)
                if beyond_tolerance(billed_price, ordered_price, tolerance):
                    found.append(
                        {
                            "kind": "variance",
                            "name": self.env._("Billed price differs from the purchase order"),
                            "product_id": line.product_id.id,
                            "purchase_order_id": order.id,
                            "partner_id": move.partner_id.id,
                            "quantity": line.quantity,
                            "reference_value": ordered_price,
                            "actual_value": billed_price,
                            "variance_percent": variance_percent(billed_price, ordered_price),
                            "amount": (billed_price - ordered_price) * line.quantity,
                        }
                    )
                reference = (
                    pol.product_qty
                    if pol.product_id.purchase_method == "purchase"
                    else pol.qty_received
                )
                allowed = reference * (1 + max(tolerance, 0.0) / 100.0)
                if (
                    float_compare(
                        pol.qty_invoiced, allowed, precision_rounding=pol.product_uom.rounding
                    )
                    > 0
                ):
                    found.append(
                        {
                            "kind": "variance",
                            "name": self.env._("Billed quantity above what was received")
                            if pol.product_id.purchase_method != "purchase"
                            else self.env._("Billed quantity above what was ordered"),
                            "product_id": line.product_id.id,
                            "purchase_order_id": order.id,
                            "partner_id": move.partner_id.id,
                            "quantity": pol.qty_invoiced,
                            "reference_value": reference,
                            "actual_value": pol.qty_invoiced,
                            "variance_percent": variance_percent(pol.qty_invoiced, reference)
                            or 100.0,
                            "amount": (pol.qty_invoiced - reference) * billed_price,
                        }
                    )
            if found:
                result[move.id] = found
        return result

    def _wfmon_check_bill_variance(self):
        """Billing variance (bills): open a finance case on bills that differ from their
        purchase orders; resolve it when a re-posted bill matches."""
        detector = self.env["wfmon.distribution.detector"]
        bills = self.filtered(lambda m: m.invoice_line_ids.purchase_line_id)
        variances = bills._wfmon_bill_variances()
        flagged = bills.filtered(lambda m: m.id in variances)
        warehouses = flagged.invoice_line_ids.purchase_line_id.order_id.picking_type_id.warehouse_id
        sites = detector._sites(warehouses)

        def site_of(bill):
            wh = bill.invoice_line_ids.purchase_line_id.order_id.picking_type_id.warehouse_id[:1]
            return sites.get(wh.id)

        detector._detect(
            INVOICE_GAP,
            flagged,
            {
                bill.id: {
                    "vendor": bill.partner_id.display_name,
                    "variances": [
                        {
                            "product_id": v["product_id"],
                            "reason": v["name"],
                            "expected": v["reference_value"],
                            "billed": v["actual_value"],
                        }
                        for v in variances[bill.id]
                    ],
                }
                for bill in flagged
            },
            details={
                bill.id: "\n".join(
                    f"{v['name']}: {v['actual_value']:.2f} vs {v['reference_value']:.2f}"
                    for v in variances[bill.id]
                )
                for bill in flagged
            },
            lines=variances,
            impact={bill.id: abs(sum(v["amount"] for v in variances[bill.id])) for bill in flagged},
            summary={
                bill.id: self.env._("%s differs from its purchase order", bill.name)
                for bill in flagged
            },
            site={bill.id: site_of(bill) for bill in flagged},
        )
        detector._resolve(
            INVOICE_GAP, bills - flagged, self.env._("The bill matches its purchase order.")
        )
        return variances
