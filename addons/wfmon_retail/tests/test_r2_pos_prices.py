from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.wfmon_core.models.wfmon_detector import DETECTORS_OFF
from odoo.addons.wfmon_core.tests.common import capture_events

from .common_pos import RetailPosCase

PRICE = "retail.price_override"


@tagged("post_install", "-at_install")
class TestPriceOverrides(RetailPosCase):
    """R2 at the till: paid orders are never refused; lines below policy open a
    case with the till's own control recorded, and wait for a sign-off routed
    by the amount at stake."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session = cls._open_session(cls.shop_flagship)

    def test_an_order_within_policy_opens_nothing(self):
        order = self._sell(self.session, [{"product": self.chair, "qty": 2, "discount": 10}])
        self.assertEqual(order.state, "paid")
        self.assertTrue(order.wfmon_checked)
        self.assertEqual(order.wfmon_signoff_state, "none")
        self.assertFalse(self._cases(PRICE, order))

    def test_a_discount_above_the_limit_is_paid_then_signed_off_by_the_store_manager(self):
        with capture_events(self.env) as events:
            order = self._sell(self.session, [{"product": self.chair, "qty": 3, "discount": 40}])
        self.assertEqual(order.state, "paid", "a paid order is never refused")
        case = self._cases(PRICE, order)
        self.assertTrue(case.is_open)
        self.assertEqual(case.site_id, self.flagship.site_id)
        self.assertAlmostEqual(case.impact_amount, 120.0)
        self.assertIn("Till Cashier (cashier)", case.details)
        self.assertIn("Price control of the till: off", case.details)
        self.assertIn("discount", case.details)
        event = [e for e in events if e.type == PRICE]
        self.assertEqual(len(event), 1)
        self.assertEqual(event[0].data[0]["cashier"]["id"], self.cashier.id)
        self.assertFalse(event[0].data[0]["till_price_control"])
        # 120 at stake: the store manager signs it off.
        self.assertEqual(order.wfmon_signoff_state, "pending")
        request = self._requests(order)
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.requester_id, self.cashier)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_pos_signoff_store")
        )
        self.assertEqual(request.assignment_ids.user_id, self.manager_north)
        self._decide(request, self.manager_north)
        self.assertEqual(order.wfmon_signoff_state, "signed")
        self.assertFalse(case.is_open)
        self.assertEqual(case.state, "resolved")

    def test_a_price_below_the_pricelist_with_the_till_control_on_records_it(self):
        self.shop_flagship.restrict_price_control = True
        order = self._sell(self.session, [{"product": self.chair, "qty": 1, "price_unit": 70.0}])
        case = self._cases(PRICE, order)
        self.assertIn("Price control of the till: on", case.details)
        self.assertIn("price", case.details)
        self.assertAlmostEqual(case.impact_amount, 30.0)
        # Below the first band (50): signed off at once, the case closes.
        self.assertEqual(order.wfmon_signoff_state, "signed")
        self.assertFalse(self._requests(order).filtered(lambda r: r.state == "pending"))
        self.assertFalse(case.is_open)

    def test_high_value_goes_to_the_store_manager_then_finance(self):
        order = self._sell(self.session, [{"product": self.chair, "qty": 10, "price_unit": 40.0}])
        request = self._requests(order)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_pos_signoff_finance")
        )
        self._decide(request, self.manager_north)
        self.assertEqual(order.wfmon_signoff_state, "pending")
        # Finance's members (the demo data adds the administrator to the group).
        self.assertIn(
            self.finance, request.assignment_ids.filtered(lambda a: a.state == "pending").user_id
        )
        self._decide(request, self.finance)
        self.assertEqual(order.wfmon_signoff_state, "signed")
        self.assertFalse(self._cases(PRICE, order).is_open)

    def test_a_store_without_manager_hands_the_signoff_over_and_keeps_the_order_pending(self):
        # A level nobody may decide goes to whoever takes over (the approvals
        # engine's rule, administrators told); the paid order is never blocked.
        self.flagship.site_id.manager_id = False
        order = self._sell(self.session, [{"product": self.chair, "qty": 3, "discount": 40}])
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.wfmon_signoff_state, "pending")
        self.assertTrue(self._requests(order))
        self.assertTrue(self._cases(PRICE, order).is_open)

    def test_a_resync_of_the_same_order_opens_nothing_more(self):
        payload = self._payload(self.session, [{"product": self.chair, "qty": 2, "discount": 50}])
        first = self._sync([dict(payload, lines=list(payload["lines"]))])
        again = self._sync([payload])
        self.assertEqual(first, again)
        self.assertEqual(len(self._cases(PRICE, first)), 1)
        self.assertEqual(self._cases(PRICE, first).occurrence_count, 1)
        self.assertEqual(len(self._requests(first)), 1)

    def test_without_the_module_nothing_is_detected(self):
        """The baseline: the same sale with the detectors off opens nothing."""
        order = self.env["pos.order"].with_user(self.cashier).with_context(**DETECTORS_OFF)
        result = order.sync_from_ui(
            [self._payload(self.session, [{"product": self.chair, "qty": 3, "discount": 40}])]
        )
        saved = self.env["pos.order"].browse(result["pos.order"][0]["id"])
        self.assertEqual(saved.state, "paid")
        self.assertFalse(self._cases(PRICE, saved))

    def test_the_cashier_cannot_sign_off_or_skip_the_check(self):
        order = self._sell(self.session, [{"product": self.chair, "qty": 3, "discount": 40}])
        with self.assertRaises(UserError):
            order.with_user(self.cashier).action_wfmon_sign_off()
        for vals in ({"wfmon_signoff_state": "signed"}, {"wfmon_checked": False}):
            with self.assertRaises(AccessError):
                order.with_user(self.cashier).write(vals)
        self.assertEqual(order.wfmon_signoff_state, "pending")
        # A forged payload marking a new order as checked is refused outright.
        payload = self._payload(self.session, [{"product": self.chair, "qty": 1, "discount": 90}])
        payload["wfmon_checked"] = True
        with self.assertRaises(AccessError):
            self._sync([payload])

    def test_the_detectors_cost_a_fixed_number_of_queries_per_batch(self):
        """What the detectors add to a sync does not grow with the orders."""

        def overhead(n):
            def batch():
                return [
                    self._payload(self.session, [{"product": self.lamp, "qty": 1}])
                    for _i in range(n)
                ]

            return self._detectors_overhead(batch)[0]

        overhead(2)  # warm up
        self.assertEqual(overhead(5), overhead(20))

    def test_the_detectors_cost_the_same_queries_for_more_flagged_orders(self):
        """A batch with more orders above policy (cases opened, signed off at once
        below the first band and their cases resolved, or routed to the store
        manager) costs the detectors the same queries as a batch with fewer."""

        def overhead(flagged):
            def batch():
                # 12 at stake: signed off at once; 120: the store manager signs off.
                # (Every order flagged: the ORM groups its UPDATEs by the columns
                # written, which quiet orders in between would change.)
                specs = [{"product": self.lamp, "qty": 1, "discount": 40}] * flagged + [
                    {"product": self.chair, "qty": 3, "discount": 40}
                ] * flagged
                return [self._payload(self.session, [spec]) for spec in specs]

            added, orders = self._detectors_overhead(batch)
            self._assert_signed_off_split(PRICE, orders, flagged)
            return added

        overhead(1)  # warm up
        self.assertEqual(overhead(2), overhead(6))
