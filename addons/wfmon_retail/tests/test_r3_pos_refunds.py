from datetime import timedelta

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10

from .common_pos import RetailPosCase

REFUND = "retail.refund_review"


@tagged("post_install", "-at_install")
class TestRefunds(RetailPosCase):
    """R3 at the till: a refund is checked against the sale it reverses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session = cls._open_session(cls.shop_flagship)

    def _refund(self, line, qty, **kwargs):
        return self._sell(
            self.session,
            [
                {
                    "product": line.product_id,
                    "qty": -qty,
                    "price_unit": line.price_unit,
                    "refund_of": line,
                }
            ],
            **kwargs,
        )

    def test_a_valid_refund_opens_nothing(self):
        sale = self._sell(self.session, [{"product": self.chair, "qty": 2}])
        refund = self._refund(sale.lines, 1)
        self.assertEqual(refund.state, "paid")
        self.assertEqual(refund.refunded_order_id, sale)
        self.assertFalse(self._cases(REFUND, refund))
        self.assertEqual(refund.wfmon_signoff_state, "none")

    def test_more_than_sold_opens_a_case_and_waits_for_the_store_manager(self):
        sale = self._sell(self.session, [{"product": self.chair, "qty": 2}])
        self._refund(sale.lines, 1)
        refund = self._refund(sale.lines, 2)
        self.assertEqual(refund.state, "paid", "a paid refund is never refused")
        case = self._cases(REFUND, refund)
        self.assertTrue(case.is_open)
        self.assertIn("2 returned now and 1 before, but only 2 sold", case.details)
        self.assertEqual(refund.wfmon_signoff_state, "pending")
        request = self._requests(refund)
        self.assertEqual(request.amount, 200.0)
        self.assertEqual(request.assignment_ids.user_id, self.manager_north)
        self._decide(request, self.manager_north)
        self.assertFalse(case.is_open)

    def test_a_refund_outside_the_return_window(self):
        old = MONDAY_10 - timedelta(days=45)
        sale = self._sell(self.session, [{"product": self.lamp, "qty": 1}], date=old)
        refund = self._refund(sale.lines, 1, date=MONDAY_10)
        case = self._cases(REFUND, refund)
        self.assertIn("returned 45 days after the sale; the return window is 30 days", case.details)
        # 30 at stake, below the first band: signed off at once, case closed.
        self.assertEqual(refund.wfmon_signoff_state, "signed")
        # The store's own window wins over the company's.
        self.flagship.return_window_days = 60
        sale = self._sell(self.session, [{"product": self.lamp, "qty": 1}], date=old)
        self.assertFalse(self._cases(REFUND, self._refund(sale.lines, 1, date=MONDAY_10)))

    def test_a_refund_without_an_original_sale(self):
        refund = self._sell(self.session, [{"product": self.chair, "qty": -1, "price_unit": 100.0}])
        case = self._cases(REFUND, refund)
        self.assertIn("returned without an original sale", case.details)
        self.assertEqual(self._requests(refund).assignment_ids.user_id, self.manager_north)

    def test_the_detectors_cost_the_same_queries_for_more_refunds_out_of_policy(self):
        """A batch with more refunds out of policy (without an original sale and
        signed off at once, or beyond the sale and routed to the store manager)
        costs the detectors the same queries as a batch with fewer."""
        # The stock moved at closing: a picking per order would have Odoo's own
        # UPDATEs grouped differently around the detectors' flush.
        self.company.point_of_sale_update_stock_quantities = "closing"
        session = self._open_session(self.shop_standard)

        def overhead(flagged):
            def batch():
                sales = self._sync(
                    [
                        self._payload(session, [{"product": self.chair, "qty": 1}])
                        for _i in range(flagged)
                    ]
                )
                specs = [[{"product": self.lamp, "qty": -1, "price_unit": 30.0}]] * flagged
                specs += [
                    [{"product": self.chair, "qty": -2, "price_unit": 100.0, "refund_of": line}]
                    for line in sales.lines
                ]
                return [self._payload(session, spec) for spec in specs]

            added, refunds = self._detectors_overhead(batch)
            self._assert_signed_off_split(REFUND, refunds, flagged)
            return added

        overhead(1)  # warm up
        self.assertEqual(overhead(2), overhead(6))
