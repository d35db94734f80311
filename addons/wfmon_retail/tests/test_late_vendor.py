from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, count_queries

from .common import RetailCase

NOT_CONFIRMING = "retail.vendor_not_confirming"
OVERDUE = "retail.receipt_overdue"


@tagged("post_install", "-at_install")
class TestLateVendor(RetailCase):
    """An RFQ sent and not confirmed after the vendor's window, or a receipt past
    its date, opens a case that escalates by supplier tier and stockout risk."""

    def _scan(self):
        return self.env["wfmon.retail.detector"]._scan_vendors()

    @freeze_time(MONDAY_10)
    def test_strategic_vendor_silent_while_the_store_runs_out(self):
        # The standard store sells 2 coffees a day and has 4 left: 2 days of cover.
        self._stock(self.coffee, self.wh_standard, 4)
        customer = self.env["res.partner"].create({"name": "Cafe"})
        sale = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "warehouse_id": self.wh_standard.id,
                "order_line": [(0, 0, {"product_id": self.coffee.id, "product_uom_qty": 28})],
            }
        )
        sale.action_confirm()
        order = self._purchase(
            [(self.coffee, 40)], warehouse=self.wh_standard, vendor=self.slow_vendor
        ).with_user(self.buyer)
        order.write({"state": "sent"})
        self.assertEqual(order.wfmon_retail_sent_date, MONDAY_10)
        # 16 working hours of a 9-17 week: Wednesday 10:00.
        self.assertEqual(order.wfmon_retail_next_check, datetime(2026, 11, 25, 10, 0))
        # Not due yet for this order (the demo's own requests for quotation may be, on a
        # database installed at another date: the assertion is on this order).
        with freeze_time(datetime(2026, 11, 24, 16, 0)):
            self._scan()
        self.assertFalse(self._cases(NOT_CONFIRMING, order))
        with freeze_time(datetime(2026, 11, 25, 11, 0)):
            self._scan()
        case = self._cases(NOT_CONFIRMING, order)
        # Medium, raised for a strategic vendor and for the stockout risk.
        self.assertEqual(case.severity, "critical")
        self.assertEqual(case.site_id, self.standard.site_id)
        self.assertIn("strategic", case.details)
        self.assertIn("days of Coffee Beans", case.details)
        # The vendor confirms: the case resolves; the receipt is followed up next.
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(case.state, "resolved")
        self.assertTrue(order.wfmon_retail_next_check)
        late = order.date_planned + timedelta(days=2)
        with freeze_time(late):
            self._scan()
        overdue = self._cases(OVERDUE, order)
        self.assertEqual(len(overdue), 1)
        self.assertIn(overdue.severity, ("high", "critical"))
        receipt = order.picking_ids
        for move in receipt.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        receipt.button_validate()
        with freeze_time(late + timedelta(days=2)):
            self._scan()
        self.assertEqual(overdue.state, "resolved")

    @freeze_time(MONDAY_10)
    def test_nothing_due_costs_one_query(self):
        order = self._purchase([(self.juice, 10)], warehouse=self.wh_standard)
        order.write({"state": "sent"})
        self._scan()
        with count_queries(self.env) as counted:
            self.assertEqual(self._scan(), 0)
        self.assertLessEqual(counted.count, 1)

    def test_idle_pass_does_not_grow_with_open_cases(self):
        """With 3 or 9 vendors late and their cases open (checked again a day
        later), a pass with nothing due costs the same single indexed search;
        orders whose check falls due are still picked up."""

        def sent(count):
            with freeze_time(MONDAY_10):
                orders = self.env["purchase.order"].browse()
                for _index in range(count):
                    orders |= self._purchase([(self.juice, 10)], warehouse=self.wh_standard)
                orders.write({"state": "sent"})
            return orders

        def idle():
            # Wednesday 12:00: every check fell due at 10:00 and was done at 11:00.
            with freeze_time(datetime(2026, 11, 25, 12, 0)), count_queries(self.env) as counted:
                self.assertEqual(self._scan(), 0)
            return counted.count

        orders = sent(3)
        with freeze_time(datetime(2026, 11, 25, 11, 0)):
            self._scan()
        small = idle()
        orders |= sent(6)
        with freeze_time(datetime(2026, 11, 25, 11, 0)):
            self._scan()
        large = idle()
        self.assertEqual(len(self._cases(NOT_CONFIRMING, orders).filtered("is_open")), 9)
        self.assertEqual(small, large, "the idle pass reads the open cases")
        self.assertLessEqual(large, 1)

    @freeze_time(MONDAY_10)
    def test_purchases_of_other_warehouses_are_not_followed(self):
        plain = self.env["stock.warehouse"].create({"name": "Central", "code": "RCE"})
        order = self._purchase([(self.juice, 10)], warehouse=plain)
        order.write({"state": "sent"})
        self.assertTrue(order.wfmon_retail_sent_date)
        self.assertFalse(order.wfmon_retail_next_check)
