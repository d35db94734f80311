from odoo.tests import tagged

from .common import DistributionCase, capture_events

PURCHASE_POLICY = "distribution.purchase_policy"


@tagged("post_install", "-at_install")
class TestPurchasePolicy(DistributionCase):
    """D9 (detection): purchase orders above the amount limit, from a vendor not
    approved for the product, or priced beyond tolerance from the vendor price
    list open a purchase-policy case."""

    def test_within_policy(self):
        purchase = self._purchase([(self.widget, 10)])
        purchase.button_confirm()
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
        payload = next(e[3][0] for e in events if e[0] == "distribution.purchase_policy_breach")
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
