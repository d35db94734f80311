from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import WfmonRpcCase

from .common_pos import RetailPosCase

PRICE = "retail.price_override"
REFUND = "retail.refund_review"
CASH = "retail.cash_discrepancy"


@tagged("post_install", "-at_install")
class TestTillControlsOverRpc(WfmonRpcCase, RetailPosCase):
    """The till controls through the endpoints the POS front end and the
    approvers use (``/web/dataset/call_kw``), each as its real role, and the
    ways a cashier could try to get round them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_users.update(
            {
                "cashier": cls.cashier,
                "store_manager": cls.manager_north,
                "finance": cls.finance,
                "pos_manager": cls.pos_manager,
            }
        )
        cls.till = cls._open_session(cls.shop_flagship)

    def _sync_rpc(self, payload, context=None):
        outcome = self.rpc("cashier", "pos.order", "sync_from_ui", [payload], context=context)
        self.assertFalse(outcome.error, outcome.message)
        return self.env["pos.order"].browse(outcome.result["pos.order"][0]["id"])

    def _approve_rpc(self, role, request):
        outcome = self.rpc(role, "wfmon.approval.request", "action_approve", request.ids)
        self.assertFalse(outcome.error, outcome.message)

    def test_r2_discount_above_policy_signed_off_by_the_store_manager(self):
        payload = self._payload(self.till, [{"product": self.chair, "qty": 3, "discount": 40}])
        # The cashier's client claims the detectors are off and the order checked.
        order = self._sync_rpc(payload, context=self.attack_context)
        self.assertEqual(order.state, "paid")
        case = self._cases(PRICE, order)
        self.assertTrue(case.is_open, "detected whatever the context says")
        request = self._requests(order)
        self.assertEqual(request.state, "pending")
        # Getting round it: signing off, or stamping the order, as the cashier.
        self.assertRefused(
            self.rpc(
                "cashier",
                "pos.order",
                "action_wfmon_sign_off",
                order.ids,
                context=self.attack_context,
            )
        )
        for vals in (
            {"wfmon_signoff_state": "signed"},
            {"wfmon_checked": False},
            {"wfmon_signoff_amount": 1.0},
        ):
            self.assertRefused(self.rpc("cashier", "pos.order", "write", order.ids, vals))
        # Nor may the cashier approve their own request.
        self.assertRefused(
            self.rpc("cashier", "wfmon.approval.request", "action_approve", request.ids)
        )
        self.assertEqual(order.wfmon_signoff_state, "pending")
        self._approve_rpc("store_manager", request)
        self.assertEqual(order.wfmon_signoff_state, "signed")
        self.assertFalse(case.is_open)

    def test_r2_a_forged_checked_order_is_refused(self):
        payload = self._payload(self.till, [{"product": self.chair, "qty": 1, "discount": 90}])
        payload["wfmon_checked"] = True
        self.assertRefused(self.rpc("cashier", "pos.order", "sync_from_ui", [payload]))
        self.assertFalse(self.env["pos.order"].search([("uuid", "=", payload["uuid"])]))

    def test_r3_refund_beyond_the_sale(self):
        sale = self._sync_rpc(self._payload(self.till, [{"product": self.chair, "qty": 1}]))
        refund = self._sync_rpc(
            self._payload(
                self.till,
                [{"product": self.chair, "qty": -3, "price_unit": 100.0, "refund_of": sale.lines}],
            ),
            context=self.attack_context,
        )
        self.assertEqual(refund.state, "paid")
        case = self._cases(REFUND, refund)
        self.assertIn("but only 1 sold", case.details)
        request = self._requests(refund)
        self.assertRefused(self.rpc("cashier", "pos.order", "action_wfmon_sign_off", refund.ids))
        self.assertRefused(
            self.rpc("cashier", "wfmon.approval.request", "action_approve", request.ids)
        )
        self._approve_rpc("store_manager", request)
        self.assertFalse(case.is_open)

    def test_r5_cash_difference_closed_by_the_cashier_approved_by_finance(self):
        payload = self._payload(self.till, [{"product": self.chair, "qty": 2}])
        self._sync_rpc(payload)
        # The closing screen: count, then close (the expected cash is 200).
        for method, args in (
            ("post_closing_cash_details", [150.0]),
            ("update_closing_control_state_session", [""]),
            ("close_session_from_ui", []),
        ):
            outcome = self.rpc(
                "cashier",
                "pos.session",
                method,
                self.till.ids,
                *args,
                context=self.attack_context,
            )
            self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(self.till.state, "closed")
        case = self._cases(CASH, self.till)
        self.assertTrue(case.is_open)
        self.assertAlmostEqual(self.till.wfmon_cash_difference, -50.0)
        request = self._requests(self.till)
        for vals in ({"wfmon_signoff_state": "signed"}, {"wfmon_cash_difference": 0.0}):
            self.assertRefused(self.rpc("pos_manager", "pos.session", "write", self.till.ids, vals))
        self.assertRefused(
            self.rpc("pos_manager", "pos.session", "action_wfmon_sign_off", self.till.ids)
        )
        self.assertRefused(
            self.rpc("cashier", "wfmon.approval.request", "action_approve", request.ids)
        )
        self.assertEqual(self.till.wfmon_signoff_state, "pending")
        self._approve_rpc("finance", request)
        self.assertEqual(self.till.wfmon_signoff_state, "signed")
        self.assertFalse(case.is_open)

    def test_r9_the_scan_is_not_callable_over_rpc(self):
        for role in ("cashier", "store_manager", "pos_manager"):
            for method in ("_cron_wfmon_anomalies", "_scan_company"):
                self.assertRefused(self.rpc(role, "wfmon.retail.anomaly", method))
