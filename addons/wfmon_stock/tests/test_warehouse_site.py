"""Every warehouse is a monitoring site, whoever creates it; detectors read
the site and the free stock of warehouses here."""

from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.wfmon_core.tests.common import WfmonRpcCase

from .. import post_init_hook


@tagged("post_install", "-at_install")
class TestWarehouseSite(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # An inventory manager who is not a monitoring user at all.
        cls.stock_manager = new_test_user(
            cls.env, login="wfs_stock_manager", groups="stock.group_stock_manager"
        )
        cls.Warehouse = cls.env["stock.warehouse"]

    def test_new_warehouse_gets_its_site(self):
        warehouse = self.Warehouse.with_user(self.stock_manager).create(
            {"name": "Harbour DC", "code": "HBR"}
        )
        site = warehouse.sudo().wfmon_site_id
        self.assertEqual(
            (site.name, site.code, site.kind, site.company_id),
            ("Harbour DC", "HBR", "warehouse", warehouse.company_id),
        )
        warehouse.with_user(self.stock_manager).name = "Harbour Depot"
        self.assertEqual(site.name, "Harbour Depot", "the site follows its warehouse's name")

    def test_existing_site_of_same_code_is_reused(self):
        site = self.env["wfmon.site"].create(
            {"name": "Old depot", "code": "OLD", "kind": "warehouse", "active": False}
        )
        warehouse = self.Warehouse.create({"name": "Old Depot", "code": "OLD"})
        self.assertEqual(warehouse.wfmon_site_id, site)
        self.assertEqual(
            self.env["wfmon.site"]
            .with_context(active_test=False)
            .search_count([("code", "=", "OLD")]),
            1,
        )

    def test_install_hook_links_warehouses_without_site(self):
        warehouse = self.Warehouse.create({"name": "Hill DC", "code": "HIL"})
        site = warehouse.wfmon_site_id
        warehouse.wfmon_site_id = False
        other = self.Warehouse.create({"name": "Dale DC", "code": "DAL"})
        other_site = other.wfmon_site_id
        other.wfmon_site_id = False
        other_site.unlink()
        post_init_hook(self.env)
        self.assertEqual(warehouse.wfmon_site_id, site, "linked again to its site (same code)")
        self.assertEqual(other.wfmon_site_id.code, "DAL", "given a new site")
        self.assertEqual(
            (warehouse | other)._wfmon_site_map(),
            {warehouse.id: site.id, other.id: other.wfmon_site_id.id},
        )

    def test_free_stock_per_warehouse(self):
        product = self.env["product.product"].create({"name": "Crate", "is_storable": True})
        warehouse = self.Warehouse.create({"name": "Quay DC", "code": "QAY"})
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(product, warehouse.lot_stock_id, 7)
        Quant._update_reserved_quantity(product, warehouse.lot_stock_id, 2)
        free = Quant._wfmon_free_stock(product, warehouse.company_id)
        self.assertEqual(free.get((warehouse.id, product.id)), 5)
        self.assertEqual(Quant._wfmon_free_stock(product.browse(), warehouse.company_id), {})


@tagged("post_install", "-at_install")
class TestWarehouseSiteRpc(WfmonRpcCase):
    ROLES = {**WfmonRpcCase.ROLES, "inventory_manager": "stock.group_stock_manager"}

    def test_inventory_manager_creates_a_warehouse_with_its_site(self):
        outcome = self.rpc(
            "inventory_manager",
            "stock.warehouse",
            "create",
            [{"name": "Rail DC", "code": "RAIL"}],
        )
        self.assertFalse(outcome.error, outcome.message)
        warehouse = self.env["stock.warehouse"].browse(outcome.result)
        self.assertEqual(warehouse.wfmon_site_id.code, "RAIL")

    def test_monitoring_staff_cannot_create_warehouses_or_sites_through_it(self):
        before = self.env["wfmon.site"].with_context(active_test=False).search_count([])
        for role in ("internal", "wfmon_user", "wfmon_manager"):
            outcome = self.rpc(role, "stock.warehouse", "create", [{"name": "X", "code": "XX"}])
            self.assertRefused(outcome, role)
        self.assertEqual(
            self.env["wfmon.site"].with_context(active_test=False).search_count([]),
            before,
        )
