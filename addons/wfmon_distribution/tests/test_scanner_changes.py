import logging
from contextlib import contextmanager
from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import count_queries, transaction_clock

from .common import DistributionCase

_logger = logging.getLogger(__name__)

FULFILLMENT = "distribution.fulfillment_at_risk"
CREDIT = "distribution.credit_hold"
INBOUND_DELAY = "distribution.inbound_delayed"
MASTER_DATA = "distribution.master_data_gap"
# Queries of an idle pass, at most: whatever the number of open cases.
IDLE_BOUND = 20


@tagged("post_install", "-at_install")
class TestRecheckScannersIdle(DistributionCase):
    """The master-data, inbound-delay and re-check scanners read only the
    documents whose inputs changed since their previous pass: with nothing
    changed, a pass costs the same few queries with N or 3N open cases, and a
    change is picked up by the next pass.

    Every test runs in one database transaction, whose clock does not move:
    ``transaction_clock`` moves it (the ``write_date`` of what a block writes
    and the watermark a pass takes), hours after the class fixture."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bare_customer = cls.env["res.partner"].create({"name": "Walk-in Ltd"})
        cls.start = cls.env.cr.now()

    @contextmanager
    def _at(self, hours):
        """The transaction clock and the Python clock ``hours`` after the fixture."""
        when = self.start + timedelta(hours=hours)
        with transaction_clock(self.env, when), freeze_time(when):
            yield

    def _queries(self, func):
        with count_queries(self.env) as queries:
            func()
        return queries.count

    def _idle_queries(self, scan, make, hour):
        """Queries of an idle pass after ``make()`` made documents at ``hour``:
        a pass (the new documents), a pass (what that pass wrote), then the
        measured one."""
        with self._at(hour):
            make()
        for step in (1, 2):
            with self._at(hour + step):
                scan()
        with self._at(hour + 3):
            return self._queries(scan)

    def assertIdle(self, small, large, label):
        _logger.info("%s, idle pass: %s queries (N open), %s (3N open)", label, small, large)
        self.assertEqual(small, large, f"{label}: the idle pass reads the open cases")
        self.assertLessEqual(large, IDLE_BOUND, f"{label}: a fixed handful of queries")

    # ------------------------------------------------------------------
    # Master data
    # ------------------------------------------------------------------
    def _gap_orders(self, count):
        """``count`` confirmed orders shipped to an address without street,
        and as many complete ones (no case: they must not be read either)."""
        orders = self.env["sale.order"]
        for _i in range(count):
            orders |= self._order([(self.widget, 1)], partner=self.bare_customer)
            orders |= self._order([(self.gadget, 1)])
        orders.action_confirm()
        return orders

    def test_master_data_idle_pass_reads_no_order(self):
        scan = self.env["sale.order"]._cron_wfmon_master_data
        orders = self.env["sale.order"]

        def make(count):
            nonlocal orders
            orders |= self._gap_orders(count)

        small = self._idle_queries(scan, lambda: make(3), 1)
        large = self._idle_queries(scan, lambda: make(6), 5)
        self.assertEqual(len(self._cases(MASTER_DATA, orders).filtered("is_open")), 9)
        with self._at(9):
            self.assertEqual(scan(), 0, "nothing changed: no order read")
        self.assertIdle(small, large, "master-data scanner")

    def test_master_data_changes_are_picked_up(self):
        scan = self.env["sale.order"]._cron_wfmon_master_data
        buy = self.env.ref("purchase_stock.route_warehouse0_buy")
        with self._at(1):
            bought = self.env["product.product"].create(
                {"name": "Bought part", "is_storable": True, "route_ids": [(6, 0, buy.ids)]}
            )
            gap = self._order([(self.widget, 1)], partner=self.bare_customer)
            vendorless = self._order([(bought, 1)])
            complete = self._order([(self.gadget, 1)])
            (gap | vendorless | complete).action_confirm()
        with self._at(2):
            scan()
        address_case = self._cases(MASTER_DATA, gap)
        vendor_case = self._cases(MASTER_DATA, vendorless)
        self.assertTrue(address_case.is_open and vendor_case.is_open)
        self.assertFalse(self._cases(MASTER_DATA, complete))
        # The address is fixed, a vendor added: the next pass resolves both.
        with self._at(3):
            self.bare_customer.write(
                {"street": "2 Side St", "city": "Shelbyville", "country_id": self.country.id}
            )
            bought.seller_ids = [(0, 0, {"partner_id": self.vendor.id, "price": 5.0})]
        with self._at(4):
            self.assertEqual(scan(), 2, "the two changed orders, nothing else")
        self.assertEqual(address_case.state, "resolved")
        self.assertEqual(vendor_case.state, "resolved")
        # An order without a case whose product loses its vendors (product form):
        # the next pass opens its case.
        with self._at(5):
            scan()
            self.gadget.seller_ids = [(5, 0, 0)]
        with self._at(6):
            scan()
        self.assertTrue(self._cases(MASTER_DATA, complete).is_open)
        self.assertIn("no vendor", self._cases(MASTER_DATA, complete).details)

    def test_master_data_reordering_rule_clears_a_route_gap(self):
        scan = self.env["sale.order"]._cron_wfmon_master_data
        with self._at(1):
            stranded = self.env["product.product"].create(
                {"name": "Discontinued part", "is_storable": True, "route_ids": [(6, 0, [])]}
            )
            order = self._order([(stranded, 4)])
            order.action_confirm()
        with self._at(2):
            scan()
        case = self._cases(MASTER_DATA, order)
        self.assertTrue(case.is_open)
        with self._at(3):
            self.env["stock.warehouse.orderpoint"].create(
                {
                    "product_id": stranded.id,
                    "warehouse_id": self.wh_north.id,
                    "location_id": self.wh_north.lot_stock_id.id,
                    "product_min_qty": 0,
                    "product_max_qty": 10,
                }
            )
        with self._at(4):
            scan()
        self.assertEqual(case.state, "resolved")

    # ------------------------------------------------------------------
    # Fulfillment re-check
    # ------------------------------------------------------------------
    def _short_orders(self, count):
        orders = self.env["sale.order"]
        for _i in range(count):
            orders |= self._order([(self.widget, 5)])
        orders.action_confirm()
        return orders

    def test_fulfillment_idle_pass_reads_no_order(self):
        scan = self.env["sale.order"]._cron_wfmon_recheck
        orders = self.env["sale.order"]

        def make(count):
            nonlocal orders
            orders |= self._short_orders(count)

        small = self._idle_queries(scan, lambda: make(3), 1)
        large = self._idle_queries(scan, lambda: make(6), 5)
        self.assertEqual(len(self._cases(FULFILLMENT, orders).filtered("is_open")), 9)
        self.assertIdle(small, large, "re-check scanner (fulfillment, credit, margin)")
        # Stock arrives and one delivery is reserved: the next pass resolves it.
        with self._at(9):
            self._stock(self.widget, self.wh_north, 5)
            orders[0].picking_ids.action_assign()
        with self._at(10):
            scan()
        cases = self._cases(FULFILLMENT, orders)
        self.assertEqual(cases.filtered(lambda c: not c.is_open).mapped("res_id"), orders[:1].ids)

    # ------------------------------------------------------------------
    # Credit re-check
    # ------------------------------------------------------------------
    def test_credit_idle_pass_and_limit_raised_or_invoice_paid(self):
        scan = self.env["sale.order"]._cron_wfmon_recheck
        self.company.account_use_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 1000.0
        payer = self.env["res.partner"].create({"name": "Late Payer", "is_company": True})
        orders = self.env["sale.order"]

        def make(count):
            nonlocal orders
            new = self.env["sale.order"]
            for _i in range(count):
                new |= self._order([(self.widget, 15)])
            new.action_confirm()
            orders |= new

        small = self._idle_queries(scan, lambda: make(3), 1)
        large = self._idle_queries(scan, lambda: make(6), 5)
        self.assertEqual(len(self._cases(CREDIT, orders).filtered("is_open")), 9)
        self.assertIdle(small, large, "re-check scanner (credit)")
        # An overdue invoice holds the payer's order; paying it clears the hold.
        with self._at(9):
            invoice = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": payer.id,
                    "invoice_date": (self.start - timedelta(days=60)).date(),
                    "invoice_date_due": (self.start - timedelta(days=30)).date(),
                    "invoice_line_ids": [
                        (0, 0, {"product_id": self.gadget.id, "price_unit": 300.0})
                    ],
                }
            )
            invoice.action_post()
            held = self._order([(self.gadget, 1)], partner=payer)
            held.action_confirm()
        with self._at(10):
            scan()
        overdue_case = self._cases(CREDIT, held)
        self.assertTrue(overdue_case.is_open)
        with self._at(11):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({})._create_payments()
        # The limit is raised: the customer's orders are read again and clear.
        with self._at(11.5):
            self.customer.with_company(self.company).credit_limit = 1000000.0
        with self._at(12):
            scan()
        self.assertEqual(overdue_case.state, "resolved")
        self.assertFalse(self._cases(CREDIT, orders).filtered("is_open"))

    # ------------------------------------------------------------------
    # Inbound delays
    # ------------------------------------------------------------------
    def _late_purchases(self, count, hour):
        """``count`` receipts of widgets expected ``hour`` + 0.5 h, and a customer
        order needing widgets two days later."""
        purchases = self.env["purchase.order"]
        arrival = self.start + timedelta(hours=hour + 0.5)
        for _i in range(count):
            purchases |= self._purchase([(self.widget, 10, {"date_planned": arrival})])
        purchases.button_confirm()
        order = self._order([(self.widget, 5)], commitment_date=arrival + timedelta(days=2))
        order.action_confirm()
        return purchases

    def test_inbound_idle_pass_reads_no_purchase(self):
        scan = self.env["purchase.order"]._cron_wfmon_inbound_delay
        purchases = self.env["purchase.order"]

        def make(count, hour):
            nonlocal purchases
            purchases |= self._late_purchases(count, hour)

        small = self._idle_queries(scan, lambda: make(3, 1), 1)
        large = self._idle_queries(scan, lambda: make(6, 5), 5)
        self.assertEqual(len(self._cases(INBOUND_DELAY, purchases).filtered("is_open")), 9)
        with self._at(9):
            self.assertEqual(scan(), 0, "nothing changed: no purchase read")
        self.assertIdle(small, large, "inbound-delay scanner")

    def test_inbound_date_passing_and_date_moved_are_picked_up(self):
        scan = self.env["purchase.order"]._cron_wfmon_inbound_delay
        with self._at(1):
            # Expected at +3h: on time until then.
            purchase = self._late_purchases(1, 2.5)
        with self._at(2):
            scan()
        self.assertFalse(self._cases(INBOUND_DELAY, purchase))
        with self._at(2.5):
            scan()
        # Nothing was written: the arrival time passing makes it late.
        with self._at(4):
            self.assertEqual(scan(), 1)
        case = self._cases(INBOUND_DELAY, purchase)
        self.assertTrue(case.is_open)
        # The goods arrive: the next pass resolves.
        with self._at(5):
            self._validate(purchase.picking_ids)
        with self._at(6):
            scan()
        self.assertEqual(case.state, "resolved")
