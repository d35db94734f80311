from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.wfmon_core.tests.common import make_weekday_calendar
from odoo.addons.wfmon_stock.tests.common import WarehouseDocuments


class RetailCase(WarehouseDocuments, TransactionCase):
    """Three stores of one region (flagship and standard with a POS shop each, an
    outlet without), their managers, a regional manager, a merchandiser, a buyer,
    a 9-17 Mon-Fri UTC calendar, storable products bought from a vendor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.env.company
        cls.calendar = make_weekday_calendar(cls.env, "Stores 9-17 UTC")
        cls.company.write(
            {
                "wfmon_calendar_id": cls.calendar.id,
                "wfmon_retail_velocity_days": 14,
                "wfmon_retail_fast_mover_units": 3.0,
                "wfmon_retail_max_lead_days": 7,
                "wfmon_retail_promo_horizon_days": 7,
                "wfmon_retail_promo_min_stock": 5.0,
                "wfmon_retail_promo_min_margin": 10.0,
                "wfmon_retail_rfq_confirm_hours": 16.0,
                "wfmon_retail_receipt_grace_hours": 4.0,
                "wfmon_retail_cover_risk_days": 3.0,
                "wfmon_retail_adjustment_threshold": 500.0,
                "wfmon_retail_transfer_threshold": 1000.0,
                # Price policy of the tills and of the stores' sale orders.
                "wfmon_retail_max_discount": 20.0,
                "wfmon_retail_price_tolerance": 1.0,
                "wfmon_retail_price_min_amount": 1.0,
            }
        )
        stock_roles = "wfmon_core.group_wfmon_user,stock.group_stock_user"
        cls.manager_north = new_test_user(
            cls.env, login="wfr_mgr_north", name="North Store Manager", groups=stock_roles
        )
        cls.manager_south = new_test_user(
            cls.env, login="wfr_mgr_south", name="South Store Manager", groups=stock_roles
        )
        cls.clerk = new_test_user(
            cls.env, login="wfr_clerk", name="North Clerk", groups=stock_roles
        )
        cls.regional = new_test_user(
            cls.env,
            login="wfr_regional",
            name="Regional Manager",
            groups="wfmon_core.group_wfmon_user,stock.group_stock_user",
        )
        cls.merchandiser = new_test_user(
            cls.env,
            login="wfr_merch",
            name="Merchandiser",
            groups="wfmon_retail.group_wfmon_retail_merchandising,purchase.group_purchase_user",
        )
        cls.buyer = new_test_user(
            cls.env,
            login="wfr_buyer",
            name="Buyer",
            groups="purchase.group_purchase_user,wfmon_core.group_wfmon_user",
        )
        cls.region = cls.env["wfmon.retail.region"].create(
            {"name": "Test Region", "code": "TR", "manager_id": cls.regional.id}
        )
        Warehouse = cls.env["stock.warehouse"]
        cls.wh_flagship = Warehouse.create({"name": "Flagship Store", "code": "RFL"})
        cls.wh_standard = Warehouse.create({"name": "Standard Store", "code": "RST"})
        cls.wh_outlet = Warehouse.create({"name": "Outlet Store", "code": "ROU"})
        Store = cls.env["wfmon.retail.store"]
        cls.flagship = Store.create(
            {
                "warehouse_id": cls.wh_flagship.id,
                "store_type": "flagship",
                "region_id": cls.region.id,
            }
        )
        cls.standard = Store.create(
            {
                "warehouse_id": cls.wh_standard.id,
                "store_type": "standard",
                "region_id": cls.region.id,
            }
        )
        cls.outlet = Store.create(
            {"warehouse_id": cls.wh_outlet.id, "store_type": "outlet", "region_id": cls.region.id}
        )
        cls.flagship.site_id.write(
            {"manager_id": cls.manager_north.id, "user_ids": [(4, cls.clerk.id)]}
        )
        cls.standard.site_id.manager_id = cls.manager_south
        cls.outlet.site_id.manager_id = cls.manager_south
        PosConfig = cls.env["pos.config"]
        cls.shop_flagship = PosConfig.create(
            {"name": "Flagship Till", "picking_type_id": cls.wh_flagship.pos_type_id.id}
        )
        cls.shop_standard = PosConfig.create(
            {"name": "Standard Till", "picking_type_id": cls.wh_standard.pos_type_id.id}
        )
        cls.store_team = cls.env["wfmon.team"].create(
            {
                "name": "Store Operations",
                "lead_id": cls.regional.id,
                "member_ids": [(4, cls.manager_north.id), (4, cls.manager_south.id)],
                "site_ids": [
                    (4, store.site_id.id) for store in cls.flagship | cls.standard | cls.outlet
                ],
            }
        )
        cls.merch_team = cls.env.ref("wfmon_retail.team_merchandising")
        cls.merch_team.write(
            {"lead_id": cls.merchandiser.id, "member_ids": [(4, cls.merchandiser.id)]}
        )
        cls.vendor = cls.env["res.partner"].create(
            {"name": "Fresh Supplies", "is_company": True, "wfmon_supplier_tier": "standard"}
        )
        cls.slow_vendor = cls.env["res.partner"].create(
            {"name": "Far Away Imports", "is_company": True, "wfmon_supplier_tier": "strategic"}
        )
        Product = cls.env["product.product"]
        cls.juice = Product.create(
            {
                "name": "Orange Juice",
                "type": "consu",
                "is_storable": True,
                "list_price": 4.0,
                "standard_price": 2.0,
                "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "price": 2.0, "delay": 2})],
            }
        )
        cls.coffee = Product.create(
            {
                "name": "Coffee Beans",
                "type": "consu",
                "is_storable": True,
                "list_price": 12.0,
                "standard_price": 7.0,
                "seller_ids": [
                    (0, 0, {"partner_id": cls.slow_vendor.id, "price": 7.0, "delay": 20})
                ],
            }
        )
        cls.Case = cls.env["wfmon.case"]
        cls.default_warehouse = cls.wh_flagship
        cls.default_vendor = cls.vendor
        # Keep cases of demo data out of the scanners' way.
        cls.env.cr.execute(SQL("UPDATE wfmon_case SET sla_next_check = NULL"))
        cls.env["wfmon.case"].invalidate_model(["sla_next_check"])
