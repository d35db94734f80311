from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, capture_events

from .common import DistributionCase

INBOUND_DELAY = "distribution.inbound_delayed"
TUESDAY = datetime(2026, 11, 24, 10, 0)
WEDNESDAY = datetime(2026, 11, 25, 10, 0)
FRIDAY = datetime(2026, 11, 27, 10, 0)


@tagged("post_install", "-at_install")
class TestInboundDelay(DistributionCase):
    """D3: a receipt that is late, or whose vendor date moves later, while
    committed customer orders need the goods: impact analysis on a case."""

    def _setup_dependency(self):
        with freeze_time(MONDAY_10):
            purchase = self._purchase([(self.widget, 20, {"date_planned": TUESDAY})])
            purchase.button_confirm()
            order = self._order([(self.widget, 5)], commitment_date=WEDNESDAY)
            order.action_confirm()
            other = self._order([(self.gadget, 3)], commitment_date=WEDNESDAY)
            other.action_confirm()
        return purchase, order, other

    def test_vendor_moves_date_opens_impact_case(self):
        purchase, order, other = self._setup_dependency()
        self.assertFalse(self._cases(INBOUND_DELAY, purchase))
        with freeze_time(MONDAY_10), capture_events(self.env) as events:
            purchase.order_line.date_planned = FRIDAY
        line = purchase.order_line
        self.assertTrue(line.wfmon_date_moved)
        self.assertEqual(line.wfmon_date_planned_initial, TUESDAY)
        case = self._cases(INBOUND_DELAY, purchase)
        self.assertEqual(len(case), 1)
        impact = case.distribution_line_ids
        self.assertEqual(impact.sale_order_id, order, "the gadget order does not depend on it")
        self.assertEqual(impact.partner_id, self.customer)
        self.assertEqual(impact.product_id, self.widget)
        self.assertEqual(impact.warehouse_id, self.wh_north)
        self.assertEqual(impact.commitment_date, WEDNESDAY)
        self.assertEqual(impact.date_planned, FRIDAY)
        self.assertEqual(case.impact_amount, 500.0)
        self.assertEqual(case.severity, "high", "promised within two days")
        self.assertIn(order.name, case.details)
        published = [e for e in events if e[0] == "distribution.inbound_delayed"]
        self.assertEqual(len(published), 1)
        affected = published[0][3][0]["affected"]
        self.assertEqual(affected[0]["sale_order_id"], order.id)
        self.assertEqual(affected[0]["customer_id"], self.customer.id)
        # Customer communication: a to-do for the order's salesperson.
        todo = order.activity_ids.filtered(lambda a: "inform the customer" in a.summary)
        self.assertEqual(todo.user_id, order.user_id)
        self.assertIn(case.name, todo.note)
        self.assertFalse(other.activity_ids)
        # Moving it back before the promised date clears the condition.
        with freeze_time(MONDAY_10):
            purchase.order_line.date_planned = TUESDAY
        self.assertFalse(line.wfmon_date_moved)
        self.assertEqual(case.state, "resolved")

    def test_late_receipt_found_by_scanner_and_resolved_on_receipt(self):
        purchase, order, _other = self._setup_dependency()
        with freeze_time(WEDNESDAY):
            self.env["purchase.order"]._cron_wfmon_inbound_delay()
        case = self._cases(INBOUND_DELAY, purchase)
        self.assertEqual(case.distribution_line_ids.sale_order_id, order)
        self.assertTrue(case.is_open)
        # The planner's list shows it too.
        at_risk = self.env["wfmon.distribution.line"].search(
            [("kind", "=", "impact"), ("purchase_order_id", "=", purchase.id)]
        )
        self.assertEqual(at_risk.sale_order_id, order)
        with freeze_time(WEDNESDAY):
            self._validate(purchase.picking_ids)
            self.env["purchase.order"]._cron_wfmon_inbound_delay()
        self.assertEqual(purchase.receipt_status, "full")
        self.assertEqual(case.state, "resolved")

    def test_orders_joining_an_open_case_are_informed_once(self):
        purchase, order, _other = self._setup_dependency()
        with freeze_time(WEDNESDAY):
            self.env["purchase.order"]._cron_wfmon_inbound_delay()
        case = self._cases(INBOUND_DELAY, purchase)
        self.assertEqual(case.informed_sale_order_ids, order)
        with freeze_time(WEDNESDAY):
            late = self._order([(self.widget, 2)], commitment_date=FRIDAY)
            late.action_confirm()
            self.env["purchase.order"]._cron_wfmon_inbound_delay()
            # The next scan finds nobody new to inform.
            self.env["purchase.order"]._cron_wfmon_inbound_delay()

        def todos(sale):
            return sale.activity_ids.filtered(lambda a: "inform the customer" in a.summary)

        self.assertEqual(case.distribution_line_ids.sale_order_id, order | late)
        self.assertEqual(len(todos(late)), 1, "the order that joined is informed")
        self.assertEqual(len(todos(order)), 1, "the first order is not asked twice")
        self.assertEqual(case.informed_sale_order_ids, order | late)

    def test_late_receipt_without_dependent_order_opens_nothing(self):
        with freeze_time(MONDAY_10):
            purchase = self._purchase([(self.gadget, 20, {"date_planned": TUESDAY})])
            purchase.button_confirm()
        with freeze_time(WEDNESDAY):
            self.env["purchase.order"]._cron_wfmon_inbound_delay()
        self.assertFalse(self._cases(INBOUND_DELAY, purchase))
