from datetime import timedelta

from odoo import api, fields, models

#: the suite's demo users, and whether their role includes Inventory rights
#: (docs/journeys.md): what they keep once Point of Sale is installed.
DEMO_ROLES_INVENTORY = {
    "wfmon_core.demo_user_clerk": False,
    "wfmon_core.demo_user_store_manager": False,
    "wfmon_core.demo_user_supervisor": True,
    "wfmon_core.demo_user_regional": False,
    "wfmon_distribution.demo_user_finance": False,
    "wfmon_distribution.demo_user_sales_manager": False,
}


class WfmonRetailPosDemo(models.AbstractModel):
    """Demo data of the till scenarios, made through the entry points the POS
    front end uses (``sync_from_ui``, the closing screen's calls), so that the
    detectors react as they would in a store: a day at the Harbour store with
    six cashiers, one of whom refunds far more than the others, a discount
    above the store's limit, a refund beyond the sale, and the session closed
    45 short. Called once from ``demo/wfmon_retail_demo_pos.xml``."""

    _name = "wfmon.retail.pos.demo"
    _description = "Retail: till demo data"

    @api.model
    def _load_demo(self):
        env = self.env
        company = env.ref("base.main_company")
        # A demo day is short: cashiers are judged from 10 sales (30 by default).
        company.wfmon_retail_anomaly_min_sample = 10
        warehouse = env["stock.warehouse"].create(
            {"name": "Harbour Store", "code": "HRB", "company_id": company.id}
        )
        region = env["wfmon.retail.region"].search(
            [("company_id", "in", (company.id, False))], limit=1
        )
        store = env["wfmon.retail.store"].create(
            {"warehouse_id": warehouse.id, "store_type": "standard", "region_id": region.id}
        )
        last_case = env["wfmon.case"].search([], order="id desc", limit=1)
        internal = env.ref("base.group_user")
        pos_user = env.ref("point_of_sale.group_pos_user")
        manager = env["res.users"].create(
            {
                "name": "Harbour Store Manager",
                "login": "harbour_manager",
                "email": "harbour.manager@example.com",
                "groups_id": [
                    (6, 0, [internal.id, pos_user.id, env.ref("wfmon_core.group_wfmon_user").id])
                ],
            }
        )
        store.site_id.manager_id = manager
        env.ref("wfmon_retail.group_wfmon_retail_finance").users = [
            (4, env.ref("base.user_admin").id)
        ]
        cashiers = env["res.users"].create(
            [
                {
                    "name": name,
                    "login": f"harbour_till_{index}",
                    "email": f"harbour.till.{index}@example.com",
                    "groups_id": [(6, 0, [internal.id, pos_user.id])],
                }
                for index, name in enumerate(
                    [
                        "Nina Costa",
                        "Omar Haddad",
                        "Petra Lind",
                        "Quentin Roy",
                        "Rosa Vidal",
                        "Sam Okoye",
                    ]
                )
            ]
        )
        template = env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", company.id)], limit=1
        )
        journal = env["account.journal"].create(
            {
                "name": "Harbour till cash",
                "code": "HRBC",
                "type": "cash",
                "company_id": company.id,
                "profit_account_id": template.profit_account_id.id,
                "loss_account_id": template.loss_account_id.id,
            }
        )
        method = env["pos.payment.method"].create(
            {"name": "Harbour cash", "journal_id": journal.id, "company_id": company.id}
        )
        config = env["pos.config"].create(
            {
                "name": "Harbour Till",
                "picking_type_id": warehouse.pos_type_id.id,
                "payment_method_ids": [(6, 0, method.ids)],
                "cash_control": True,
            }
        )
        product = env["product.product"].create(
            {
                "name": "Harbour Lantern",
                "is_storable": True,
                "list_price": 40.0,
                "standard_price": 18.0,
                "available_in_pos": True,
                "taxes_id": [(5, 0, 0)],
            }
        )
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1000)
        opener = cashiers[1]
        config.with_user(opener).open_ui()
        session = config.current_session_id.with_user(opener)
        session.set_opening_control(0.0, None)
        counter = iter(range(1, 10**6))

        def order(cashier, qty, discount=0.0, refund_of=None, when=None):
            uuid = f"harbour-demo-{next(counter):05d}"
            subtotal = round(40.0 * qty * (1 - discount / 100.0), 2)
            stamp = fields.Datetime.to_string(when or fields.Datetime.now())
            line = {
                "product_id": product.id,
                "qty": qty,
                "price_unit": 40.0,
                "discount": discount,
                "price_subtotal": subtotal,
                "price_subtotal_incl": subtotal,
                "tax_ids": [(6, 0, [])],
                "pack_lot_ids": [],
                "full_product_name": product.name,
            }
            if refund_of:
                line["refunded_orderline_id"] = refund_of.id
            return {
                "uuid": uuid,
                "name": f"Order {uuid}",
                "session_id": session.id,
                "sequence_number": 1,
                "user_id": cashier.id,
                "partner_id": False,
                "pricelist_id": config.pricelist_id.id,
                "fiscal_position_id": False,
                "date_order": stamp,
                "amount_total": subtotal,
                "amount_tax": 0.0,
                "amount_paid": subtotal,
                "amount_return": 0.0,
                "to_invoice": False,
                "last_order_preparation_change": "{}",
                "lines": [(0, 0, line)],
                "payment_ids": [
                    (0, 0, {"amount": subtotal, "name": stamp, "payment_method_id": method.id})
                ],
            }

        def sync(cashier, payloads):
            result = env["pos.order"].with_user(cashier).sync_from_ui(payloads)
            return env["pos.order"].browse([vals["id"] for vals in result["pos.order"]])

        earlier = fields.Datetime.now() - timedelta(days=3)
        sales = {
            cashier: sync(cashier, [order(cashier, 1, when=earlier) for _i in range(12)])
            for cashier in cashiers
        }
        # Nina refunds 8 of her 12 sales; the others one or none.
        nina = cashiers[0]
        sync(nina, [order(nina, -1, refund_of=sale.lines) for sale in sales[nina][:8]])
        for cashier in cashiers[1::2]:
            sync(cashier, [order(cashier, -1, refund_of=sales[cashier][0].lines)])
        # Omar gives 35 % off a large sale (above the store's 20 %), and refunds
        # three lanterns of a one-lantern sale.
        sync(opener, [order(opener, 12, discount=35.0)])
        sync(opener, [order(opener, -3, refund_of=sales[opener][1].lines)])
        # The session is counted 45 short and closed.
        session.invalidate_recordset()
        expected = session.cash_register_balance_end
        session.post_closing_cash_details(expected - 45.0)
        session.invalidate_recordset()
        session.update_closing_control_state_session("Counted twice, 45 missing.")
        session.close_session_from_ui()
        env["wfmon.retail.anomaly"]._scan_company(company)
        # Every case this day opened reaches a person: the store's manager takes
        # those the routing left without an owner or a team.
        env["wfmon.case"].search(
            [
                ("id", ">", last_case.id),
                ("is_open", "=", True),
                ("user_id", "=", False),
                ("team_id", "=", False),
            ]
        ).user_id = manager
        return True

    @api.model
    def _demo_roles_without_pos(self):
        """Point of Sale's installation makes every internal user who exists then
        a POS administrator (the default user's groups are applied to them), and so
        an Inventory user. The suite's demo users existing by then (core's always,
        distribution's when it was installed first) keep only their role's rights:
        no POS group, and Inventory only for the warehouse supervisor. Called from
        ``demo/wfmon_retail_demo.xml``, which loads after Point of Sale."""
        pos = [
            self.env.ref("point_of_sale.group_pos_manager"),
            self.env.ref("point_of_sale.group_pos_user"),
        ]
        stock_user = self.env.ref("stock.group_stock_user")
        for xmlid, inventory in DEMO_ROLES_INVENTORY.items():
            user = self.env.ref(xmlid, raise_if_not_found=False)
            if not user:
                continue
            removed = pos if inventory else [*pos, stock_user]
            user.groups_id = [fields.Command.unlink(group.id) for group in removed]
        return True
