"""The till rows of the adversarial suite (wfmon_retail's POS scenarios): the
post-hoc sign-offs of POS orders and sessions must hold for every role and
context, and their engine stamps must refuse every write.

Mixed into ``TestRpcAttacks``; the main file merges the dicts, so that a new
till guard only adds a row here."""

from itertools import count

from odoo.tests import Form

from odoo.addons.wfmon_core.models.wfmon_detector import DETECTORS_OFF

_UUIDS = count(1)


class RetailPosRows:
    RETAIL_POS_ROLES = {
        "cashier": "base.group_user,point_of_sale.group_pos_user",
        "pos_manager": "base.group_user,point_of_sale.group_pos_manager",
        "finance": "wfmon_retail.group_wfmon_retail_finance",
        "stock": "stock.group_stock_user",
    }
    RETAIL_POS_GUARDED = {
        ("pos.order", "action_wfmon_sign_off"): (
            "_held_pos_order",
            lambda o: o.wfmon_signoff_state == "signed",
        ),
        ("pos.session", "action_wfmon_sign_off"): (
            "_held_pos_session",
            lambda s: s.wfmon_signoff_state == "signed",
        ),
        ("account.move", "action_post"): ("_held_credit_note", lambda m: m.state == "posted"),
        ("stock.picking", "button_validate"): ("_held_return", lambda p: p.state == "done"),
    }
    RETAIL_POS_STATE_WRITES = {
        "pos.order": [{"wfmon_signoff_state": "signed"}, {"wfmon_checked": False}],
        "pos.session": [{"wfmon_signoff_state": "signed"}, {"wfmon_cash_difference": 0.0}],
        "account.move": [{"state": "posted"}],
        "stock.picking": [{"state": "assigned"}, {"state": "done"}],
    }
    RETAIL_POS_OWNER = {
        "pos.order": "cashier",
        "pos.session": "cashier",
        "account.move": "billing",
        "stock.picking": "stock",
    }

    @classmethod
    def _setup_retail_pos(cls):
        """Two tills of a store managed by the named approver, who is also in
        Finance; the cashier role sells and closes."""
        warehouse = cls.env["stock.warehouse"].create(
            {"name": "Attacked Till Store", "code": "ATS"}
        )
        store = cls.env["wfmon.retail.store"].create({"warehouse_id": warehouse.id})
        store.site_id.manager_id = cls.approver
        cls.approver.groups_id = [(4, cls.env.ref("wfmon_retail.group_wfmon_retail_finance").id)]
        cls.company.write({"wfmon_retail_max_discount": 20.0, "wfmon_retail_cash_tolerance": 10.0})
        template = cls.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.pos_tills = {}
        for code in ("ATA", "ATB"):
            journal = cls.env["account.journal"].create(
                {
                    "name": f"Till {code}",
                    "code": code,
                    "type": "cash",
                    "company_id": cls.company.id,
                    "profit_account_id": template.profit_account_id.id,
                    "loss_account_id": template.loss_account_id.id,
                }
            )
            method = cls.env["pos.payment.method"].create(
                {"name": f"Till {code}", "journal_id": journal.id, "company_id": cls.company.id}
            )
            config = cls.env["pos.config"].create(
                {
                    "name": f"Attacked till {code}",
                    "picking_type_id": warehouse.pos_type_id.id,
                    "payment_method_ids": [(6, 0, method.ids)],
                    "cash_control": True,
                }
            )
            cls.pos_tills[code] = (config, method)
        cls.pos_product = cls.env["product.product"].create(
            {
                "name": "Attacked Till Goods",
                "is_storable": True,
                "list_price": 100.0,
                "available_in_pos": True,
                "taxes_id": [(5, 0, 0)],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.pos_product, warehouse.lot_stock_id, 1000
        )
        cls.pos_warehouse = warehouse

    @classmethod
    def _retail_pos_targets(cls):
        return {
            "pos.order": cls._held_pos_order(),
            "pos.session": cls._held_pos_session(),
            "account.move": cls._held_credit_note(),
        }

    @classmethod
    def _pos_open(cls, code):
        config, method = cls.pos_tills[code]
        cashier = cls.users["cashier"]
        if not config.current_session_id:
            config.with_user(cashier).open_ui()
            config.current_session_id.with_user(cashier).set_opening_control(0.0, None)
        return config.current_session_id, method

    @classmethod
    def _pos_sell(cls, code, qty, discount=0.0):
        session, method = cls._pos_open(code)
        uuid = f"attack-{next(_UUIDS):05d}"
        subtotal = round(100.0 * qty * (1 - discount / 100.0), 2)
        # No date_order: the server dates the order itself (its own clock).
        payload = {
            "uuid": uuid,
            "name": f"Order {uuid}",
            "session_id": session.id,
            "sequence_number": 1,
            "user_id": cls.users["cashier"].id,
            "pricelist_id": session.config_id.pricelist_id.id,
            "amount_total": subtotal,
            "amount_tax": 0.0,
            "amount_paid": subtotal,
            "amount_return": 0.0,
            "lines": [
                (
                    0,
                    0,
                    {
                        "product_id": cls.pos_product.id,
                        "qty": qty,
                        "price_unit": 100.0,
                        "discount": discount,
                        "price_subtotal": subtotal,
                        "price_subtotal_incl": subtotal,
                        "tax_ids": [(6, 0, [])],
                        "pack_lot_ids": [],
                    },
                )
            ],
            "payment_ids": [
                (0, 0, {"amount": subtotal, "name": uuid, "payment_method_id": method.id})
            ],
        }
        result = cls.env["pos.order"].with_user(cls.users["cashier"]).sync_from_ui([payload])
        return cls.env["pos.order"].browse(result["pos.order"][0]["id"])

    # ------------------------------------------------------------------
    # Factories of documents a till guard must hold
    # ------------------------------------------------------------------
    @classmethod
    def _held_pos_order(cls):
        """Three at 40 % off (120 given away, the store allows 20 %): paid,
        waiting for the store manager's sign-off."""
        return cls._pos_sell("ATA", 3, discount=40.0)

    @classmethod
    def _held_pos_session(cls):
        """A session closed 45 short (the tolerance is 10): closed, waiting for
        Finance's sign-off of the difference."""
        cls._pos_sell("ATB", 1)
        session, _method = cls._pos_open("ATB")
        session = session.with_user(cls.users["cashier"])
        session.invalidate_recordset()
        session.post_closing_cash_details(session.cash_register_balance_end - 45.0)
        session.invalidate_recordset()
        session.close_session_from_ui()
        return session.with_user(cls.env.user)

    @classmethod
    def _held_credit_note(cls):
        """A credit note of three where one was invoiced: out of policy, posted
        only once Finance approves."""
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_line_ids": [
                    (0, 0, {"product_id": cls.pos_product.id, "quantity": 1, "price_unit": 100.0})
                ],
            }
        )
        invoice.action_post()
        # Credited the day it was invoiced (the invoice's own date, set when posted).
        credit = invoice._reverse_moves([{"invoice_date": invoice.invoice_date}])
        credit.invoice_line_ids.filtered(lambda ml: ml.display_type == "product").quantity = 3
        return credit

    @classmethod
    def _held_return(cls):
        """A customer return of three where one was delivered: out of policy,
        validated only once the store manager approves."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "warehouse_id": cls.pos_warehouse.id,
                "order_line": [(0, 0, {"product_id": cls.pos_product.id, "product_uom_qty": 1})],
            }
        )
        order.with_context(**DETECTORS_OFF).action_confirm()
        delivery = order.picking_ids
        delivery.move_ids.quantity = 1
        delivery.with_context(**DETECTORS_OFF).button_validate()
        wizard = Form(
            cls.env["stock.return.picking"].with_context(
                active_id=delivery.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 3
        picking = cls.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        picking.move_ids.quantity = 3
        return picking
