"""The retail rows of the adversarial suite: documents that wfmon_retail's
guarded actions must hold, and targets for its engine-managed fields.

Mixed into ``TestRpcAttacks``; the main file merges the dicts, so that a new
retail guard only adds a row here."""


class RetailRows:
    RETAIL_ROLES = {
        "stock": "stock.group_stock_user",
        "merch": "wfmon_retail.group_wfmon_retail_merchandising",
    }
    RETAIL_GUARDED = {
        ("stock.quant", "action_apply_inventory"): (
            "_held_count",
            lambda q: q.quantity < 150,
        ),
        ("stock.scrap", "do_scrap"): ("_held_scrap", lambda s: s.state == "done"),
        ("stock.picking", "action_confirm"): (
            "_held_transfer",
            lambda p: p.state != "draft",
        ),
        ("wfmon.retail.substitution", "action_apply"): (
            "_held_substitution",
            lambda s: s.state == "done",
        ),
        ("wfmon.retail.price.change", "action_apply"): (
            "_held_price_change",
            lambda c: c.state == "applied" or c.line_ids.product_tmpl_id.list_price != 20.0,
        ),
    }
    RETAIL_STATE_WRITES = {
        "stock.quant": [{"inventory_quantity_auto_apply": 100}],
        "stock.scrap": [{"state": "done"}],
        "stock.picking": [{"state": "assigned"}, {"state": "done"}],
        "wfmon.retail.substitution": [{"state": "done"}],
        "wfmon.retail.price.change": [{"state": "applied"}],
    }
    RETAIL_OWNER = {
        "stock.quant": "stock",
        "stock.scrap": "stock",
        "stock.picking": "stock",
        "wfmon.retail.substitution": "merch",
        "wfmon.retail.price.change": "salesperson",
    }

    @classmethod
    def _setup_retail(cls):
        """Two stores (a flagship and an outlet) managed by the named approver,
        a product worth 10 at cost, a merchandising colleague to approve."""
        Warehouse = cls.env["stock.warehouse"]
        cls.wh_shop_a = Warehouse.create({"name": "Attacked Flagship", "code": "AFL"})
        cls.wh_shop_b = Warehouse.create({"name": "Attacked Outlet", "code": "AOU"})
        Store = cls.env["wfmon.retail.store"]
        cls.store_a = Store.create({"warehouse_id": cls.wh_shop_a.id, "store_type": "flagship"})
        cls.store_b = Store.create({"warehouse_id": cls.wh_shop_b.id, "store_type": "outlet"})
        (cls.store_a | cls.store_b).site_id.write({"manager_id": cls.approver.id})
        cls.approver.groups_id = [
            (4, cls.env.ref("wfmon_retail.group_wfmon_retail_merchandising").id)
        ]
        cls.company.write(
            {
                "wfmon_retail_adjustment_threshold": 500.0,
                "wfmon_retail_transfer_threshold": 1000.0,
            }
        )
        cls.costly = cls.env["product.product"].create(
            {
                "name": "Attacked Goods",
                "type": "consu",
                "is_storable": True,
                "list_price": 20.0,
                "standard_price": 10.0,
                "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "price": 10.0, "delay": 2})],
            }
        )
        cls.cheap = cls.env["product.product"].create(
            {"name": "Attacked Substitute", "type": "consu", "is_storable": True}
        )
        cls.promotion = cls.env["loyalty.program"].create(
            {
                "name": "Attacked promotion",
                "program_type": "promotion",
                "pos_ok": False,
            }
        )

    @classmethod
    def _retail_targets(cls):
        price_change = cls._held_price_change()
        return {
            "purchase.order": cls._purchase([(cls.costly, 1)], warehouse=cls.wh_shop_a),
            "loyalty.program": cls.promotion,
            "wfmon.retail.price.change": price_change,
            "stock.warehouse.orderpoint": cls.env["stock.warehouse.orderpoint"].create(
                {
                    "warehouse_id": cls.wh_shop_a.id,
                    "location_id": cls.wh_shop_a.lot_stock_id.id,
                    "product_id": cls.cheap.id,
                    "product_min_qty": 1,
                    "product_max_qty": 2,
                    "trigger": "manual",
                }
            ),
            "wfmon.retail.price.change.line": price_change.line_ids,
        }

    # ------------------------------------------------------------------
    # Factories of documents a retail guard must hold
    # ------------------------------------------------------------------
    @classmethod
    def _held_count(cls):
        """A count of 100 where 200 are on hand (1,000 at cost): held for the
        store manager."""
        cls.env["stock.quant"]._update_available_quantity(
            cls.costly, cls.wh_shop_a.lot_stock_id, 200
        )
        quant = cls.env["stock.quant"].search(
            [
                ("product_id", "=", cls.costly.id),
                ("location_id", "=", cls.wh_shop_a.lot_stock_id.id),
            ]
        )
        quant.with_user(cls.users["stock"]).with_context(inventory_mode=True).write(
            {"inventory_quantity": 100}
        )
        return quant

    @classmethod
    def _held_scrap(cls):
        """A scrap of 100 (1,000 at cost): held for the store manager."""
        cls.env["stock.quant"]._update_available_quantity(
            cls.costly, cls.wh_shop_b.lot_stock_id, 100
        )
        return (
            cls.env["stock.scrap"]
            .with_user(cls.users["stock"])
            .create(
                {
                    "product_id": cls.costly.id,
                    "scrap_qty": 100,
                    "location_id": cls.wh_shop_b.lot_stock_id.id,
                }
            )
        )

    @classmethod
    def _held_transfer(cls):
        """150 from the flagship to the outlet (1,500 at cost): held for the
        store manager, then the regional manager."""
        source, dest = cls.wh_shop_a.lot_stock_id, cls.wh_shop_b.lot_stock_id
        return (
            cls.env["stock.picking"]
            .with_user(cls.users["stock"])
            .create(
                {
                    "picking_type_id": cls.wh_shop_a.int_type_id.id,
                    "location_id": source.id,
                    "location_dest_id": dest.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "name": cls.costly.name,
                                "product_id": cls.costly.id,
                                "product_uom_qty": 150,
                                "product_uom": cls.costly.uom_id.id,
                                "location_id": source.id,
                                "location_dest_id": dest.id,
                            },
                        )
                    ],
                }
            )
        )

    @classmethod
    def _held_price_change(cls):
        """The sales price of a product doubled (20 -> 40), held for merchandising
        with the price asked (as a write beyond the limit leaves it)."""
        template = cls.env["product.template"].create(
            {"name": "Attacked Price", "type": "consu", "list_price": 20.0}
        )
        return cls.env["wfmon.retail.price.change"]._wfmon_submit(
            cls.company, template, {template.id: 40.0}
        )

    @classmethod
    def _held_substitution(cls):
        """A substitute for a store's low stock: held for merchandising."""
        rule = cls.env["stock.warehouse.orderpoint"].create(
            {
                "warehouse_id": cls.wh_shop_a.id,
                "location_id": cls.wh_shop_a.lot_stock_id.id,
                "product_id": cls.costly.id,
                "product_min_qty": 10,
                "product_max_qty": 20,
                "trigger": "manual",
            }
        )
        case = cls.env["wfmon.case"].create(
            {
                "type_id": cls.env.ref("wfmon_retail.case_type_low_stock").id,
                "summary": "Attacked low stock",
                "site_id": cls.store_a.site_id.id,
            }
        )
        return cls.env["wfmon.retail.substitution"].create(
            {
                "case_id": case.id,
                "orderpoint_id": rule.id,
                "store_id": cls.store_a.id,
                "product_id": cls.costly.id,
                "substitute_id": cls.costly.id,
                "quantity": 10,
            }
        )
