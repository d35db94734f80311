import json
from datetime import timedelta

from odoo.tests import freeze_time, new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import MONDAY_10, WfmonRpcCase
from odoo.addons.wfmon_integration.tests.common import signed_headers

from .common import RetailCase


@tagged("post_install", "-at_install")
class TestRetailControlsRpc(WfmonRpcCase, RetailCase):
    """Each retail control, as the real role through the JSON-RPC endpoint
    (and the inbound endpoint), and an attempt to get round it."""

    ROLES = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_users.update(
            {
                "clerk": cls.clerk,
                "manager": cls.manager_north,
                "regional": cls.regional,
                "merch": cls.merchandiser,
                "buyer": cls.buyer,
            }
        )
        cls.merchandiser.groups_id = [(4, cls.env.ref("point_of_sale.group_pos_manager").id)]
        cls.forged = {
            **cls.attack_context,
            "wfmon_approval_consumed": {"x": {"1": 1}},
            "wfmon_detectors_off": True,
            "inventory_mode": True,
        }

    def _requests(self, record):
        return self.env["wfmon.approval.request"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    def _on_hand(self, product, warehouse):
        self.env.invalidate_all()
        return product.with_context(warehouse_id=warehouse.id).qty_available

    def test_writeoff_waits_for_the_store_manager_over_rpc(self):
        self._stock(self.coffee, self.wh_flagship, 200)
        quant = (
            self.env["stock.quant"]
            .with_user(self.clerk)
            .with_context(inventory_mode=True)
            .create(
                {
                    "product_id": self.coffee.id,
                    "location_id": self.wh_flagship.lot_stock_id.id,
                    "inventory_quantity": 100,
                }
            )
        )
        outcome = self.rpc("clerk", "stock.quant", "action_apply_inventory", quant.ids)
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(outcome.result["params"]["title"], "Approval requested")
        # Around it: the auto-apply write, the action again with forged keys.
        self.assertRefused(
            self.rpc(
                "clerk",
                "stock.quant",
                "write",
                quant.ids,
                {"inventory_quantity_auto_apply": 100},
                context=self.forged,
            )
        )
        self.assertRefused(
            self.rpc(
                "clerk", "stock.quant", "action_apply_inventory", quant.ids, context=self.forged
            )
        )
        self.assertEqual(self._on_hand(self.coffee, self.wh_flagship), 200)
        request = self._requests(quant)
        self.assertRefused(
            self.rpc("clerk", "wfmon.approval.request", "action_approve", request.ids)
        )
        outcome = self.rpc("manager", "wfmon.approval.request", "action_approve", request.ids)
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(self._on_hand(self.coffee, self.wh_flagship), 100)

    def test_inter_store_transfer_waits_for_both_managers_over_rpc(self):
        self._stock(self.coffee, self.wh_flagship, 300)
        source, dest = self.wh_flagship.lot_stock_id, self.wh_outlet.lot_stock_id
        picking = (
            self.env["stock.picking"]
            .with_user(self.clerk)
            .create(
                {
                    "picking_type_id": self.wh_flagship.int_type_id.id,
                    "location_id": source.id,
                    "location_dest_id": dest.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Coffee",
                                "product_id": self.coffee.id,
                                "product_uom_qty": 200,
                                "product_uom": self.coffee.uom_id.id,
                                "location_id": source.id,
                                "location_dest_id": dest.id,
                            },
                        )
                    ],
                }
            )
        )
        outcome = self.rpc("clerk", "stock.picking", "action_confirm", picking.ids)
        self.assertEqual(outcome.result["params"]["title"], "Approval requested")
        for method, args in (
            ("button_validate", []),
            ("action_assign", []),
            ("write", [{"state": "done"}]),
        ):
            self.rpc("clerk", "stock.picking", method, picking.ids, *args, context=self.forged)
            self.assertEqual(picking.state, "draft", method)
        request = self._requests(picking)
        self.rpc("manager", "wfmon.approval.request", "action_approve", request.ids)
        self.assertEqual(picking.state, "draft")
        # One person never decides two levels.
        self.assertRefused(
            self.rpc("manager", "wfmon.approval.request", "action_approve", request.ids)
        )
        self.rpc("regional", "wfmon.approval.request", "action_approve", request.ids)
        self.assertIn(picking.state, ("confirmed", "assigned"))

    def test_replenishment_above_its_limit_waits_over_rpc(self):
        rule = self.env["stock.warehouse.orderpoint"].create(
            {
                "warehouse_id": self.wh_flagship.id,
                "location_id": self.wh_flagship.lot_stock_id.id,
                "product_id": self.coffee.id,
                "product_min_qty": 100,
                "product_max_qty": 300,
                "trigger": "manual",
            }
        )
        order = self._purchase(
            [(self.coffee, 300, {"orderpoint_id": rule.id})], vendor=self.slow_vendor
        )
        order.user_id = self.buyer
        outcome = self.rpc("buyer", "purchase.order", "button_confirm", order.ids)
        self.assertEqual(outcome.result["params"]["title"], "Approval requested")
        for vals in ({"state": "purchase"}, {"wfmon_retail_case_id": False}):
            self.assertRefused(
                self.rpc("buyer", "purchase.order", "write", order.ids, vals, context=self.forged)
            )
        self.assertEqual(order.state, "draft")
        request = self._requests(order)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_replenishment")
        )
        self.rpc("manager", "wfmon.approval.request", "action_approve", request.ids)
        self.assertEqual(order.state, "purchase")

    @freeze_time(MONDAY_10)
    def test_promotion_not_ready_cannot_be_activated_over_rpc(self):
        promotion = self.env["loyalty.program"].create(
            {
                "name": "Coffee fortnight",
                "program_type": "promotion",
                "active": False,
                "pos_config_ids": [(6, 0, self.shop_flagship.ids)],
                "date_from": MONDAY_10.date() + timedelta(days=2),
                "rule_ids": [(0, 0, {"product_ids": [(6, 0, self.coffee.ids)]})],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 10})],
            }
        )
        for method, args in (("write", [{"active": True}]), ("action_unarchive", [])):
            outcome = self.assertRefused(
                self.rpc(
                    "merch", "loyalty.program", method, promotion.ids, *args, context=self.forged
                )
            )
            self.assertIn("Promotion not ready", outcome.message)
        self.assertRefused(
            self.rpc(
                "merch",
                "loyalty.program",
                "write",
                promotion.ids,
                {"wfmon_retail_readiness": "passed"},
                context=self.forged,
            )
        )
        self.assertFalse(promotion.active)
        self._stock(self.coffee, self.wh_flagship, 20)
        outcome = self.rpc("merch", "loyalty.program", "action_unarchive", promotion.ids)
        self.assertFalse(outcome.error, outcome.message)
        self.assertTrue(promotion.active)

    def test_substitute_needs_another_merchandiser_over_rpc(self):
        colleague = new_test_user(
            self.env,
            login="wfr_merch_two",
            name="Second Merchandiser",
            groups="wfmon_retail.group_wfmon_retail_merchandising",
        )
        self.role_users["colleague"] = colleague
        case = self.Case.create(
            {
                "type_id": self.env.ref("wfmon_retail.case_type_low_stock").id,
                "summary": "Coffee low",
                "site_id": self.flagship.site_id.id,
            }
        )
        sub = self.env["wfmon.retail.substitution"].create(
            {
                "case_id": case.id,
                "store_id": self.flagship.id,
                "product_id": self.coffee.id,
                "substitute_id": self.juice.id,
                "quantity": 30,
            }
        )
        outcome = self.rpc("merch", "wfmon.retail.substitution", "action_apply", sub.ids)
        self.assertEqual(outcome.result["params"]["title"], "Approval requested")
        self.assertRefused(
            self.rpc(
                "merch",
                "wfmon.retail.substitution",
                "write",
                sub.ids,
                {"state": "done"},
                context=self.forged,
            )
        )
        request = self._requests(sub)
        self.assertRefused(
            self.rpc("merch", "wfmon.approval.request", "action_approve", request.ids)
        )
        self.assertEqual(sub.state, "draft")
        self.rpc("colleague", "wfmon.approval.request", "action_approve", request.ids)
        self.assertEqual(sub.state, "done")
        self.assertEqual(sub.purchase_id.order_line.product_id, self.juice)

    @freeze_time(MONDAY_10)
    def test_supplier_eta_through_the_signed_inbound_endpoint(self):
        robot = new_test_user(
            self.env,
            login="wfr_n8n_http",
            groups="purchase.group_purchase_user,wfmon_core.group_wfmon_user",
        )
        source = self.env["wfmon.inbound.source"].create(
            {
                "name": "n8n",
                "user_id": robot.id,
                "allowed_model_ids": [(6, 0, self.env.ref("purchase.model_purchase_order").ids)],
            }
        )
        order = self._purchase([(self.juice, 10)])
        order.button_confirm()
        eta = MONDAY_10 + timedelta(days=3)
        body = json.dumps(
            {
                "type": "supplier.eta",
                "timestamp": "2026-11-23T10:00:00Z",
                "data": {"purchase_order": order.name, "eta": eta.isoformat()},
            }
        ).encode()
        # A wrong signature changes nothing.
        forged = signed_headers("whsec_" + "QUJD" * 11, "msg_eta_bad", body)
        response = self.url_open(f"/wfmon/inbound/{source.token}", data=body, headers=forged)
        self.assertEqual(response.status_code, 401)
        response = self.url_open(
            f"/wfmon/inbound/{source.token}",
            data=body,
            headers=signed_headers(source.secret, "msg_eta_ok", body),
        )
        self.assertEqual(response.status_code, 202, response.text)
        event = self.env["wfmon.inbound.event"].search([("webhook_id", "=", "msg_eta_ok")])
        event._process()
        self.assertEqual(event.state, "processed", event.reason)
        self.assertEqual(order.wfmon_retail_eta, eta)
        self.assertEqual(order.order_line.date_planned, eta)
