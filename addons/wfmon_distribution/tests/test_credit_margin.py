from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, capture_events

from .common import DistributionCase

CREDIT = "distribution.credit_hold"
MARGIN = "distribution.margin_breach"


@tagged("post_install", "-at_install")
class TestCreditHold(DistributionCase):
    """D4: orders over the customer's credit limit, or of customers with
    overdue invoices, open a credit-hold case and wait for Finance's credit
    release before they confirm, by themselves, on approval."""

    def test_credit_hold_released_by_finance_confirms_the_order(self):
        self.company.account_use_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 1000.0
        finance = new_test_user(
            self.env,
            login="wfd_finance",
            name="Finance",
            groups="account.group_account_manager,sales_team.group_sale_salesman",
        )
        order = self._order([(self.widget, 15)])
        order.action_confirm()
        self.assertEqual(order.state, "draft", "confirmation blocked while credit is held")
        self.assertEqual(order.wfmon_approval_state, "pending")
        case = self._cases(CREDIT, order)
        self.assertTrue(case.is_open)
        request = self.env["wfmon.approval.request"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_distribution.approval_policy_credit_release")
        )
        with self.assertRaisesRegex(UserError, "Waiting for approval"):
            order.action_confirm()
        self.assertIn("Credit position of Acme B2B", request.analysis)
        self.assertIn("Credit limit", request.analysis)
        request.with_user(finance).action_approve(reason="Customer paid by wire today")
        self.assertEqual(request.state, "approved")
        self.assertEqual(order.state, "sale", "confirmed by itself once released")
        self.assertTrue(request.consumed)
        # The hold is closed by the release, naming it: the decision trail.
        self.assertEqual(case.state, "resolved")
        self.assertIn(request.name, case.resolution_note or "")
        self.assertIn("approved by Finance", case.resolution_note or "")

    def test_a_warehouse_policy_outranks_the_company_one(self):
        self.company.account_use_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 1000.0
        south_policy = self.env["wfmon.approval.policy"].create(
            {
                "name": "Credit release at South",
                "model_id": self.env["ir.model"]._get("sale.order").id,
                "action_name": "action_confirm",
                "amount_field": "amount_total",
                "currency_field": "currency_id",
                "site_id": self.wh_south.wfmon_site_id.id,
                "wfmon_dist_credit_hold": True,
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Lead",
                            "approver_kind": "users",
                            "user_ids": [(6, 0, self.lead.ids)],
                        },
                    )
                ],
            }
        )
        north = self._order([(self.widget, 15)])
        south = self._order([(self.widget, 15)], warehouse=self.wh_south)
        (north | south).action_confirm()
        requests = self.env["wfmon.approval.request"].search(
            [("res_model", "=", "sale.order"), ("res_id", "in", (north | south).ids)]
        )
        by_order = {r.res_id: r for r in requests}
        self.assertEqual(by_order[south.id].policy_id, south_policy)
        self.assertEqual(by_order[south.id].site_id, self.wh_south.wfmon_site_id)
        self.assertEqual(by_order[south.id].assignment_ids.user_id, self.lead)
        self.assertEqual(
            by_order[north.id].policy_id,
            self.env.ref("wfmon_distribution.approval_policy_credit_release"),
        )

    def test_over_credit_limit(self):
        self.company.account_use_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 1000.0
        small = self._order([(self.gadget, 2)])
        small.action_confirm()
        self.assertFalse(self._cases(CREDIT, small))
        self.assertEqual(small.state, "sale", "within the limit: no approval needed")
        order = self._order([(self.widget, 15)])
        with capture_events(self.env) as events:
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        case = self._cases(CREDIT, order)
        self.assertEqual(case.severity, "high")
        self.assertEqual(case.impact_amount, order.amount_total)
        self.assertIn("credit limit of 1000.00", case.details)
        payload = next(e.data[0] for e in events if e[0] == "distribution.credit_hold")
        self.assertEqual(payload["credit_limit"], 1000.0)
        self.assertGreater(payload["exposure"], 1000.0)
        # Raising the limit releases it at the next re-check.
        self.customer.with_company(self.company).credit_limit = 100000.0
        self.env["sale.order"]._cron_wfmon_recheck()
        self.assertEqual(case.state, "resolved")

    @freeze_time(MONDAY_10)
    def test_overdue_invoice(self):
        """Due on 1 October, unpaid on 23 November: overdue."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2026, 9, 1),
                "invoice_date_due": date(2026, 10, 1),
                "invoice_line_ids": [(0, 0, {"product_id": self.gadget.id, "price_unit": 300.0})],
            }
        )
        invoice.action_post()
        order = self._order([(self.gadget, 1)])
        order.action_confirm()
        case = self._cases(CREDIT, order)
        self.assertTrue(case.is_open)
        self.assertIn("1 overdue invoice(s)", case.details)
        # Paid: the hold clears.
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.env["sale.order"]._cron_wfmon_recheck()
        self.assertEqual(case.state, "resolved")

    @freeze_time(MONDAY_10)
    def test_grace_days_negative_ignores_overdue(self):
        self.company.wfmon_dist_overdue_grace_days = -1
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2026, 9, 1),
                "invoice_date_due": date(2026, 10, 1),
                "invoice_line_ids": [(0, 0, {"product_id": self.gadget.id, "price_unit": 300.0})],
            }
        )
        invoice.action_post()
        order = self._order([(self.gadget, 1)])
        order.action_confirm()
        self.assertFalse(self._cases(CREDIT, order))


@tagged("post_install", "-at_install")
class TestMargin(DistributionCase):
    """D5: a large order whose margin or discount breaches policy opens a margin
    case with the margin analysis per line and waits for a sales manager, who
    sees the analysis on the request; it confirms by itself on approval."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_manager = new_test_user(
            cls.env,
            login="wfd_sales_manager",
            name="Sally Sales Manager",
            groups="sales_team.group_sale_manager",
        )
        cls.finance = new_test_user(
            cls.env,
            login="wfd_finance_m",
            name="Frank Finance",
            groups="account.group_account_manager,sales_team.group_sale_salesman",
        )

    def _request(self, order):
        return self.env["wfmon.approval.request"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )

    def test_margin_approval_with_the_analysis_confirms_the_order(self):
        self._stock(self.widget, self.wh_north, 200)
        order = self._order([(self.widget, 150, {"discount": 30.0})], user_id=self.salesman.id)
        self.assertEqual(order.wfmon_approval_holds, "margin_or_discount")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft", "waiting for the margin approval")
        request = self._request(order)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_distribution.approval_policy_margin")
        )
        self.assertEqual(request.requester_id, self.salesman)
        self.assertIn("Margin analysis", request.analysis)
        self.assertIn("Widget", request.analysis)
        self.assertIn("14.3 %", request.analysis, "the order's margin")
        case = self._cases(MARGIN, order)
        self.assertTrue(case.is_open)
        self.assertIn(
            self.sales_manager, request.assignment_ids.user_id, "routed to the sales managers"
        )
        request.with_user(self.sales_manager).action_approve(reason="Strategic account")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.user_id, self.salesman, "confirmed as the salesperson")
        self.assertEqual(case.state, "resolved")
        self.assertIn("approved by Sally Sales Manager", case.resolution_note)

    def test_credit_and_margin_go_to_finance_then_sales(self):
        self.company.account_use_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 1000.0
        self._stock(self.widget, self.wh_north, 200)
        order = self._order([(self.widget, 150, {"discount": 30.0})])
        self.assertEqual(order.wfmon_approval_holds, "credit_hold,margin_or_discount")
        order.action_confirm()
        request = self._request(order)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_distribution.approval_policy_credit_margin")
        )
        self.assertIn("Credit position", request.analysis)
        self.assertIn("Margin analysis", request.analysis)
        self.assertTrue(self._cases(CREDIT, order).is_open)
        self.assertTrue(self._cases(MARGIN, order).is_open)
        request.with_user(self.finance).action_approve(reason="Paid by wire")
        self.assertEqual(order.state, "draft", "the sales manager has not decided yet")
        self.assertEqual(request.level_sequence, 2)
        request.with_user(self.sales_manager).action_approve(reason="Strategic account")
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            request.decision_ids.filtered(lambda d: d.decision == "approve").user_id,
            self.finance | self.sales_manager,
        )
        for type_code in (CREDIT, MARGIN):
            case = self._cases(type_code, order)
            self.assertEqual(case.state, "resolved")
            self.assertIn(request.name, case.resolution_note)

    def test_rejected_margin_keeps_the_order_draft(self):
        self._stock(self.widget, self.wh_north, 200)
        order = self._order([(self.widget, 150, {"discount": 30.0})])
        order.action_confirm()
        request = self._request(order)
        request.with_user(self.sales_manager).action_reject(reason="Discount too deep")
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.wfmon_approval_state, "rejected")
        self.assertTrue(self._cases(MARGIN, order).is_open)
        # Repriced within policy: it confirms without approval.
        order.order_line.discount = 5.0
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_large_discounted_order(self):
        self._stock(self.widget, self.wh_north, 200)
        order = self._order([(self.widget, 150, {"discount": 30.0})])
        with capture_events(self.env) as events:
            order.action_confirm()
        case = self._cases(MARGIN, order)
        self.assertEqual(len(case), 1)
        self.assertIn("margin & discount", case.summary)
        line = case.distribution_line_ids
        self.assertEqual(line.kind, "margin")
        self.assertAlmostEqual(line.actual_value, 10500.0)
        self.assertAlmostEqual(line.reference_value, 9000.0)
        self.assertAlmostEqual(line.variance_percent, 14.2857, places=3)
        # Missing margin: 15 % of 10500 = 1575 expected, 1500 made.
        self.assertAlmostEqual(case.impact_amount, 75.0)
        payload = next(e.data[0] for e in events if e[0] == "distribution.margin_breach")
        self.assertEqual(payload["breaches"], ["margin", "discount"])

    def test_small_or_healthy_orders_pass(self):
        self._stock(self.widget, self.wh_north, 400)
        small = self._order([(self.widget, 5, {"discount": 50.0})])
        healthy = self._order([(self.widget, 150)])
        (small | healthy).action_confirm()
        self.assertFalse(self._cases(MARGIN, small | healthy))

    def test_warehouse_threshold_override(self):
        self.wh_south.wfmon_large_order_amount = 100.0
        self.wh_south.wfmon_min_margin_percent = 50.0
        self._stock(self.widget, self.wh_south, 10)
        order = self._order([(self.widget, 2)], warehouse=self.wh_south)
        order.action_confirm()
        case = self._cases(MARGIN, order)
        self.assertEqual(case.summary, f"{order.name}: margin outside policy")
        self.assertEqual(case.site_id, self.wh_south.wfmon_site_id)
