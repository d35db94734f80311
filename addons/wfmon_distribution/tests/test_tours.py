"""The journeys of the distribution roles in the browser, as the demo's people."""

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import WfmonTourCase


@tagged("post_install", "-at_install")
class TestDistributionJourneys(WfmonTourCase):
    def _request(self, order_xmlid):
        order = self.env.ref(order_xmlid)
        return order, self.env["wfmon.approval.request"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id), ("state", "=", "pending")]
        )

    def test_warehouse_supervisor_approves_the_transfer_on_his_late_delivery(self):
        supervisor = self.demo_user("wfmon_core.demo_user_supervisor")
        remedy = self.env.ref("wfmon_distribution.demo_remedy_wrap")
        self.assertEqual(remedy.wfmon_approval_state, "pending")
        self.start_journey("wfmon_supervisor_tour", supervisor)
        self.assertEqual(remedy.state, "done")
        self.assertEqual(remedy.case_id.state, "in_progress")
        self.assertEqual(remedy.case_id.user_id, supervisor)
        transfer = remedy.result_picking_id
        self.assertEqual(transfer.state, "assigned", "the rolls are reserved in Distribution East")

    def test_regional_manager_opens_every_open_case(self):
        regional = self.demo_user("wfmon_core.demo_user_regional")
        self.assertFalse(regional.has_group("sales_team.group_sale_salesman"))
        self.assertFalse(regional.has_group("stock.group_stock_user"))
        self.assertTrue(
            self.env["wfmon.case"].search_count(
                [("is_open", "=", True), ("domain", "=", "distribution")]
            )
        )
        self.start_journey("wfmon_regional_tour", regional)

    def test_finance_releases_the_credit_hold_from_her_activities(self):
        finance = self.demo_user("wfmon_distribution.demo_user_finance")
        order, request = self._request("wfmon_distribution.demo_so_credit")
        self.assertEqual(request.policy_id.name, "Credit release")
        self.start_journey("wfmon_finance_tour", finance)
        self.assertEqual(request.state, "approved")
        self.assertEqual(order.state, "sale", "the order confirmed by itself")

    def test_sales_manager_approves_the_margin_after_finance(self):
        finance = self.demo_user("wfmon_distribution.demo_user_finance")
        sales = self.demo_user("wfmon_distribution.demo_user_sales_manager")
        order, request = self._request("wfmon_distribution.demo_so_battery")
        request.with_user(finance).action_approve(reason="Northwind pays; release the credit.")
        self.assertEqual((request.state, request.level_id.name), ("pending", "Sales manager"))
        self.start_journey("wfmon_sales_manager_tour", sales)
        self.assertEqual(request.state, "approved")
        self.assertEqual(order.state, "sale", "the order confirmed by itself")

    def test_administrator_sets_a_threshold_a_policy_and_an_endpoint(self):
        admin = self.demo_user("base.user_admin")
        self.start_journey("wfmon_admin_tour", admin)
        self.assertEqual(self.env.company.wfmon_dist_large_order_amount, 12000)
        level = self.env.ref("wfmon_distribution.approval_policy_remedy_supervisor")
        self.assertEqual(level.backup_user_id, self.env.ref("wfmon_core.demo_user_regional"))
        endpoint = self.env["wfmon.webhook.endpoint"].search([("name", "=", "ERP bridge")])
        self.assertEqual(endpoint.url, "https://erp.example.com/hooks/wfmon")
        self.assertTrue(endpoint.secret_shown, "shown once")
