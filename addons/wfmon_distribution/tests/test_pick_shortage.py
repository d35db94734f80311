from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import capture_events

from .common import DistributionCase

PICK_SHORTAGE = "distribution.pick_shortage"


@tagged("post_install", "-at_install")
class TestPickShortage(DistributionCase):
    """D10: a transfer validated with less than its demand opens an operations
    case; it resolves when the backorder is done."""

    def test_short_pick_with_backorder(self):
        self._stock(self.widget, self.wh_north, 10)
        order = self._order([(self.widget, 10)])
        order.action_confirm()
        picking = order.picking_ids
        with capture_events(self.env) as events:
            self._validate(picking, {self.widget: 6})
        backorder = picking.backorder_ids
        self.assertTrue(backorder)
        case = self._cases(PICK_SHORTAGE, picking)
        self.assertEqual(len(case), 1)
        line = case.distribution_line_ids
        self.assertEqual((line.quantity, line.available_qty, line.missing_qty), (10, 6, 4))
        self.assertEqual(case.impact_amount, 400.0)
        self.assertIn(backorder.name, case.details)
        published = [e for e in events if e[0] == "distribution.pick_shortage"]
        self.assertEqual(published[0][3][0]["backorders"], [backorder.name])
        self._validate(backorder)
        self.assertEqual(case.state, "resolved")

    def test_full_pick_opens_nothing(self):
        self._stock(self.widget, self.wh_north, 10)
        order = self._order([(self.widget, 10)])
        order.action_confirm()
        self._validate(order.picking_ids)
        self.assertFalse(self._cases(PICK_SHORTAGE, order.picking_ids))

    def test_short_pick_without_backorder_stays_open(self):
        self._stock(self.widget, self.wh_north, 10)
        order = self._order([(self.widget, 10)])
        order.action_confirm()
        picking = order.picking_ids
        self._validate(picking, {self.widget: 7}, backorder=False)
        case = self._cases(PICK_SHORTAGE, picking)
        self.assertIn("No backorder", case.details)
        self.assertTrue(case.is_open)
