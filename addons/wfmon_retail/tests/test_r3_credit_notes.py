from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.wfmon_core.models.wfmon_detector import DETECTORS_OFF
from odoo.addons.wfmon_core.tests.common import MONDAY_10

from .common_pos import RetailPosCase

REFUND = "retail.refund_review"


@tagged("post_install", "-at_install")
class TestCreditNotes(RetailPosCase):
    """R3 on credit notes: checked against the invoice they reverse, posted only
    once the store manager (then Finance for high values) approves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env,
            login="wfr_billing",
            name="Billing Clerk",
            groups="base.group_user,account.group_account_invoice",
        )
        cls.customer = cls.env["res.partner"].create({"name": "Store Customer"})
        (cls.chair | cls.lamp).write({"invoice_policy": "order"})

    def _invoice(self, product, qty, days_ago=0):
        """An invoiced sale of the flagship store (the order is confirmed
        without the suite's own sale controls: not what is tested here)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": self.wh_flagship.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": qty})],
            }
        )
        order.with_context(**DETECTORS_OFF).action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = MONDAY_10.date() - timedelta(days=days_ago)
        invoice.action_post()
        return invoice

    def _credit_note(self, invoice, qty):
        credit = invoice._reverse_moves(
            [{"invoice_date": MONDAY_10.date(), "ref": f"Return of {invoice.name}"}]
        )
        credit.invoice_line_ids.filtered(lambda ml: ml.display_type == "product").quantity = qty
        return credit.with_user(self.billing)

    def test_a_credit_note_within_policy_posts_at_once(self):
        credit = self._credit_note(self._invoice(self.lamp, 2), 1)
        credit.action_post()
        self.assertEqual(credit.state, "posted")
        self.assertEqual(credit.wfmon_refund_site_id, self.flagship.site_id)
        self.assertFalse(credit.wfmon_refund_problems)
        self.assertFalse(self._cases(REFUND, credit))
        self.assertFalse(self._requests(credit))

    def test_more_than_invoiced_waits_for_the_store_manager(self):
        invoice = self._invoice(self.lamp, 2)
        credit = self._credit_note(invoice, 3)
        result = credit.action_post()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(credit.state, "draft", "not posted until approved")
        self.assertEqual(credit.wfmon_refund_problems, "over_return")
        case = self._cases(REFUND, credit)
        self.assertIn("3 returned now and 0 before, but only 2 sold", case.details)
        self.assertEqual(case.site_id, self.flagship.site_id)
        request = self._requests(credit)
        self.assertEqual(request.assignment_ids.user_id, self.manager_north)
        # Getting round it: posting again, writing the state, the stamps.
        with self.assertRaises(UserError):
            credit.action_post()
        with self.assertRaises(AccessError):
            credit.write({"state": "posted"})
        with self.assertRaises(AccessError):
            credit.write({"wfmon_refund_problems": False})
        self.assertEqual(credit.state, "draft")
        self._decide(request, self.manager_north)
        self.assertEqual(credit.state, "posted")
        self.assertFalse(case.is_open)

    def test_high_value_needs_the_store_manager_then_finance(self):
        credit = self._credit_note(self._invoice(self.chair, 25), 25)
        credit.action_post()
        self.assertEqual(credit.state, "draft")
        request = self._requests(credit)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_credit_note_finance")
        )
        self._decide(request, self.manager_north)
        self.assertEqual(credit.state, "draft")
        self._decide(request, self.finance)
        self.assertEqual(credit.state, "posted")

    def test_outside_the_window_and_without_an_origin(self):
        late = self._credit_note(self._invoice(self.lamp, 1, days_ago=45), 1)
        late.action_post()
        self.assertEqual(late.wfmon_refund_problems, "outside_window")
        self.assertEqual(late.state, "draft")
        loose = (
            self.env["account.move"]
            .with_user(self.billing)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.customer.id,
                    "invoice_line_ids": [
                        (0, 0, {"product_id": self.lamp.id, "quantity": 1, "price_unit": 30.0})
                    ],
                }
            )
        )
        loose.action_post()
        self.assertEqual(loose.wfmon_refund_problems, "no_origin")
        self.assertEqual(loose.state, "draft")
        request = self._requests(loose)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_credit_note_no_store")
        )
        self.assertIn(self.finance, request.assignment_ids.user_id)

    def test_invoices_and_other_entries_are_not_concerned(self):
        invoice = self._invoice(self.chair, 30)
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self._requests(invoice))
