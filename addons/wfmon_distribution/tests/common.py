from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.wfmon_core.tests.common import make_weekday_calendar
from odoo.addons.wfmon_stock.tests.common import WarehouseDocuments


class DistributionCase(WarehouseDocuments, TransactionCase):
    """Two warehouses with their supervisors, a monitoring team, a 9-17 Mon-Fri
    UTC calendar, storable products, a customer and a vendor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.env.company
        cls.calendar = make_weekday_calendar(cls.env, "Warehouse 9-17 UTC")
        cls.company.write(
            {
                "wfmon_calendar_id": cls.calendar.id,
                "wfmon_dist_picking_sla_hours": 4.0,
                "wfmon_dist_uninvoiced_days": 3,
                "wfmon_dist_tolerance_percent": 2.0,
                "wfmon_dist_large_order_amount": 10000.0,
                "wfmon_dist_min_margin_percent": 15.0,
                "wfmon_dist_max_discount_percent": 20.0,
                "wfmon_dist_purchase_amount_limit": 25000.0,
                "wfmon_dist_check_vendor": True,
                "wfmon_dist_overdue_grace_days": 0,
                "wfmon_dist_require_tax": False,
                "wfmon_dist_require_packaging": False,
                "account_use_credit_limit": False,
            }
        )
        cls.supervisor = new_test_user(
            cls.env,
            login="wfd_supervisor",
            name="North Supervisor",
            groups="wfmon_core.group_wfmon_user,stock.group_stock_user",
        )
        cls.lead = new_test_user(
            cls.env,
            login="wfd_lead",
            name="Logistics Lead",
            groups="wfmon_core.group_wfmon_manager,stock.group_stock_user",
        )
        cls.salesman = new_test_user(
            cls.env, login="wfd_sales", name="Sales Rep", groups="sales_team.group_sale_salesman"
        )
        Warehouse = cls.env["stock.warehouse"]
        cls.wh_north = Warehouse.create({"name": "Distribution North", "code": "DNO"})
        cls.wh_south = Warehouse.create({"name": "Distribution South", "code": "DSO"})
        cls.wh_north.wfmon_site_id.manager_id = cls.supervisor
        cls.team = cls.env["wfmon.team"].create(
            {
                "name": "Logistics",
                "lead_id": cls.lead.id,
                "member_ids": [(4, cls.lead.id)],
                "site_ids": [
                    (4, cls.wh_north.wfmon_site_id.id),
                    (4, cls.wh_south.wfmon_site_id.id),
                ],
            }
        )
        cls.country = cls.env.ref("base.us")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Acme B2B",
                "is_company": True,
                "street": "1 Main Street",
                "city": "Springfield",
                "country_id": cls.country.id,
            }
        )
        cls.vendor = cls.env["res.partner"].create(
            {
                "name": "Parts Supplier",
                "is_company": True,
                "street": "9 Dock Road",
                "city": "Portville",
                "country_id": cls.country.id,
            }
        )
        Product = cls.env["product.product"]
        cls.widget = Product.create(
            {
                "name": "Widget",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "standard_price": 60.0,
                "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "price": 60.0})],
            }
        )
        cls.gadget = Product.create(
            {
                "name": "Gadget",
                "type": "consu",
                "is_storable": True,
                "list_price": 50.0,
                "standard_price": 20.0,
                "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "price": 20.0})],
            }
        )
        cls.Case = cls.env["wfmon.case"]
        cls.default_warehouse = cls.wh_north
        cls.default_vendor = cls.vendor
        cls.default_customer = cls.customer
        # Keep cases of demo data out of the scanners' way.
        cls.env.cr.execute(SQL("UPDATE wfmon_case SET sla_next_check = NULL"))
        cls.env["wfmon.case"].invalidate_model(["sla_next_check"])

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _validate(self, picking, quantities=None, backorder=True):
        """Validate ``picking`` with ``{product: qty}`` picked (default: demand)."""
        for move in picking.move_ids:
            qty = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.quantity = qty
            move.picked = True
        ctx = {"skip_backorder": True}
        if not backorder:
            ctx["picking_ids_not_to_backorder"] = picking.ids
        return picking.with_context(**ctx).button_validate()
