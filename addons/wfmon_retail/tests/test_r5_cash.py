from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import capture_events

from .common_pos import RetailPosCase

CASH = "retail.cash_discrepancy"


@tagged("post_install", "-at_install")
class TestCashDiscrepancy(RetailPosCase):
    """R5: the session closes whatever the difference; above the tolerance a
    case opens for Finance's approval and breaches to the regional manager."""

    def test_a_difference_within_tolerance_opens_nothing(self):
        session = self._open_session(self.shop_standard, self.cashier_south)
        self._sell(session, [{"product": self.lamp, "qty": 1}], user=self.cashier_south)
        result = self._close(session, user=self.cashier_south, difference=-5.0)
        self.assertTrue(result["successful"])
        self.assertEqual(session.state, "closed")
        self.assertAlmostEqual(session.wfmon_cash_difference, -5.0)
        self.assertFalse(self._cases(CASH, session))

    def test_a_shortfall_above_tolerance_is_closed_then_approved_by_finance(self):
        session = self._open_session(self.shop_flagship)
        self._sell(session, [{"product": self.chair, "qty": 2}])
        with capture_events(self.env) as events:
            result = self._close(session, difference=-45.0)
        self.assertTrue(result["successful"], "the closing is never refused")
        self.assertEqual(session.state, "closed")
        case = self._cases(CASH, session)
        self.assertTrue(case.is_open)
        self.assertEqual(case.severity, "high")
        self.assertAlmostEqual(case.impact_amount, 45.0)
        self.assertIn("difference -45.0", case.details)
        self.assertIn("Tolerance 10.0 (the company's tolerance)", case.details)
        self.assertEqual([e.data[0]["difference"] for e in events if e.type == CASH], [-45.0])
        request = self._requests(session)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_cash_difference")
        )
        self.assertEqual(request.requester_id, self.cashier)
        self.assertIn(self.finance, request.assignment_ids.user_id)
        self._decide(request, self.finance)
        self.assertEqual(session.wfmon_signoff_state, "signed")
        self.assertFalse(case.is_open)

    def test_odoos_authorized_difference_is_the_tolerance_unless_the_store_sets_one(self):
        self.shop_flagship.write({"set_maximum_difference": True, "amount_authorized_diff": 50.0})
        session = self._open_session(self.shop_flagship)
        self._sell(session, [{"product": self.chair, "qty": 1}])
        self._close(session, difference=-45.0)
        self.assertFalse(self._cases(CASH, session), "within the shop's authorized difference")
        self.flagship.cash_tolerance = 20.0
        session = self._open_session(self.shop_flagship)
        self._sell(session, [{"product": self.chair, "qty": 1}])
        self._close(session, difference=30.0, user=self.pos_manager)
        case = self._cases(CASH, session)
        self.assertIn("(POS manager)", case.details)
        self.assertIn("the store's tolerance", case.details)
        self.assertIn("Point of Sale's own limit: 50.0", case.details)

    def test_the_breach_goes_to_the_regional_manager(self):
        session = self._open_session(self.shop_flagship)
        self._sell(session, [{"product": self.chair, "qty": 1}])
        self._close(session, difference=-45.0)
        case = self._cases(CASH, session)
        self.assertTrue(case.resolution_deadline)
        with freeze_time(case.resolution_deadline + timedelta(hours=1)):
            self.Case._cron_scan_sla()
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "wfmon.case"), ("res_id", "=", case.id)]
        )
        self.assertIn(self.regional, activities.user_id)
