from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import RetailCase

WRITEOFF = "retail.stock_writeoff"
TRANSFER = "retail.interstore_transfer"


@tagged("post_install", "-at_install")
class TestWriteoff(RetailCase):
    """Inventory adjustments and scraps at a store above its threshold wait for
    approval before they are applied."""

    def _count(self, product, warehouse, counted, user=None):
        Quant = (
            self.env["stock.quant"].with_user(user or self.clerk).with_context(inventory_mode=True)
        )
        quant = Quant.create(
            {
                "product_id": product.id,
                "location_id": warehouse.lot_stock_id.id,
                "inventory_quantity": counted,
            }
        )
        return quant

    def _on_hand(self, product, warehouse):
        return product.with_context(warehouse_id=warehouse.id).qty_available

    def test_large_adjustment_waits_for_the_store_manager(self):
        self._stock(self.coffee, self.wh_flagship, 200)
        quant = self._count(self.coffee, self.wh_flagship, 100)  # -100 x 7 = 700 > 500
        result = quant.with_user(self.clerk).action_apply_inventory()
        self.assertEqual(result["params"]["title"], "Approval requested")
        self.assertEqual(self._on_hand(self.coffee, self.wh_flagship), 200)
        request = quant.wfmon_approval_request_ids
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.requester_id, self.clerk)
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_writeoff_quant")
        )
        case = self._cases(WRITEOFF, quant)
        self.assertEqual(case.site_id, self.flagship.site_id)
        self.assertAlmostEqual(case.impact_amount, 700.0)
        # Nobody gets round it: not the auto-apply write, not the clerk again.
        with self.assertRaises(AccessError):
            quant.with_user(self.clerk).with_context(inventory_mode=True).write(
                {"inventory_quantity_auto_apply": 100}
            )
        with self.assertRaises(UserError):
            quant.with_user(self.clerk).action_apply_inventory()
        self.assertEqual(self._on_hand(self.coffee, self.wh_flagship), 200)
        # The store manager approves: the adjustment is applied, as the clerk, once.
        request.with_user(self.manager_north).action_approve()
        self.assertEqual(self._on_hand(self.coffee, self.wh_flagship), 100)
        self.assertTrue(request.consumed)
        self.assertEqual(case.state, "resolved")
        self.assertIn(request.name, " ".join(filter(None, case.log_ids.mapped("reason"))))

    def test_small_adjustment_and_non_store_warehouses_apply_at_once(self):
        self._stock(self.juice, self.wh_flagship, 50)
        quant = self._count(self.juice, self.wh_flagship, 40)  # -10 x 2 = 20
        quant.with_user(self.clerk).action_apply_inventory()
        self.assertEqual(self._on_hand(self.juice, self.wh_flagship), 40)
        plain = self.env["stock.warehouse"].create({"name": "Back Office", "code": "RBO"})
        self._stock(self.coffee, plain, 500)
        quant = self._count(self.coffee, plain, 0)
        quant.with_user(self.clerk).action_apply_inventory()
        self.assertEqual(self._on_hand(self.coffee, plain), 0)
        self.assertFalse(quant.exists() and quant.wfmon_approval_request_ids)

    def test_store_threshold_overrides_the_company(self):
        self.flagship.adjustment_threshold = 10.0
        self._stock(self.juice, self.wh_flagship, 50)
        quant = self._count(self.juice, self.wh_flagship, 40)  # 20 > 10
        quant.with_user(self.clerk).action_apply_inventory()
        self.assertEqual(self._on_hand(self.juice, self.wh_flagship), 50)
        self.assertEqual(quant.wfmon_approval_state, "pending")

    def test_high_value_scrap_needs_the_store_manager_then_finance(self):
        finance = new_test_user(
            self.env,
            login="wfr_finance",
            name="Finance Approver",
            groups="wfmon_retail.group_wfmon_retail_finance",
        )
        self._stock(self.coffee, self.wh_flagship, 400)
        scrap = (
            self.env["stock.scrap"]
            .with_user(self.clerk)
            .create(
                {
                    "product_id": self.coffee.id,
                    "scrap_qty": 300,  # 2,100 at cost
                    "location_id": self.wh_flagship.lot_stock_id.id,
                }
            )
        )
        result = scrap.with_user(self.clerk).action_validate()
        self.assertEqual(result["params"]["title"], "Approval requested")
        self.assertEqual(scrap.state, "draft")
        with self.assertRaises(AccessError):
            scrap.with_user(self.clerk).write({"state": "done"})
        request = scrap.wfmon_approval_request_ids
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_writeoff_scrap_high")
        )
        request.with_user(self.manager_north).action_approve()
        self.assertEqual(scrap.state, "draft")
        request.with_user(finance).action_approve()
        self.assertEqual(scrap.state, "done")
        self.assertEqual(self._on_hand(self.coffee, self.wh_flagship), 100)
        self.assertEqual(self._cases(WRITEOFF, scrap).state, "resolved")


@tagged("post_install", "-at_install")
class TestInterStoreTransfer(RetailCase):
    """A transfer between two stores above the threshold is confirmed only once
    approved; a flagship on either side adds the regional manager."""

    def _transfer(self, source, dest, product, qty, user=None):
        return (
            self.env["stock.picking"]
            .with_user(user or self.clerk)
            .create(
                {
                    "picking_type_id": source.int_type_id.id,
                    "location_id": source.lot_stock_id.id,
                    "location_dest_id": dest.lot_stock_id.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "product_uom": product.uom_id.id,
                                "location_id": source.lot_stock_id.id,
                                "location_dest_id": dest.lot_stock_id.id,
                            },
                        )
                    ],
                }
            )
        )

    def test_transfer_from_a_flagship_waits_for_store_then_regional_manager(self):
        self._stock(self.coffee, self.wh_flagship, 300)
        picking = self._transfer(self.wh_flagship, self.wh_outlet, self.coffee, 200)  # 1,400
        result = picking.with_user(self.clerk).action_confirm()
        self.assertEqual(result["params"]["title"], "Approval requested")
        self.assertEqual(picking.state, "draft")
        case = self._cases(TRANSFER, picking)
        self.assertEqual(case.site_id, self.flagship.site_id)
        # Validating the draft does not get round it, nor does writing the state.
        with self.assertRaises(UserError):
            picking.with_user(self.clerk).button_validate()
        with self.assertRaises(AccessError):
            picking.with_user(self.clerk).write({"state": "assigned"})
        self.assertEqual(picking.state, "draft")
        request = picking.wfmon_approval_request_ids
        self.assertEqual(
            request.policy_id, self.env.ref("wfmon_retail.approval_policy_transfer_flagship")
        )
        request.with_user(self.manager_north).action_approve()
        self.assertEqual(picking.state, "draft")
        request.with_user(self.regional).action_approve()
        self.assertIn(picking.state, ("confirmed", "assigned"))
        self.assertEqual(case.state, "resolved")

    def test_standard_to_outlet_needs_the_source_manager_only_above_threshold(self):
        self._stock(self.juice, self.wh_standard, 1000)
        small = self._transfer(self.wh_standard, self.wh_outlet, self.juice, 100)  # 200
        small.with_user(self.clerk).action_confirm()
        self.assertEqual(small.state, "assigned")
        large = self._transfer(self.wh_standard, self.wh_outlet, self.juice, 600)  # 1,200
        large.with_user(self.clerk).action_confirm()
        self.assertEqual(large.state, "draft")
        request = large.wfmon_approval_request_ids
        self.assertEqual(request.policy_id, self.env.ref("wfmon_retail.approval_policy_transfer"))
        request.with_user(self.manager_south).action_approve()
        self.assertEqual(large.state, "assigned")
        # The outlet's stricter threshold counts too.
        self.outlet.transfer_threshold = 100.0
        stricter = self._transfer(self.wh_standard, self.wh_outlet, self.juice, 100)
        stricter.with_user(self.clerk).action_confirm()
        self.assertEqual(stricter.state, "draft")
