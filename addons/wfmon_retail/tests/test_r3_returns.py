from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.wfmon_core.models.wfmon_detector import DETECTORS_OFF

from .common_pos import RetailPosCase

REFUND = "retail.refund_review"


@tagged("post_install", "-at_install")
class TestCustomerReturns(RetailPosCase):
    """R3 on customer return pickings: checked against the delivery they
    reverse, validated only once approved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.storekeeper = new_test_user(
            cls.env,
            login="wfr_storekeeper",
            name="Storekeeper",
            groups="base.group_user,stock.group_stock_user",
        )
        cls.customer = cls.env["res.partner"].create({"name": "Returning Customer"})

    def _delivered(self, product, qty):
        """A sale of the flagship store, delivered (confirmed without the
        suite's own sale controls: not what is tested here)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": self.wh_flagship.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": qty})],
            }
        )
        order.with_context(**DETECTORS_OFF).action_confirm()
        delivery = order.picking_ids
        delivery.move_ids.quantity = qty
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        return delivery

    def _return(self, delivery, qty):
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=delivery.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = qty
        action = wizard.action_create_returns()
        picking = self.env["stock.picking"].browse(action["res_id"])
        picking.move_ids.quantity = qty
        return picking.with_user(self.storekeeper)

    def test_a_return_within_policy_is_validated_at_once(self):
        picking = self._return(self._delivered(self.lamp, 2), 1)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertFalse(self._requests(picking))

    def test_more_than_delivered_waits_for_the_store_manager(self):
        picking = self._return(self._delivered(self.lamp, 2), 3)
        result = picking.button_validate()
        self.assertEqual(result["tag"], "display_notification")
        self.assertNotEqual(picking.state, "done", "not validated until approved")
        case = self._cases(REFUND, picking)
        self.assertIn("3 returned now and 0 before, but only 2 sold", case.details)
        request = self._requests(picking)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_return_invalid")
        )
        self.assertEqual(request.assignment_ids.user_id, self.manager_north)
        with self.assertRaises(UserError):
            picking.button_validate()
        with self.assertRaises(AccessError):
            picking._action_done()
        self.assertNotEqual(picking.state, "done")
        self._decide(request, self.manager_north)
        self.assertEqual(picking.state, "done")
        self.assertFalse(case.is_open)

    def test_high_value_needs_the_store_manager_then_finance(self):
        picking = self._return(self._delivered(self.chair, 25), 25)
        picking.button_validate()
        request = self._requests(picking)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_return_finance")
        )
        self._decide(request, self.manager_north)
        self.assertNotEqual(picking.state, "done")
        self._decide(request, self.finance)
        self.assertEqual(picking.state, "done")
