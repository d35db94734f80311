from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_approvals.tests.common import WfmonApprovalCase


@tagged("post_install", "-at_install")
class TestPurchaseOrderGuard(WfmonApprovalCase):
    """The mixin on a real Odoo action: purchase.order.button_confirm."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer = new_test_user(cls.env, login="ap_buyer", name="Betty Buyer",
                                  groups="purchase.group_purchase_user")
        cls.vendor = cls.env["res.partner"].create({"name": "Vendor"})
        cls.product = cls.env["product.product"].create(
            {"name": "Widget", "standard_price": 10.0})
        cls.po_policy = cls.env["wfmon.approval.policy"].create(
            {
                "name": "Purchases from 5,000",
                "model_id": cls.env["ir.model"]._get("purchase.order").id,
                "action_name": "button_confirm",
                "amount_field": "amount_total",
                "currency_field": "currency_id",
                "min_amount": 5000,
                "incompatible_group_ids": [(6, 0, cls.env.ref(
                    "purchase.group_purchase_user").ids)],
                "level_ids": [(0, 0, {"name": "Finance", "approver_kind": "group",
                                      "group_id": cls.finance_group.id})],
            }
        )

    def _po(self, qty):
        return self.env["purchase.order"].with_user(self.buyer).create(
            {"partner_id": self.vendor.id,
             "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": qty,
                                    "price_unit": 100.0})]})

    def test_small_order_confirms(self):
        po = self._po(2)
        po.button_confirm()
        self.assertEqual(po.state, "purchase")

    def test_large_order_waits_then_confirms_as_the_buyer(self):
        po = self._po(60)
        response = po.button_confirm()
        self.assertEqual(po.state, "draft")
        self.assertEqual(response["tag"], "display_notification")
        request = po.wfmon_approval_request_ids
        self.assertEqual(request.amount, po.amount_total)
        self.assertEqual(request.requester_id, self.buyer)
        self.assertEqual(self._activities(request).user_id, self.finance_1 | self.finance_2)
        request.with_user(self.finance_2).action_approve()
        self.assertEqual(po.state, "purchase")
        self.assertEqual(po.user_id, self.buyer)
        self.assertTrue(request.consumed)
        self.assertFalse(self._activities(request))

    def test_purchase_users_cannot_approve_purchases(self):
        # Finance_1 is also a purchase user: incompatible with approving.
        self.finance_1.groups_id |= self.env.ref("purchase.group_purchase_user")
        po = self._po(60)
        po.button_confirm()
        request = po.wfmon_approval_request_ids
        self.assertEqual(self._activities(request).user_id, self.finance_2)
