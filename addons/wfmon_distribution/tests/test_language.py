"""What people read is said in words: no planning ids, codes, method or field
names, JSON or hashes on the screens of the roles that are not administrators."""

import re

from lxml import etree

from odoo.tests import Form, new_test_user, tagged

from .common import DistributionCase

PLANNING_ID = re.compile(r"\((?:[A-Z]\d+(?:, ?[A-Z]\d+)*|seed \d+)\)")


@tagged("post_install", "-at_install")
class TestLanguage(DistributionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            login="wfl_admin",
            groups="base.group_system,wfmon_core.group_wfmon_admin,sales_team.group_sale_manager",
        )
        cls.manager = new_test_user(
            cls.env, login="wfl_manager", groups="wfmon_core.group_wfmon_manager"
        )

    def _held_order(self):
        self.company.account_use_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 1000.0
        order = self._order([(self.widget, 15)])
        order.action_confirm()
        return order, self.env["wfmon.approval.request"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )

    def test_no_planning_ids_in_names_and_help(self):
        names = self.env["wfmon.event.type"].search([]).mapped("name")
        names += (
            self.env["ir.cron"]
            .search([("ir_actions_server_id.model_id.model", "!=", False)])
            .mapped("name")
        )
        arch = self.env(user=self.admin)["res.config.settings"].get_views([(False, "form")])[
            "views"
        ]["form"]["arch"]
        for text in [*names, arch]:
            self.assertFalse(PLANNING_ID.search(text or ""), PLANNING_ID.search(text or ""))

    def test_events_published_without_a_declaration_are_named_in_words(self):
        Type = self.env["wfmon.event.type"]
        Type.search([("code", "=like", "approval.%")]).unlink()
        self._held_order()  # publishes approval.requested
        requested = Type.search([("code", "=", "approval.requested")])
        self.assertEqual(requested.name, "Approval requested")
        self.assertEqual(
            Type._ensure(["approval.expired"])["approval.expired"].name,
            "Approval request expired",
        )

    def test_the_audit_log_shows_states_by_their_labels(self):
        order, _request = self._held_order()
        case = self._cases("distribution.credit_hold", order)
        case.with_user(self.lead).action_start()
        line = case.log_ids.filtered(lambda log: log.new_value == "in_progress")
        self.assertEqual(line.new_label, "In Progress")
        arch = self.env(user=self.manager)["wfmon.case"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        self.assertNotIn('name="new_value"', arch)
        self.assertIn('name="new_label"', arch)

    def test_approved_values_in_words_and_the_hash_for_administrators_only(self):
        order, request = self._held_order()
        shown = request.with_user(self.manager).snapshot_html
        self.assertIn("Credit release", shown)
        self.assertIn("Total", shown)  # the amount field's label, not amount_total
        self.assertIn(order.partner_id.name, shown)
        self.assertNotIn("amount_total", shown)
        self.assertIn("Credit Hold", shown)  # the signal, not credit_hold
        self.assertNotIn("credit_hold", shown)
        self.assertNotIn("{", shown)
        self.assertEqual(request.action_label, "Confirm Order")
        self.assertTrue(
            request.explanation.startswith(
                "Credit release applies: the customer is over its credit limit"
            ),
            request.explanation,
        )
        for code in ("action_confirm", "sale.order", "specificity", "credit_hold"):
            self.assertNotIn(code, request.explanation)

        def arch(user):
            return self.env(user=user)["wfmon.approval.request"].get_views([(False, "form")])[
                "views"
            ]["form"]["arch"]

        self.assertNotIn('name="fingerprint"', arch(self.manager))
        self.assertNotIn('name="action_name"', arch(self.manager))
        self.assertIn('name="fingerprint"', arch(self.admin))

    def test_the_matrix_offers_named_actions_and_fields_by_label(self):
        Policy = self.env["wfmon.approval.policy"].with_user(self.admin)
        choices = dict(Policy._fields["guarded_action"]._description_selection(Policy.env))
        self.assertEqual(choices["sale.order/action_confirm"], "Confirm Order (Sales Order)")
        self.assertIn("purchase.order/button_confirm", choices)
        with Form(Policy) as form:
            form.name = "Big orders"
            form.guarded_action = "sale.order/action_confirm"
            form.amount_field = "amount_total"
            form.min_amount = 50000
            with form.level_ids.new() as level:
                level.name = "Salesperson's manager"
                level.approver_kind = "role"
                level.role_path = "team_id.user_id"
        policy = form.record
        self.assertEqual((policy.model_name, policy.action_name), ("sale.order", "action_confirm"))
        arch = Policy.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('widget="DynamicModelFieldSelectorChar"', arch)

    def test_a_held_order_shows_the_wait_in_one_banner(self):
        arch = etree.fromstring(
            self.env(user=self.salesman)["sale.order"].get_views([(False, "form")])["views"][
                "form"
            ]["arch"]
        )
        confirms = arch.xpath("//header/button[@name='action_confirm']")
        self.assertEqual(len(confirms), 2)
        for button in confirms:
            self.assertIn("wfmon_approval_state == 'pending'", button.get("invisible"))
        (wait,) = arch.xpath("//header/button[@name='action_wfmon_view_approvals']")
        self.assertEqual(wait.get("invisible"), "wfmon_approval_state != 'pending'")
        (credit,) = arch.xpath("//div[field[@name='partner_credit_warning']]")
        self.assertIn("wfmon_approval_state == 'pending'", credit.get("invisible"))
        # The case banner gives way to the approval banner, which names the cases.
        seller = new_test_user(
            self.env,
            login="wfl_one_banner",
            groups="sales_team.group_sale_manager,wfmon_core.group_wfmon_manager",
        )
        arch = etree.fromstring(
            self.env(user=seller)["sale.order"].get_views([(False, "form")])["views"]["form"][
                "arch"
            ]
        )
        (cases,) = arch.xpath("//div[field[@name='wfmon_case_names']]")
        self.assertIn("wfmon_approval_state == 'pending'", cases.get("invisible"))
        order, request = self._held_order()
        case = self._cases("distribution.credit_hold", order)
        self.assertTrue(case)
        banner = order.with_user(seller).wfmon_approval_banner
        self.assertIn("Held for approval: Credit release.", banner)
        self.assertIn(f"Waiting for approval by {request.waiting_for}", banner)
        self.assertIn("Confirm Order runs by itself once it is approved", banner)
        self.assertIn(f"Also open on it: {case.type_id.name}.", banner)
        self.assertEqual(banner.count('class="alert'), 1)
        # A salesperson who works no cases reads the wait alone.
        banner = order.with_user(self.salesman).wfmon_approval_banner
        self.assertIn("Held for approval: Credit release.", banner)
        self.assertNotIn("Also open on it", banner)

    def test_the_document_banner_names_its_open_cases(self):
        order, _request = self._held_order()
        case = self._cases("distribution.credit_hold", order)
        self.assertTrue(case)
        seller = new_test_user(
            self.env,
            login="wfl_seller",
            groups="sales_team.group_sale_manager,wfmon_core.group_wfmon_manager",
        )
        self.assertEqual(order.with_user(seller).wfmon_case_names, case.type_id.name)
        arch = self.env(user=seller)["sale.order"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertIn('name="wfmon_case_names"', arch)
        self.assertNotIn("Exception cases are open", arch)
