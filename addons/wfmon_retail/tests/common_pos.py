from itertools import count

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.wfmon_core.models.wfmon_detector import DETECTORS_OFF
from odoo.addons.wfmon_core.tests.common import count_queries

from .common import RetailCase

_UUIDS = count(1)


class RetailPosCase(RetailCase):
    """RetailCase with its two shops ready to sell as the POS front end does:
    cash control on a cash journal with profit/loss accounts, cashiers (POS
    users) and a POS manager, Finance, products sold at the till.

    Orders go through ``pos.order.sync_from_ui`` (what the front end calls),
    sessions are opened with ``open_ui`` + ``set_opening_control`` and closed
    with ``post_closing_cash_details`` + ``close_session_from_ui``, as the
    closing screen does.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "wfmon_retail_return_window_days": 30,
                "wfmon_retail_cash_tolerance": 10.0,
                "wfmon_retail_anomaly_days": 28,
                "wfmon_retail_anomaly_min_sample": 30,
                "wfmon_retail_anomaly_threshold": 3.5,
            }
        )
        pos_user = "base.group_user,point_of_sale.group_pos_user"
        cls.cashier = new_test_user(
            cls.env, login="wfr_cashier", name="Till Cashier", groups=pos_user
        )
        cls.cashier_south = new_test_user(
            cls.env, login="wfr_cashier_s", name="South Cashier", groups=pos_user
        )
        cls.pos_manager = new_test_user(
            cls.env,
            login="wfr_pos_mgr",
            name="POS Manager",
            groups="base.group_user,point_of_sale.group_pos_manager",
        )
        cls.finance = new_test_user(
            cls.env,
            login="wfr_finance",
            name="Finance Controller",
            groups="wfmon_retail.group_wfmon_retail_finance",
        )
        # The store managers sign off their store's tills.
        (cls.manager_north | cls.manager_south).write(
            {"groups_id": [(4, cls.env.ref("point_of_sale.group_pos_user").id)]}
        )
        # One cash journal per shop: Point of Sale lets a cash method serve one shop.
        template = cls.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.cash_methods = {}
        for shop, code in ((cls.shop_flagship, "RCF"), (cls.shop_standard, "RCS")):
            journal = cls.env["account.journal"].create(
                {
                    "name": f"{shop.name} cash",
                    "code": code,
                    "type": "cash",
                    "company_id": cls.company.id,
                    "profit_account_id": template.profit_account_id.id,
                    "loss_account_id": template.loss_account_id.id,
                }
            )
            method = cls.env["pos.payment.method"].create(
                {
                    "name": f"{shop.name} cash",
                    "journal_id": journal.id,
                    "company_id": cls.company.id,
                }
            )
            shop.write({"payment_method_ids": [(6, 0, method.ids)], "cash_control": True})
            cls.cash_methods[shop.id] = method
        Product = cls.env["product.product"]
        cls.chair = Product.create(
            {
                "name": "Store Chair",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "standard_price": 40.0,
                "available_in_pos": True,
                "taxes_id": [(5, 0, 0)],
            }
        )
        cls.lamp = Product.create(
            {
                "name": "Desk Lamp",
                "type": "consu",
                "is_storable": True,
                "list_price": 30.0,
                "standard_price": 12.0,
                "available_in_pos": True,
                "taxes_id": [(5, 0, 0)],
            }
        )
        cls._stock(cls.chair, cls.wh_flagship, 500)
        cls._stock(cls.lamp, cls.wh_flagship, 500)
        cls._stock(cls.chair, cls.wh_standard, 500)
        cls._stock(cls.lamp, cls.wh_standard, 500)

    # ------------------------------------------------------------------
    # The till
    # ------------------------------------------------------------------
    @classmethod
    def _open_session(cls, shop, user=None, opening_cash=0.0):
        """Open a session of ``shop`` as ``user`` (a POS user), as the front end does."""
        user = user or cls.cashier
        shop.with_user(user).open_ui()
        session = shop.current_session_id
        session.with_user(user).set_opening_control(opening_cash, None)
        return session

    @classmethod
    def _payload(cls, session, lines, user=None, date=None, uuid=None):
        """The order the front end sends: ``lines`` are dicts with ``product``,
        ``qty`` and optionally ``price_unit`` (default: the sales price),
        ``discount`` (percent) and ``refund_of`` (the refunded pos.order.line)."""
        uuid = uuid or f"wfr-{next(_UUIDS):06d}"
        order_lines = []
        total = 0.0
        for spec in lines:
            product = spec["product"]
            price = spec.get("price_unit", product.lst_price)
            discount = spec.get("discount", 0.0)
            subtotal = round(price * spec["qty"] * (1 - discount / 100.0), 2)
            total += subtotal
            vals = {
                "product_id": product.id,
                "qty": spec["qty"],
                "price_unit": price,
                "discount": discount,
                "price_subtotal": subtotal,
                "price_subtotal_incl": subtotal,
                "tax_ids": [(6, 0, [])],
                "pack_lot_ids": [],
                "full_product_name": product.display_name,
            }
            if spec.get("refund_of"):
                vals["refunded_orderline_id"] = spec["refund_of"].id
            order_lines.append((0, 0, vals))
        payload = {
            "uuid": uuid,
            "name": f"Order {uuid}",
            "session_id": session.id,
            "sequence_number": 1,
            "user_id": (user or cls.cashier).id,
            "partner_id": False,
            "pricelist_id": session.config_id.pricelist_id.id,
            "fiscal_position_id": False,
            "amount_total": total,
            "amount_tax": 0.0,
            "amount_paid": total,
            "amount_return": 0.0,
            "to_invoice": False,
            "last_order_preparation_change": "{}",
            "lines": order_lines,
            "payment_ids": [
                (
                    0,
                    0,
                    {
                        "amount": total,
                        "name": f"Payment {uuid}",
                        "payment_method_id": cls.cash_methods[session.config_id.id].id,
                    },
                )
            ],
        }
        if date:
            # Without one, the server dates the order (its own clock), as a till online.
            payload["date_order"] = fields.Datetime.to_string(date)
        return payload

    @classmethod
    def _sync(cls, payloads, user=None):
        """``sync_from_ui`` as the cashier; returns the saved orders."""
        result = cls.env["pos.order"].with_user(user or cls.cashier).sync_from_ui(payloads)
        return cls.env["pos.order"].browse([vals["id"] for vals in result["pos.order"]])

    @classmethod
    def _sell(cls, session, lines, user=None, **kwargs):
        return cls._sync([cls._payload(session, lines, user=user, **kwargs)], user=user)

    @classmethod
    def _close(cls, session, counted=None, user=None, difference=0.0):
        """Count the cash and close ``session`` as the closing screen does."""
        session = session.with_user(user or cls.cashier)
        session.invalidate_recordset()
        expected = session.cash_register_balance_end
        session.post_closing_cash_details(expected + difference if counted is None else counted)
        # The closing screen's calls are separate requests: nothing computed
        # before the count is still in the cache.
        session.invalidate_recordset()
        session.update_closing_control_state_session("")
        return session.close_session_from_ui()

    def _detectors_overhead(self, batch, user=None):
        """What the detectors add to the queries of a sync: ``batch()`` (a new list
        of payloads at each call, made before counting) synced once with the
        detectors off, once on. Returns ``(queries added, the orders synced on)``."""
        Order = self.env["pos.order"].with_user(user or self.cashier)
        off_batch, on_batch = batch(), batch()
        with count_queries(self.env) as off:
            Order.with_context(**DETECTORS_OFF).sync_from_ui(off_batch)
        with count_queries(self.env) as on:
            result = Order.sync_from_ui(on_batch)
        orders = self.env["pos.order"].browse([vals["id"] for vals in result["pos.order"]])
        return on.count - off.count, orders

    def _assert_signed_off_split(self, type_code, orders, flagged):
        """Of ``orders``, ``flagged`` were signed off at once (their ``type_code``
        cases resolved) and ``flagged`` wait for the store manager (their cases
        open)."""
        signed = orders.filtered(lambda o: o.wfmon_signoff_state == "signed")
        pending = orders.filtered(lambda o: o.wfmon_signoff_state == "pending")
        self.assertEqual((len(signed), len(pending)), (flagged, flagged))
        self.assertFalse(self._cases(type_code, signed).filtered("is_open"))
        self.assertEqual(len(self._cases(type_code, pending).filtered("is_open")), flagged)

    def _requests(self, record):
        return self.env["wfmon.approval.request"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    def _decide(self, request, user, decision="approve", reason="Checked"):
        """Approve or reject ``request`` as ``user`` (the approvers' button)."""
        request = request.with_user(user)
        if decision == "approve":
            return request.action_approve(reason=reason)
        return request.action_reject(reason=reason)
