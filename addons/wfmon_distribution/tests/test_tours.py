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
