from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import capture_events, count_queries

from .common import DistributionCase

MASTER_DATA = "distribution.master_data_gap"


@tagged("post_install", "-at_install")
class TestMasterData(DistributionCase):
    """D7: an open order missing its delivery address, taxes, a vendor for a
    bought product or any route to replenish a product it waits for opens a
    data-remediation case; a blocking case type stops the delivery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.wfmon_dist_require_tax = True
        cls.bare_customer = cls.env["res.partner"].create({"name": "Walk-in Ltd"})
        cls.tax = cls.env["account.tax"].create({"name": "VAT 10", "amount": 10.0})
        buy = cls.env.ref("purchase_stock.route_warehouse0_buy")
        cls.bought = cls.env["product.product"].create(
            {
                "name": "Bought part",
                "type": "consu",
                "is_storable": True,
                "list_price": 10.0,
                "taxes_id": [(6, 0, cls.tax.ids)],
                "route_ids": [(6, 0, buy.ids)],
            }
        )

    def test_gaps_open_case_and_resolve_when_completed(self):
        self._stock(self.bought, self.wh_north, 10)
        order = self._order([(self.bought, 2)], partner=self.bare_customer)
        order.order_line.tax_id = False
        with capture_events(self.env) as events:
            order.action_confirm()
        case = self._cases(MASTER_DATA, order)
        self.assertEqual(len(case), 1)
        gaps = case.distribution_line_ids.mapped("name")
        self.assertEqual(len(gaps), 3, gaps)
        self.assertTrue(any("Delivery address" in g for g in gaps))
        self.assertTrue(any("No tax" in g for g in gaps))
        self.assertTrue(any("no vendor" in g for g in gaps))
        payload = next(e.data[0] for e in events if e[0] == "distribution.master_data_gap")
        self.assertEqual({g["code"] for g in payload["gaps"]}, {"address", "tax", "vendor"})
        # Partly fixed: the scanner refreshes the analysis, the case stays open.
        self.bare_customer.write(
            {"street": "2 Side St", "city": "Shelbyville", "country_id": self.country.id}
        )
        self.env["sale.order"]._cron_wfmon_master_data()
        self.assertTrue(case.is_open)
        self.assertEqual(len(case.distribution_line_ids), 2)
        order.order_line.tax_id = self.tax
        self.bought.seller_ids = [(0, 0, {"partner_id": self.vendor.id, "price": 5.0})]
        self.env["sale.order"]._cron_wfmon_master_data()
        self.assertEqual(case.state, "resolved")

    def test_route_gap_on_a_product_nothing_can_replenish(self):
        # No route at all (purchase_stock gives new products the Buy route).
        stranded = self.env["product.product"].create(
            {
                "name": "Discontinued part",
                "type": "consu",
                "is_storable": True,
                "list_price": 10.0,
                "route_ids": [(6, 0, [])],
                "taxes_id": [(6, 0, self.tax.ids)],
            }
        )
        order = self._order([(stranded, 4)])
        order.action_confirm()
        case = self._cases(MASTER_DATA, order)
        self.assertEqual(
            case.distribution_line_ids.mapped("name"),
            [
                "Discontinued part is not reserved and nothing can replenish it: no buy or "
                "manufacture route, no vendor, no reordering rule, no resupply warehouse"
            ],
        )
        # A reordering rule in the warehouse gives it a way back: the gap clears.
        self.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": stranded.id,
                "warehouse_id": self.wh_north.id,
                "location_id": self.wh_north.lot_stock_id.id,
                "product_min_qty": 0,
                "product_max_qty": 10,
            }
        )
        self.env["sale.order"]._cron_wfmon_master_data()
        self.assertEqual(case.state, "resolved")

    def test_reserved_or_replenishable_products_have_no_route_gap(self):
        stranded = self.env["product.product"].create(
            {
                "name": "In stock part",
                "type": "consu",
                "is_storable": True,
                "route_ids": [(6, 0, [])],
                "taxes_id": [(6, 0, self.tax.ids)],
            }
        )
        self._stock(stranded, self.wh_north, 5)
        order = self._order([(stranded, 4), (self.widget, 500)])
        order.order_line.tax_id = self.tax
        order.action_confirm()
        self.assertFalse(self._cases(MASTER_DATA, order), "reserved, or the widget has a vendor")

    def test_blocking_case_type_stops_delivery(self):
        self.env.ref("wfmon_distribution.case_type_master_data").blocking = True
        self._stock(self.widget, self.wh_north, 10)
        order = self._order([(self.widget, 2)], partner=self.bare_customer)
        order.action_confirm()
        self.assertEqual(order.wfmon_case_blocking_count, 1)
        with self.assertRaisesRegex(UserError, "Master data is missing"):
            self._validate(order.picking_ids)
        order.partner_shipping_id.write(
            {"street": "2 Side St", "city": "Shelbyville", "country_id": self.country.id}
        )
        self.env["sale.order"]._cron_wfmon_master_data()
        self._validate(order.picking_ids)
        self.assertEqual(order.picking_ids.state, "done")

    def test_master_data_check_queries_do_not_grow_with_orders(self):
        """The check of a batch of orders reads each kind of data once for the batch
        (the lines' taxes included), whatever the number of orders."""
        self._stock(self.bought, self.wh_north, 100)

        def check(count):
            orders = self.env["sale.order"]
            for _i in range(count):
                orders |= self._order([(self.bought, 1)], partner=self.bare_customer)
            orders.action_confirm()
            orders.order_line.tax_id = False
            with count_queries(self.env) as queries:
                gaps = orders._wfmon_master_data_gaps()
            self.assertEqual(len(gaps), count)
            self.assertTrue(all(any(code == "tax" for code, _m, _p in g) for g in gaps.values()))
            return queries.count

        self.assertEqual(check(3), check(9))
