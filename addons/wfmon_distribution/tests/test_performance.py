import logging

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.wfmon_core.models.wfmon_detector import DETECTORS_OFF
from odoo.addons.wfmon_core.tests.common import MONDAY_10, count_queries

from .common import DistributionCase

_logger = logging.getLogger(__name__)
NO_MONITOR = DETECTORS_OFF


@tagged("post_install", "-at_install")
class TestQueryCounts(DistributionCase):
    """The confirm and validate overrides and the scanners cost a number of
    queries that does not grow with the number of documents in the batch.

    Odoo's ORM itself writes rows in chunks (``INSERT_BATCH_SIZE`` and
    ``UPDATE_BATCH_SIZE`` are 100), so a batch 5 or 10 times larger may cost a
    few more queries per table written; a query per document would cost
    hundreds.  The bound below allows one query per five extra documents."""

    def assertBounded(self, small, large, extra_documents, label):
        _logger.info("%s: %s queries (small batch), %s (large batch)", label, small, large)
        self.assertLessEqual(
            large - small,
            extra_documents // 5,
            f"{label}: {small} queries for the small batch, {large} for the large one",
        )

    def _queries(self, func):
        with count_queries(self.env) as queries:
            func()
        return queries.count

    def _orders(self, count):
        # Every other order misses stock: half of them open a fulfillment case.
        orders = self.env["sale.order"]
        for index in range(count):
            product = self.widget if index % 2 else self.gadget
            orders |= self._order([(product, 3)])
        return orders

    def _confirm_overhead(self, count):
        with_monitor = self._orders(count)
        without = self._orders(count)
        self._confirmed = getattr(self, "_confirmed", self.env["sale.order"]) | with_monitor
        monitored = self._queries(lambda: with_monitor.action_confirm())
        plain = self._queries(lambda: without.with_context(**NO_MONITOR).action_confirm())
        return monitored - plain

    def test_confirm_overhead_is_bounded(self):
        self._stock(self.gadget, self.wh_north, 10000)
        small = self._confirm_overhead(20)
        large = self._confirm_overhead(100)
        cases = self.Case.search(
            [
                ("type_id.code", "=", "distribution.fulfillment_at_risk"),
                ("res_model", "=", "sale.order"),
                ("res_id", "in", self._confirmed.ids),
            ]
        )
        self.assertEqual(len(cases), 10 + 50, "every monitored widget order is short")
        self.assertBounded(small, large, 80, "confirm overhead")

    def _validate_overhead(self, count):
        def pickings():
            orders = self.env["sale.order"]
            for _index in range(count):
                orders |= self._order([(self.gadget, 4)])
            orders.action_confirm()
            for move in orders.picking_ids.move_ids:
                move.quantity = 3  # short pick: one backorder each
                move.picked = True
            return orders.picking_ids

        with_monitor = pickings()
        without = pickings()
        monitored = self._queries(
            lambda: with_monitor.with_context(skip_backorder=True).button_validate()
        )
        plain = self._queries(
            lambda: without.with_context(skip_backorder=True, **NO_MONITOR).button_validate()
        )
        self.assertEqual(
            len(
                self.Case.search(
                    [
                        ("res_id", "in", with_monitor.ids),
                        ("type_id.code", "=", "distribution.pick_shortage"),
                    ]
                )
            ),
            count,
        )
        return monitored - plain

    def test_validate_overhead_is_bounded(self):
        self._stock(self.gadget, self.wh_north, 100000)
        small = self._validate_overhead(10)
        large = self._validate_overhead(50)
        self.assertBounded(small, large, 40, "validate overhead")

    def _late_pickings(self, count):
        """``count`` deliveries planned and confirmed on Monday 10:00 (late the next day)."""
        Picking = self.env["stock.picking"]
        customers = self.env.ref("stock.stock_location_customers")
        # Planned and confirmed on Monday 10:00, scanned the next day.
        with freeze_time(MONDAY_10):
            pickings = Picking.create(
                [
                    {
                        "picking_type_id": self.wh_north.out_type_id.id,
                        "scheduled_date": MONDAY_10,
                        "move_ids": [
                            (
                                0,
                                0,
                                {
                                    "name": "Late",
                                    "product_id": self.widget.id,
                                    "product_uom_qty": 1,
                                    "product_uom": self.widget.uom_id.id,
                                    "location_id": self.wh_north.lot_stock_id.id,
                                    "location_dest_id": customers.id,
                                },
                            )
                        ],
                    }
                    for _i in range(count)
                ]
            )
            pickings.action_confirm()
            pickings.scheduled_date = MONDAY_10
        return pickings

    def test_picking_scanner_batch_is_bounded(self):
        late_pickings = self._late_pickings
        scan = self.env["stock.picking"]._cron_wfmon_picking_sla
        first = late_pickings(20)
        with freeze_time("2026-11-24 16:00:00"):
            small = self._queries(scan)
        self.assertEqual(
            len(
                self.Case.search([("res_id", "in", first.ids), ("res_model", "=", "stock.picking")])
            ),
            20,
        )
        second = late_pickings(200)
        with freeze_time("2026-11-24 16:00:00"):
            large = self._queries(scan)
        self.assertEqual(
            len(
                self.Case.search(
                    [("res_id", "in", second.ids), ("res_model", "=", "stock.picking")]
                )
            ),
            200,
        )
        self.assertBounded(small, large, 180, "picking scanner")
        # 200 cases opened with their chatter, audit and analysis lines, events and
        # raised priority: the ORM's multi-row statements (100 rows each), nothing per case.
        self.assertLessEqual(large, 90, "opening 200 cases: fewer than half a query per case")

    def test_picking_scanner_idle_pass_reads_nothing_open(self):
        """With nothing due, the late-picking scanner costs the same few queries
        whether 5 or 105 late pickings have their case open: it never reads them."""
        scan = self.env["stock.picking"]._cron_wfmon_picking_sla
        pickings = self._late_pickings(5)
        with freeze_time("2026-11-24 16:00:00"):
            scan()
            small = self._queries(scan)
        pickings |= self._late_pickings(100)
        with freeze_time("2026-11-24 16:00:00"):
            scan()
            large = self._queries(scan)
        self.assertEqual(
            self.Case.search_count(
                [
                    ("res_id", "in", pickings.ids),
                    ("res_model", "=", "stock.picking"),
                    ("is_open", "=", True),
                ]
            ),
            105,
        )
        _logger.info("picking scanner, idle pass: %s queries (5 open), %s (105 open)", small, large)
        self.assertEqual(small, large, "the idle pass reads the open pickings")
        # The case type is looked up in the registry's cache, not by query.
        self.assertLessEqual(large, 12, "the idle pass costs a fixed handful of queries")
