"""Every role can finish its work: the screens and Odoo flows of each role,
logged in as that role over JSON-RPC, without a right the role does not have."""

from datetime import timedelta

from odoo.tests import freeze_time, tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, WfmonRpcCase

from .common import DistributionCase

FULFILLMENT = "distribution.fulfillment_at_risk"
PICKING_LATE = "distribution.picking_late"


@tagged("post_install", "-at_install")
@freeze_time(MONDAY_10)  # the whole class: its set-up dates the late delivery
class TestRoleJourneys(WfmonRpcCase, DistributionCase):
    ROLES = {
        **WfmonRpcCase.ROLES,
        # A regional manager: every case of the company, no Sales or Inventory right.
        "regional": "wfmon_core.group_wfmon_manager",
        # Warehouse staff: Inventory / User only, no monitoring group at all.
        "stock_user": "stock.group_stock_user",
        "salesperson": "sales_team.group_sale_salesman",
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A shortage (a case on the sale order) whose delivery is late (a case
        # on the picking): the two kinds of source a remedy is computed from.
        cls.order = cls._order(
            [(cls.widget, 5)],
            commitment_date=MONDAY_10 - timedelta(days=6),
        )
        cls.order.action_confirm()
        cls.delivery = cls.order.picking_ids
        cls.delivery.scheduled_date = MONDAY_10 - timedelta(days=6)
        cls.env["stock.picking"]._cron_wfmon_picking_sla()

    def test_a_manager_without_sales_or_inventory_rights_opens_every_case(self):
        self.assertFalse(self.role_users["regional"].has_group("sales_team.group_sale_salesman"))
        self.assertFalse(self.role_users["regional"].has_group("stock.group_stock_user"))
        ours = self._cases(FULFILLMENT, self.order) | self._cases(PICKING_LATE, self.delivery)
        self.assertEqual(len(ours), 2)
        cases = self.env["wfmon.case"].search([("is_open", "=", True)])
        self.assertLessEqual(ours, cases)
        for case in cases:
            outcome = self.open_view("regional", case)
            self.assertFalse(outcome.error, f"{case.summary}: {outcome.message}")
            self.assertEqual(outcome.result[0]["summary"], case.summary)
        # Linked documents show by name: the delivery a remedy could help, too.
        (shown,) = self.open_view("regional", self._cases(FULFILLMENT, self.order)).result
        self.assertEqual(shown["remedy_picking_id"]["display_name"], self.delivery.name)
        # Proposing a remedy is warehouse work: not offered to the manager.
        arch = self.env(user=self.role_users["regional"])["wfmon.case"].get_views(
            [(False, "form")]
        )["views"]["form"]["arch"]
        self.assertNotIn("action_wfmon_propose_remedy", arch)

    def test_warehouse_staff_validates_the_transfer_of_a_remedy(self):
        """An Inventory user without any monitoring group validates the internal
        transfer an approved remedy created, as any other transfer."""
        self._stock(self.widget, self.wh_south, 8)
        remedy = (
            self.env["wfmon.distribution.remedy"]
            .with_user(self.lead)
            .create({"picking_id": self.delivery.id})
        )
        self.assertEqual(remedy.case_id, self._cases(PICKING_LATE, self.delivery))
        remedy.action_apply()
        remedy.wfmon_approval_request_ids.with_user(self.supervisor).action_approve()
        transfer = remedy.result_picking_id
        self.assertEqual((remedy.state, transfer.state), ("done", "assigned"))
        stock_user = self.role_users["stock_user"]
        self.assertFalse(stock_user.has_group("wfmon_core.group_wfmon_user"))
        outcome = self.rpc("stock_user", "stock.picking", "button_validate", [transfer.id])
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(transfer.state, "done")
        self.assertEqual(self.delivery.state, "assigned", "the delivery is reserved by itself")
        # And a delivery picked short (a pick-shortage case opens on the way).
        outcome = self.rpc(
            "stock_user",
            "stock.move",
            "write",
            self.delivery.move_ids.ids,
            {"quantity": 3, "picked": True},
        )
        self.assertFalse(outcome.error, outcome.message)
        outcome = self.rpc(
            "stock_user",
            "stock.picking",
            "button_validate",
            [self.delivery.id],
            context={"skip_backorder": True},
        )
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(self.delivery.state, "done")
        self.assertTrue(self._cases("distribution.pick_shortage", self.delivery))

    def test_a_salesperson_without_monitoring_rights_confirms_an_order(self):
        order = self._order([(self.widget, 2)], user_id=self.role_users["salesperson"].id)
        outcome = self.rpc("salesperson", "sale.order", "action_confirm", [order.id])
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(order.state, "sale")
        self.assertTrue(self._cases(FULFILLMENT, order), "the shortage is still detected")

    def test_store_staff_see_no_warehouse_menus(self):
        Menu = self.env["ir.ui.menu"]
        warehouse_menus = {
            self.env.ref(xmlid).id
            for xmlid in (
                "wfmon_distribution.wfmon_case_menu_supervisor_queue",
                "wfmon_distribution.wfmon_distribution_line_menu_at_risk",
                "wfmon_distribution.wfmon_distribution_remedy_menu",
                "wfmon_integration.wfmon_recommendation_menu",
            )
        }
        clerk = self.role_users["wfmon_user"]
        self.assertFalse(warehouse_menus & Menu.with_user(clerk)._visible_menu_ids())
        supervisor_menus = Menu.with_user(self.supervisor)._visible_menu_ids()
        self.assertIn(
            self.env.ref("wfmon_distribution.wfmon_case_menu_supervisor_queue").id,
            supervisor_menus,
        )
        self.assertIn(
            self.env.ref("wfmon_distribution.wfmon_distribution_remedy_menu").id, supervisor_menus
        )
        self.assertLessEqual(warehouse_menus, Menu.with_user(self.lead)._visible_menu_ids())
