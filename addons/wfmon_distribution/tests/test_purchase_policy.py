from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import capture_events

from .common import DistributionCase

PURCHASE_POLICY = "distribution.purchase_policy_breach"


@tagged("post_install", "-at_install")
class TestPurchasePolicy(DistributionCase):
    """D9: purchase orders above the amount limit, from a vendor not approved for
    the product, or priced beyond tolerance from the vendor price list open a
    purchase-policy case and wait for a purchase manager's approval (the
    approval mixin on Odoo's own purchase.order.button_confirm); they confirm by
    themselves, as the buyer, once approved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer = new_test_user(
            cls.env, login="wfd_buyer", name="Betty Buyer", groups="purchase.group_purchase_user"
        )
        cls.purchase_manager = new_test_user(
            cls.env,
            login="wfd_purchase_manager",
            name="Pat Purchase Manager",
            groups="purchase.group_purchase_manager",
        )

    def _approve(self, purchase, user=None):
        request = purchase.wfmon_approval_request_ids
        request.with_user(user or self.purchase_manager).action_approve(reason="Urgent")
        return request

    def test_price_variance_waits_for_the_purchase_manager(self):
        purchase = self._purchase([(self.widget, 10, {"price_unit": 75.0})]).with_user(self.buyer)
        response = purchase.button_confirm()
        self.assertEqual(response["tag"], "display_notification")
        self.assertEqual(purchase.state, "draft")
        request = purchase.wfmon_approval_request_ids
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_distribution.approval_policy_purchase")
        )
        self.assertIn("Price differs from the vendor price list", request.analysis)
        self.assertIn("25.0", request.analysis, "the variance")
        self.assertIn(self.purchase_manager, request.assignment_ids.user_id)
        self.assertNotIn(self.buyer, request.assignment_ids.user_id)
        case = self._cases(PURCHASE_POLICY, purchase)
        self.assertTrue(case.is_open)
        self._approve(purchase)
        self.assertEqual(purchase.state, "purchase", "confirmed by itself once approved")
        self.assertTrue(request.consumed)
        self.assertEqual(case.state, "resolved")
        self.assertIn("approved by Pat Purchase Manager", case.resolution_note)

    def test_a_manager_never_approves_their_own_purchase(self):
        self.buyer.groups_id |= self.env.ref("purchase.group_purchase_manager")
        purchase = self._purchase([(self.widget, 10, {"price_unit": 75.0})]).with_user(self.buyer)
        purchase.button_confirm()
        request = purchase.wfmon_approval_request_ids
        self.assertIn(self.purchase_manager, request.assignment_ids.user_id)
        self.assertNotIn(self.buyer, request.assignment_ids.user_id, "segregation of duties")

    def test_changed_after_approval_needs_a_new_one(self):
        purchase = self._purchase([(self.widget, 10, {"price_unit": 75.0})])
        purchase.button_confirm()
        first = purchase.wfmon_approval_request_ids
        purchase.order_line.price_unit = 80.0
        purchase.button_confirm()
        self.assertEqual(first.state, "expired")
        self.assertEqual(len(purchase.wfmon_approval_request_ids), 2)
        self.assertEqual(purchase.state, "draft")

    def test_an_expired_request_says_why_and_links_its_successor(self):
        purchase = self._purchase([(self.widget, 10, {"price_unit": 75.0})])
        purchase.button_confirm()
        first = purchase.wfmon_approval_request_ids
        purchase.order_line.price_unit = 80.0
        purchase.button_confirm()
        second = purchase.wfmon_approval_request_ids - first
        self.assertEqual(first.state, "expired")
        self.assertEqual(first.successor_id, second)
        self.assertIn("Total", first.expiry_reason, "the changed value, by its label")
        self.assertNotIn("amount_total", first.expiry_reason)
        self.assertIn(second.name, first.expiry_reason)

    def test_a_site_filled_in_later_does_not_void_the_approval(self):
        """The warehouse gets its monitoring site after the request: a derived
        value, not a change a person made to what was approved."""
        self.wh_north.wfmon_site_id = False
        purchase = self._purchase([(self.widget, 10, {"price_unit": 75.0})]).with_user(self.buyer)
        purchase.button_confirm()
        request = purchase.wfmon_approval_request_ids
        self.wh_north.wfmon_site_id = self.env["wfmon.site"].create(
            {"name": "North site", "code": "NS1", "kind": "warehouse"}
        )
        self._approve(purchase)
        self.assertEqual(request.state, "approved")
        self.assertEqual(purchase.state, "purchase", "confirmed by itself, not expired")

    def test_within_policy(self):
        purchase = self._purchase([(self.widget, 10)])
        purchase.button_confirm()
        self.assertEqual(purchase.state, "purchase", "no approval needed")
        self.assertFalse(purchase.wfmon_approval_request_ids)
        self.assertFalse(self._cases(PURCHASE_POLICY, purchase))

    def test_price_variance(self):
        purchase = self._purchase([(self.widget, 10, {"price_unit": 75.0})])
        with capture_events(self.env) as events:
            purchase.button_confirm()
        case = self._cases(PURCHASE_POLICY, purchase)
        line = case.distribution_line_ids
        self.assertEqual((line.reference_value, line.actual_value), (60.0, 75.0))
        self.assertAlmostEqual(line.variance_percent, 25.0)
        self.assertIn("price variance", case.summary)
        payload = next(e.data[0] for e in events if e[0] == "distribution.purchase_policy_breach")
        self.assertEqual(payload["reasons"], ["price"])

    def test_unapproved_vendor_and_amount(self):
        stranger = self.env["res.partner"].create({"name": "Grey Market Inc"})
        purchase = self._purchase([(self.widget, 500, {"price_unit": 60.0})], vendor=stranger)
        purchase.button_confirm()
        case = self._cases(PURCHASE_POLICY, purchase)
        self.assertEqual(case.severity, "high", "two reasons")
        self.assertIn("vendor not approved", case.summary)
        self.assertIn("above the amount limit", case.summary)
        self.assertEqual(purchase.wfmon_case_count, 1)
