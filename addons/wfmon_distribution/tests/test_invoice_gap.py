from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, capture_events

from .common import DistributionCase

INVOICE_GAP = "distribution.invoice_gap"


@tagged("post_install", "-at_install")
class TestInvoiceGap(DistributionCase):
    """D6: delivered but not invoiced after N days; vendor bills that differ from
    their purchase order beyond tolerance."""

    def test_delivered_not_invoiced(self):
        self._stock(self.widget, self.wh_north, 10)
        with freeze_time(MONDAY_10):
            order = self._order([(self.widget, 4)])
            order.action_confirm()
            self._validate(order.picking_ids)
        self.assertEqual(order.order_line.qty_delivered, 4)
        scan = self.env["sale.order"]._cron_wfmon_uninvoiced
        with freeze_time(datetime(2026, 11, 25, 10, 0)):
            scan()
        self.assertFalse(self._cases(INVOICE_GAP, order), "2 days: within 3")
        with freeze_time(datetime(2026, 11, 27, 10, 0)), capture_events(self.env) as events:
            scan()
        case = self._cases(INVOICE_GAP, order)
        self.assertEqual(case.impact_amount, 400.0)
        line = case.distribution_line_ids
        self.assertEqual((line.quantity, line.available_qty, line.missing_qty), (4, 0, 4))
        self.assertTrue([e for e in events if e[0] == "distribution.invoice_gap"])
        with freeze_time(datetime(2026, 11, 27, 10, 30)):
            invoice = order._create_invoices()
            invoice.action_post()
        with freeze_time(datetime(2026, 11, 27, 11, 0)):
            scan()
        self.assertEqual(case.state, "resolved")

    def test_partial_invoice_refreshes_the_analysis(self):
        """The scanner reads only orders without a case: a posted customer
        invoice refreshes the analysis of its order's open case; the scanner
        resolves it once everything delivered is invoiced."""
        self._stock(self.widget, self.wh_north, 10)
        with freeze_time(MONDAY_10):
            order = self._order([(self.widget, 4)])
            order.action_confirm()
            self._validate(order.picking_ids)
        scan = self.env["sale.order"]._cron_wfmon_uninvoiced
        with freeze_time(datetime(2026, 11, 27, 10, 0)):
            scan()
        case = self._cases(INVOICE_GAP, order)
        with freeze_time(datetime(2026, 11, 27, 10, 30)):
            invoice = order._create_invoices()
            invoice.invoice_line_ids.quantity = 1
            invoice.action_post()
        line = case.distribution_line_ids
        self.assertEqual((line.quantity, line.available_qty, line.missing_qty), (4, 1, 3))
        with freeze_time(datetime(2026, 11, 27, 11, 0)):
            scan()
        self.assertTrue(case.is_open, "3 delivered units are not invoiced")
        with freeze_time(datetime(2026, 11, 27, 11, 30)):
            rest = order._create_invoices()
            rest.action_post()
            scan()
        self.assertEqual(case.state, "resolved")

    def test_warehouse_days_override(self):
        self.wh_north.wfmon_uninvoiced_days = 10
        self._stock(self.widget, self.wh_north, 10)
        with freeze_time(MONDAY_10):
            order = self._order([(self.widget, 4)])
            order.action_confirm()
            self._validate(order.picking_ids)
        with freeze_time(datetime(2026, 11, 27, 10, 0)):
            self.env["sale.order"]._cron_wfmon_uninvoiced()
        self.assertFalse(self._cases(INVOICE_GAP, order))

    def _received_purchase(self, qty=10):
        purchase = self._purchase([(self.widget, qty)])
        purchase.button_confirm()
        self._validate(purchase.picking_ids)
        purchase.action_create_invoice()
        bill = purchase.invoice_ids
        bill.invoice_date = date(2026, 11, 23)
        return purchase, bill

    def test_bill_price_beyond_tolerance(self):
        purchase, bill = self._received_purchase()
        bill.invoice_line_ids.price_unit = 61.0  # 1.7 %: within 2 %
        bill.action_post()
        self.assertFalse(self._cases(INVOICE_GAP, bill))
        bill.button_draft()
        bill.invoice_line_ids.price_unit = 66.0  # 10 %
        bill.action_post()
        case = self._cases(INVOICE_GAP, bill)
        line = case.distribution_line_ids
        self.assertEqual(line.purchase_order_id, purchase)
        self.assertAlmostEqual(line.variance_percent, 10.0)
        self.assertAlmostEqual(case.impact_amount, 60.0)
        # Corrected and posted again: resolved.
        bill.button_draft()
        bill.invoice_line_ids.price_unit = 60.0
        bill.action_post()
        self.assertEqual(case.state, "resolved")

    def test_bill_quantity_above_received(self):
        purchase = self._purchase([(self.widget, 10)])
        purchase.button_confirm()
        self._validate(purchase.picking_ids, {self.widget: 6}, backorder=False)
        purchase.action_create_invoice()
        bill = purchase.invoice_ids
        bill.invoice_date = date(2026, 11, 23)
        bill.invoice_line_ids.quantity = 10
        bill.action_post()
        case = self._cases(INVOICE_GAP, bill)
        line = case.distribution_line_ids
        self.assertEqual((line.reference_value, line.actual_value), (6, 10))
        self.assertIn("above what was received", line.name)
