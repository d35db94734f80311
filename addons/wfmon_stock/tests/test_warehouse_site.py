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
    ROLES = {
        **WfmonRpcCase.ROLES,
        "inventory_manager": "stock.group_stock_manager",
        "site_admin": "stock.group_stock_manager,wfmon_core.group_wfmon_admin",
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].create({"name": "Canal DC", "code": "CNL"})
        cls.other_site = cls.env["wfmon.site"].create(
            {"name": "Other store", "code": "OTH", "kind": "store"}
        )

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

    def test_inventory_manager_cannot_move_a_warehouse_to_another_site(self):
        """The site decides whose cases the warehouse's are: not an inventory
        manager's call, whatever the context says."""
        site = self.warehouse.wfmon_site_id
        for context in ({}, self.attack_context, {"install_mode": True, "module": "wfmon_stock"}):
            for value in (self.other_site.id, False):
                with self.assertUnchanged(self.warehouse, f"{value} {context}"):
                    outcome = self.rpc(
                        "inventory_manager",
                        "stock.warehouse",
                        "write",
                        self.warehouse.ids,
                        {"wfmon_site_id": value},
                        context=context,
                    )
                    self.assertRefused(outcome, f"{value} {context}")
        self.assertIn("administrators", outcome.message)
        self.assertEqual(self.warehouse.wfmon_site_id, site)
        # Nor by giving a new warehouse someone else's site.
        count = self.env["stock.warehouse"].search_count([])
        outcome = self.rpc(
            "inventory_manager",
            "stock.warehouse",
            "create",
            [{"name": "Sneaky DC", "code": "SNK", "wfmon_site_id": self.other_site.id}],
            context=self.attack_context,
        )
        self.assertRefused(outcome)
        self.assertEqual(self.env["stock.warehouse"].search_count([]), count)
        # Their own work on the warehouse goes on: the site follows its name.
        outcome = self.rpc(
            "inventory_manager", "stock.warehouse", "write", self.warehouse.ids, {"name": "Canal"}
        )
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(site.name, "Canal")
        # Writing the site it already has changes nothing and is not refused.
        outcome = self.rpc(
            "inventory_manager",
            "stock.warehouse",
            "write",
            self.warehouse.ids,
            {"wfmon_site_id": site.id},
        )
        self.assertFalse(outcome.error, outcome.message)

    def test_a_monitoring_administrator_moves_a_warehouse_to_another_site(self):
        outcome = self.rpc(
            "site_admin",
            "stock.warehouse",
            "write",
            self.warehouse.ids,
            {"wfmon_site_id": self.other_site.id},
        )
        self.assertFalse(outcome.error, outcome.message)
        self.assertEqual(self.warehouse.wfmon_site_id, self.other_site)
