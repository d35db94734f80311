"""The demo every journey runs on: one user per role, every open case reaches
a person who sees it in their queue, every pending approval someone can give."""

import unittest

from odoo.tests import TransactionCase, tagged

#: role -> (demo user, groups the role needs)
ROLES = {
    "store clerk": ("wfmon_core.demo_user_clerk", ["wfmon_core.group_wfmon_user"]),
    "warehouse supervisor": (
        "wfmon_core.demo_user_supervisor",
        ["wfmon_core.group_wfmon_user", "stock.group_stock_user"],
    ),
    "regional manager": ("wfmon_core.demo_user_regional", ["wfmon_core.group_wfmon_manager"]),
    "Finance approver": (
        "wfmon_distribution.demo_user_finance",
        ["account.group_account_manager"],
    ),
    "sales manager": (
        "wfmon_distribution.demo_user_sales_manager",
        ["sales_team.group_sale_manager"],
    ),
    "administrator": ("base.user_admin", ["wfmon_core.group_wfmon_admin", "base.group_system"]),
}


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("wfmon_core.demo_user_clerk", raise_if_not_found=False):
            raise unittest.SkipTest("no demo data")

    def test_one_user_per_role_whose_password_is_the_login(self):
        for role, (xmlid, groups) in ROLES.items():
            user = self.env.ref(xmlid)
            for group in groups:
                self.assertTrue(user.has_group(group), f"{role}: {group}")
            if xmlid != "base.user_admin":
                # The readme lists the logins; the passwords equal them.
                self.env["res.users"].with_user(user)._check_credentials(
                    {"type": "password", "password": user.login}, {"interactive": False}
                )
        finance = self.env.ref("wfmon_distribution.demo_user_finance")
        sales = self.env.ref("wfmon_distribution.demo_user_sales_manager")
        self.assertFalse(finance.has_group("sales_team.group_sale_manager"))
        self.assertFalse(sales.has_group("account.group_account_manager"))

    def test_no_role_holds_rights_it_does_not_need(self):
        """Point of Sale (with retail) gives every user existing at its
        installation its administrator's rights, Inventory included: the demo's
        people keep their roles' rights only."""
        pos = [
            xmlid
            for xmlid in ("point_of_sale.group_pos_user", "point_of_sale.group_pos_manager")
            if self.env.ref(xmlid, raise_if_not_found=False)
        ]
        for role, (xmlid, groups) in ROLES.items():
            if xmlid == "base.user_admin":
                continue
            user = self.env.ref(xmlid)
            for group in pos:
                self.assertFalse(user.has_group(group), f"{role}: {group}")
            if "stock.group_stock_user" not in groups:
                self.assertFalse(user.has_group("stock.group_stock_user"), f"{role}: Inventory")

    def test_every_open_case_reaches_someone_who_sees_it(self):
        cases = self.env["wfmon.case"].search([("is_open", "=", True)])
        self.assertTrue(cases.filtered(lambda c: c.domain == "distribution"))
        for case in cases:
            people = case.user_id | case.team_id.lead_id | case.team_id.member_ids
            self.assertTrue(people, f"{case.summary}: no owner and no team")
            self.assertTrue(
                any(case.with_user(user).has_access("read") for user in people),
                f"{case.summary}: its owner and team cannot see it",
            )
        supervisor = self.env.ref("wfmon_core.demo_user_supervisor")
        queue = (
            self.env["wfmon.case"]
            .with_user(supervisor)
            .search([("domain", "=", "distribution"), ("is_open", "=", True)])
        )
        self.assertEqual(
            queue.ids,
            cases.filtered(lambda c: c.domain == "distribution").ids,
            "the supervisor's queue holds the distribution cases of his warehouses",
        )

    def test_every_pending_approval_can_be_given(self):
        requests = self.env["wfmon.approval.request"].search([("state", "=", "pending")])
        self.assertTrue(requests)
        for request in requests:
            approvers = request.assignment_ids.filtered(lambda a: a.state == "pending").user_id
            self.assertTrue(approvers - request.requester_id, f"{request.source_name}: nobody")

    def test_each_role_finds_its_work_where_it_looks_first(self):
        # The clerk's Overview: only kinds of case with open work she sees.
        clerk = self.env.ref("wfmon_core.demo_user_clerk")
        overview = self.env.ref("wfmon_core.wfmon_case_type_action_overview")
        self.assertIn("search_default_with_open_cases", overview.context)
        cards = (
            self.env["wfmon.case.type"].with_user(clerk).search([("case_ids.is_open", "=", True)])
        )
        self.assertTrue(cards)
        self.assertTrue(all(card.open_case_count for card in cards), "no zero cards")
        # The approvers' Activities hold the requests waiting for them.
        finance = self.env.ref("wfmon_distribution.demo_user_finance")
        self.assertTrue(
            self.env["wfmon.approval.request"]
            .with_user(finance)
            .search([("is_my_approval", "=", True)])
        )
        self.assertTrue(
            self.env["mail.activity"].search(
                [("user_id", "=", finance.id), ("res_model", "=", "wfmon.approval.request")]
            )
        )
        # The administrator owns the integration cases (a failing endpoint).
        admin = self.env.ref("base.user_admin")
        integration = self.env["wfmon.case"].search(
            [("domain", "=", "integration"), ("is_open", "=", True)]
        )
        self.assertTrue(integration)
        self.assertEqual(integration.user_id, admin)
