from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, capture_events

from .common import DistributionCase

FULFILLMENT = "distribution.fulfillment_at_risk"


@tagged("post_install", "-at_install")
class TestFulfillment(DistributionCase):
    """D1: a confirmed sale order without enough free stock opens a fulfillment
    case showing the other warehouses' stock and the inbound purchase orders."""

    @freeze_time(MONDAY_10)
    def test_shortage_opens_case_with_alternates_and_inbound(self):
        self._stock(self.widget, self.wh_north, 4)
        self._stock(self.widget, self.wh_south, 30)
        self._stock(self.gadget, self.wh_north, 50)
        purchase = self._purchase([(self.widget, 20)])
        purchase.button_confirm()
        order = self._order([(self.widget, 10), (self.gadget, 5)])
        with capture_events(self.env) as events:
            order.action_confirm()
        case = self._cases(FULFILLMENT, order)
        self.assertEqual(len(case), 1)
        self.assertTrue(case.is_open)
        self.assertEqual(case.site_id, self.wh_north.wfmon_site_id)
        self.assertEqual(case.team_id, self.team)
        self.assertAlmostEqual(case.impact_amount, 6 * 100.0)
        lines = case.distribution_line_ids
        shortage = lines.filtered(lambda ln: ln.kind == "shortage")
        self.assertEqual(shortage.product_id, self.widget)
        self.assertEqual(
            (shortage.quantity, shortage.available_qty, shortage.missing_qty), (10, 4, 6)
        )
        alternate = lines.filtered(lambda ln: ln.kind == "alternate")
        self.assertEqual(alternate.warehouse_id, self.wh_south)
        self.assertEqual(alternate.available_qty, 30)
        inbound = lines.filtered(lambda ln: ln.kind == "inbound")
        self.assertEqual(inbound.purchase_order_id, purchase)
        self.assertEqual(inbound.quantity, 20)
        self.assertIn("Distribution South has 30", case.details)
        business = [e for e in events if e[0] == "distribution.fulfillment_at_risk"]
        self.assertEqual(len(business), 1)
        self.assertEqual(business[0][1:3], ("sale.order", (order.id,)))
        payload = business[0][3][0]
        self.assertEqual(payload["case"]["reference"], case.name)
        self.assertEqual(payload["shortages"][0]["alternates"], [{"warehouse": "DSO", "free": 30}])
        # The smart button counts the case.
        self.assertEqual(order.wfmon_case_count, 1)

    def test_enough_stock_opens_nothing(self):
        self._stock(self.widget, self.wh_north, 10)
        order = self._order([(self.widget, 10)])
        order.action_confirm()
        self.assertFalse(self._cases(FULFILLMENT, order))
        self.assertEqual(order.picking_ids.state, "assigned")

    def test_batch_allocates_stock_in_order(self):
        """Two orders confirmed together share 10 free: the second one is short."""
        self._stock(self.widget, self.wh_north, 10)
        first = self._order([(self.widget, 6)])
        second = self._order([(self.widget, 6)])
        (first | second).action_confirm()
        self.assertFalse(self._cases(FULFILLMENT, first))
        case = self._cases(FULFILLMENT, second)
        self.assertEqual(case.distribution_line_ids.filtered("missing_qty").missing_qty, 2)

    @freeze_time(MONDAY_10)
    def test_case_resolves_when_delivery_is_reserved(self):
        self._stock(self.widget, self.wh_north, 2)
        order = self._order([(self.widget, 5)])
        order.action_confirm()
        case = self._cases(FULFILLMENT, order)
        self.assertTrue(case.is_open)
        # Goods arrive, the delivery gets reserved; the re-check scanner resolves.
        self._stock(self.widget, self.wh_north, 10)
        order.picking_ids.action_assign()
        self.assertEqual(order.picking_ids.state, "assigned")
        self.env["sale.order"]._cron_wfmon_recheck()
        self.assertEqual(case.state, "resolved")
        self.assertIn("reserved", case.resolution_note)
        self.assertLessEqual(case.resolved_at, fields.Datetime.now())

    def test_salesman_without_monitor_rights_confirms(self):
        """The detector runs for a salesperson who can neither read stock nor
        cases; the case opens all the same, and the order form still loads."""
        self._stock(self.widget, self.wh_north, 1)
        order = self._order([(self.widget, 3)], user_id=self.salesman.id).with_user(self.salesman)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(self._cases(FULFILLMENT, order).is_open)
        arch = order.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("wfmon_case_count", arch)

    def test_supervisor_sees_the_case_of_their_warehouse(self):
        self._stock(self.widget, self.wh_south, 1)
        order = self._order([(self.widget, 3)], warehouse=self.wh_south)
        order.action_confirm()
        north_order = self._order([(self.widget, 3)])
        north_order.action_confirm()
        supervisor_env = self.env(user=self.supervisor)
        visible = supervisor_env["wfmon.case"].search([("type_id.code", "=", FULFILLMENT)])
        self.assertEqual(visible.mapped("res_id"), [north_order.id])
        self.assertEqual(supervisor_env["sale.order"].browse(north_order.id).wfmon_case_count, 1)
        self.assertTrue(
            supervisor_env["wfmon.distribution.line"].search([("case_id", "in", visible.ids)])
        )

    def test_archived_case_type_switches_the_detector_off(self):
        self.env.ref("wfmon_distribution.case_type_fulfillment").active = False
        order = self._order([(self.widget, 3)])
        with capture_events(self.env) as events:
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._cases(FULFILLMENT, order))
        self.assertFalse([e for e in events if e[0] == "distribution.fulfillment_at_risk"])

    def _check_partly_reserved_stays_open(self, policy, picking_state):
        """5 on hand in North, 30 in South; 20 ordered from North: 5 reserved."""
        self._stock(self.widget, self.wh_north, 5)
        self._stock(self.widget, self.wh_south, 30)
        order = self._order([(self.widget, 20)], picking_policy=policy)
        order.action_confirm()
        case = self._cases(FULFILLMENT, order)
        self.assertTrue(case.is_open)
        delivery = order.picking_ids
        self.assertEqual((delivery.move_ids.product_uom_qty, delivery.move_ids.quantity), (20, 5))
        # What the shipping policy makes of these quantities.
        self.assertEqual(delivery.state, picking_state)
        self.env["sale.order"]._cron_wfmon_recheck()
        self.assertTrue(case.is_open, "5 of 20 reserved: the shortage remains")
        # 5 more arrive; 5 ship and the backorder of 15 gets the other 5: the
        # done hook sees that 10 are still missing.
        self._stock(self.widget, self.wh_north, 5)
        delivery.action_assign()
        self._validate(delivery, {self.widget: 5})
        backorder = delivery.backorder_ids
        self.assertEqual((backorder.move_ids.product_uom_qty, backorder.move_ids.quantity), (15, 5))
        self.assertEqual(backorder.state, picking_state)
        self.assertTrue(case.is_open, "the done hook keeps it open")
        self.env["sale.order"]._cron_wfmon_recheck()
        self.assertTrue(case.is_open)
        # The rest arrives and is reserved: now the case resolves.
        self._stock(self.widget, self.wh_north, 10)
        backorder.action_assign()
        self.env["sale.order"]._cron_wfmon_recheck()
        self.assertEqual(case.state, "resolved")
        self.assertIn("reserved", case.resolution_note)

    def test_partly_reserved_delivery_keeps_the_case_open_as_soon_as_possible(self):
        """Default shipping policy: a partly reserved delivery is 'Ready' all the same."""
        self._check_partly_reserved_stays_open("direct", "assigned")

    def test_partly_reserved_delivery_keeps_the_case_open_when_all_ready(self):
        self._check_partly_reserved_stays_open("one", "confirmed")

    def test_done_hook_resolves_once_everything_is_reserved_or_done(self):
        self._stock(self.widget, self.wh_north, 2)
        order = self._order([(self.widget, 5)])
        order.action_confirm()
        case = self._cases(FULFILLMENT, order)
        # 2 ship at once; the backorder of 3 waits for stock.
        self._validate(order.picking_ids, {self.widget: 2})
        self.assertTrue(case.is_open)
        self._stock(self.widget, self.wh_north, 3)
        backorder = order.picking_ids.filtered(lambda p: p.state != "done")
        backorder.action_assign()
        self._validate(backorder)
        self.assertEqual(set(order.picking_ids.mapped("state")), {"done"})
        self.assertEqual(case.state, "resolved", "the done hook resolves it")
