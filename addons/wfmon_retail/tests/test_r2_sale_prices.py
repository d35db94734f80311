from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, WfmonRpcCase, capture_events

from .common import RetailCase

PRICE = "retail.price_override"


class SalePriceCase(RetailCase):
    """A salesperson selling from the flagship store's warehouse, whose price
    policy allows 20 % discount and 1 % below the pricelist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env,
            login="wfr_seller",
            name="Store Seller",
            groups="sales_team.group_sale_salesman",
        )
        cls.finance = new_test_user(
            cls.env,
            login="wfr_sale_finance",
            name="Sale Finance",
            groups="wfmon_retail.group_wfmon_retail_finance",
        )
        # The store manager approves sale orders of the store.
        cls.manager_north.write(
            {"groups_id": [(4, cls.env.ref("sales_team.group_sale_salesman").id)]}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Walk-in Customer"})
        cls.tv = cls.env["product.product"].create(
            {"name": "Store TV", "type": "consu", "list_price": 1000.0, "standard_price": 600.0}
        )

    def _order(self, lines, user=None, warehouse=None):
        """A quotation of ``lines`` (product, qty, price_unit or None, discount)."""
        order = (
            self.env["sale.order"]
            .with_user(user or self.seller)
            .create(
                {
                    "partner_id": self.customer.id,
                    "warehouse_id": (warehouse or self.wh_flagship).id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "discount": discount,
                                **({"price_unit": price} if price is not None else {}),
                            },
                        )
                        for product, qty, price, discount in lines
                    ],
                }
            )
        )
        return order

    def _requests(self, record):
        return self.env["wfmon.approval.request"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )


@tagged("post_install", "-at_install")
@freeze_time(MONDAY_10)
class TestSalePricePolicy(SalePriceCase):
    """R2 on sale order lines: below the pricelist price or with a discount
    above the store's limit, the confirmation waits for the store manager (then
    Finance for high value); a paid order is never held."""

    def test_an_order_within_policy_confirms_at_once(self):
        order = self._order([(self.juice, 10, None, 10.0)])
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._requests(order))
        self.assertFalse(self._cases(PRICE, order))

    def test_a_discount_above_the_limit_waits_for_the_store_manager(self):
        order = self._order([(self.tv, 2, None, 30.0), (self.juice, 5, None, 0.0)])
        self.assertAlmostEqual(order.wfmon_retail_price_amount, 600.0)
        with capture_events(self.env) as events:
            response = order.with_user(self.seller).action_confirm()
        self.assertIn("needs approval", response["params"]["message"])
        self.assertEqual(order.state, "draft", "held before confirmation")
        request = self._requests(order)
        self.assertEqual(request.state, "pending")
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_sale_price_store")
        )
        self.assertEqual(request.assignment_ids.user_id, self.manager_north)
        case = self._cases(PRICE, order)
        self.assertTrue(case.is_open)
        self.assertEqual(case.site_id, self.flagship.site_id)
        self.assertAlmostEqual(case.impact_amount, 600.0)
        self.assertIn("Store TV", case.details)
        self.assertIn("discount", case.details)
        self.assertIn(PRICE, [event.type for event in events])
        # Trying again says who it waits for; nothing else moves.
        with self.assertRaisesRegex(UserError, "Waiting for approval"):
            order.with_user(self.seller).action_confirm()
        # The store manager approves: the order confirms by itself, once.
        request.with_user(self.manager_north).action_approve()
        self.assertEqual(order.state, "sale")
        self.assertFalse(case.is_open)
        self.assertIn("approved by North Store Manager", case.resolution_note)

    def test_a_price_below_the_pricelist_of_high_value_goes_on_to_finance(self):
        order = self._order([(self.tv, 3, 500.0, 0.0)])
        self.assertAlmostEqual(order.wfmon_retail_price_amount, 1500.0)
        order.with_user(self.seller).action_confirm()
        request = self._requests(order)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_sale_price_finance")
        )
        request.with_user(self.manager_north).action_approve()
        self.assertEqual(order.state, "draft", "Finance has not decided yet")
        self.assertIn(
            self.finance,
            request.assignment_ids.filtered(lambda a: a.state == "pending").user_id,
        )
        request.with_user(self.finance).action_approve()
        self.assertEqual(order.state, "sale")

    def test_a_rejected_order_stays_a_quotation(self):
        order = self._order([(self.tv, 1, None, 50.0)])
        order.with_user(self.seller).action_confirm()
        request = self._requests(order)
        request.with_user(self.manager_north).action_reject("Too generous")
        self.assertEqual((request.state, order.state), ("rejected", "draft"))
        self.assertTrue(self._cases(PRICE, order).is_open)

    def test_changing_the_price_after_approval_needs_a_new_one(self):
        order = self._order([(self.tv, 1, None, 30.0)])
        order.with_user(self.seller).action_confirm()
        first = self._requests(order)
        first.with_user(self.manager_north).action_approve()
        self.assertEqual(order.state, "sale")
        # A second order approved, then made cheaper before confirmation.
        other = self._order([(self.tv, 1, None, 30.0)])
        other.with_user(self.seller).action_confirm()
        other.order_line.with_user(self.seller).write({"discount": 45.0})
        other.with_user(self.seller).action_confirm()
        requests = self._requests(other)
        self.assertEqual(len(requests), 2, "the changed order asks again")
        self.assertEqual(set(requests.mapped("state")), {"expired", "pending"})

    def test_a_paid_order_is_never_held(self):
        order = self._order([(self.tv, 1, None, 40.0)])
        provider = self.env["payment.provider"].with_context(active_test=False).search([], limit=1)
        self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env["payment.method"]
                .with_context(active_test=False)
                .search([], limit=1)
                .id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": self.customer.id,
                "reference": "WFR-PAID-1",
                "state": "done",
                "sale_order_ids": [(6, 0, order.ids)],
            }
        )
        order.with_user(self.seller).action_confirm()
        self.assertEqual(order.state, "sale", "a paid order is never blocked")
        self.assertFalse(self._requests(order))
        case = self._cases(PRICE, order)
        self.assertTrue(case.is_open, "the case asks for a sign-off after the fact")
        self.assertIn("Paid before confirmation", case.details)

    def test_a_direct_state_write_is_refused(self):
        order = self._order([(self.tv, 1, None, 40.0)])
        with self.assertRaisesRegex(AccessError, "only Confirm Order"):
            order.with_user(self.seller).write({"state": "sale"})
        self.assertEqual(order.state, "draft")


@tagged("post_install", "-at_install")
@freeze_time(MONDAY_10)
class TestSalePricePolicyOverRpc(WfmonRpcCase, SalePriceCase):
    """The same control through ``/web/dataset/call_kw``, as the salesperson
    and the store manager, and the ways round it a salesperson could try."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_users.update({"seller": cls.seller, "store_manager": cls.manager_north})

    def test_the_salesperson_cannot_get_round_the_approval(self):
        order = self._order([(self.tv, 2, None, 35.0)])
        outcome = self.rpc(
            "seller", "sale.order", "action_confirm", order.ids, context=self.attack_context
        )
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(outcome.result["tag"], "display_notification")
        self.assertEqual(order.state, "draft", "held whatever the context says")
        request = self._requests(order)
        self.assertEqual(request.state, "pending")
        # Ways round it: confirm again, write the state, approve it oneself.
        self.assertRefused(
            self.rpc(
                "seller", "sale.order", "action_confirm", order.ids, context=self.attack_context
            )
        )
        self.assertRefused(
            self.rpc(
                "seller",
                "sale.order",
                "write",
                order.ids,
                {"state": "sale"},
                context=self.attack_context,
            )
        )
        self.assertRefused(
            self.rpc("seller", "wfmon.approval.request", "action_approve", request.ids)
        )
        self.assertEqual(order.state, "draft")
        # The store manager approves over RPC: the order confirms by itself.
        outcome = self.rpc("store_manager", "wfmon.approval.request", "action_approve", request.ids)
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._cases(PRICE, order).is_open)
