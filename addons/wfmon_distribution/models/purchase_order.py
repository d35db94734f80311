from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_datetime

from odoo.addons.wfmon_core.models.wfmon_detector import (
    as_scanner,
    changed_since,
    detectors_off,
    is_scanner,
)

from ..tools.rules import beyond_tolerance, variance_percent

INBOUND_DELAY = "distribution.inbound_delayed"
PURCHASE_POLICY = "distribution.purchase_policy_breach"
# Outbound moves examined per batch of purchase orders, at most.
DEPENDENT_MOVES_LIMIT = 5000


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "wfmon.case.mixin", "wfmon.approval.mixin"]
    # Purchase outside policy: confirming a purchase may need an approval of the matrix; the shipped
    # policy is scoped on "outside purchase policy". It confirms by itself on
    # approval.
    _wfmon_guarded_actions = {"button_confirm": "Confirm Order"}
    _wfmon_approval_snapshot_fields = ("partner_id", "wfmon_approval_holds")
    _wfmon_approval_site_field = "wfmon_site_id"
    _wfmon_guarded_states = {"button_confirm": ("state", ("to approve", "purchase", "done"))}

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        related="picking_type_id.warehouse_id.wfmon_site_id",
        string="Monitoring Site",
        help="The receiving warehouse's site: approval policies may be scoped on it.",
    )

    def _wfmon_approval_hold_names(self):
        """A draft purchase outside the purchase policy holds ``purchase_policy``."""
        holds = super()._wfmon_approval_hold_names()
        drafts = self.filtered(lambda o: isinstance(o.id, int) and o.state in ("draft", "sent"))
        for order_id in drafts._wfmon_policy_breaches() if drafts else {}:
            holds.setdefault(order_id, set()).add("purchase_policy")
        return holds

    def _wfmon_approval_applicable(self, action_name):
        """Drafts go through the matrix; the policies say which need approval."""
        if action_name != "button_confirm" or detectors_off(self.env):
            return self.browse()
        return self.filtered(lambda o: o.state in ("draft", "sent"))

    def _wfmon_approval_analysis(self, action_name):
        """The policy findings (amount, vendor, price variances), on the request."""
        if action_name != "button_confirm":
            return {}
        breaches = self._wfmon_policy_breaches()
        products = self.env["product.product"].browse(
            {vals.get("product_id") for found in breaches.values() for vals in found["lines"]}
            - {None, False}
        )
        return {
            order.id: self.env["ir.qweb"]._render(
                "wfmon_distribution.approval_analysis_purchase_order",
                {
                    "order": order,
                    "found": breaches[order.id],
                    "products": products,
                    "currency": order.company_id.currency_id,
                },
            )
            for order in self
            if order.id in breaches
        }

    # ------------------------------------------------------------------
    # Purchase outside policy
    # ------------------------------------------------------------------
    def button_confirm(self):
        if detectors_off(self.env):
            passed = self._wfmon_passed(self, "button_confirm")
            return super(PurchaseOrder, passed).button_confirm()
        self.invalidate_recordset(["wfmon_approval_holds"])
        allowed, response = self._wfmon_approval_guard("button_confirm")
        # Every order of the call, also those another module's override of the
        # action held before reaching this one through super().
        orders = self | self._wfmon_approval_held("button_confirm", allowed)
        # Before super: confirming adds the vendor to the products' vendor lists.
        drafts = orders.filtered(lambda o: o.state in ("draft", "sent"))
        breaches = drafts._wfmon_policy_breaches()
        released = allowed._wfmon_approval_consumed("button_confirm")
        # Even with nothing allowed: another override below sees the held orders.
        result = super(PurchaseOrder, allowed).button_confirm()
        # Held orders open their case while they wait; orders confirmed without
        # a policy are still monitored; released ones were decided on.
        (orders - self.browse(list(released)))._wfmon_raise_policy(breaches)
        if released:
            self.env["wfmon.distribution.detector"]._resolve_released(
                (PURCHASE_POLICY,), self.browse(list(released)), released
            )
        return response or result

    def _wfmon_policy_breaches(self):
        """``{order id: {"reasons": [...], "lines": [line values]}}`` of the orders
        above the amount limit, with a vendor not on the products' vendor lists,
        or priced beyond tolerance from the vendor price list."""
        result = {}
        for order in self:
            company = order.company_id
            warehouse = order.picking_type_id.warehouse_id
            tolerance = (
                warehouse._wfmon_setting("wfmon_tolerance_percent")
                if warehouse
                else company.wfmon_dist_tolerance_percent
            )
            reasons, vals_list = [], []
            limit = company.wfmon_dist_purchase_amount_limit
            amount = order.currency_id._convert(
                order.amount_total, company.currency_id, company, order.date_order
            )
            if limit and amount > limit:
                reasons.append("amount")
                vals_list.append(
                    {
                        "kind": "variance",
                        "name": self.env._("Order total above the purchase limit"),
                        "reference_value": limit,
                        "actual_value": amount,
                        "variance_percent": variance_percent(amount, limit) or 0.0,
                        "purchase_order_id": order.id,
                    }
                )
            vendor = order.partner_id.commercial_partner_id
            for line in order.order_line.filtered(lambda ln: not ln.display_type and ln.product_id):
                product = line.product_id
                sellers = product.seller_ids.filtered(
                    lambda s, c=company: not s.company_id or s.company_id == c
                )
                if company.wfmon_dist_check_vendor and vendor not in (
                    sellers.partner_id.commercial_partner_id
                ):
                    reasons.append("vendor")
                    vals_list.append(
                        {
                            "kind": "variance",
                            "name": self.env._("Vendor not approved for this product"),
                            "product_id": product.id,
                            "partner_id": order.partner_id.id,
                            "purchase_order_id": order.id,
                        }
                    )
                    continue
                seller = product._select_seller(
                    partner_id=order.partner_id,
                    quantity=line.product_qty,
                    date=order.date_order and order.date_order.date(),
                    uom_id=line.product_uom,
                    params={"order_id": order},
                )
                if not seller:
                    continue
                reference = seller.currency_id._convert(
                    seller.price_discounted, order.currency_id, company, order.date_order
                )
                reference = seller.product_uom._compute_price(reference, line.product_uom)
                actual = line.price_unit * (1 - (line.discount or 0.0) / 100.0)
                if beyond_tolerance(actual, reference, tolerance):
                    reasons.append("price")
                    vals_list.append(
                        {
                            "kind": "variance",
                            "name": self.env._("Price differs from the vendor price list"),
                            "product_id": product.id,
                            "partner_id": order.partner_id.id,
                            "purchase_order_id": order.id,
                            "quantity": line.product_qty,
                            "reference_value": reference,
                            "actual_value": actual,
                            "variance_percent": variance_percent(actual, reference),
                            "amount": (actual - reference) * line.product_qty,
                        }
                    )
            if reasons:
                result[order.id] = {
                    "reasons": sorted(set(reasons)),
                    "lines": vals_list,
                    "amount": amount,
                    "tolerance_percent": tolerance,
                }
        return result

    def _wfmon_raise_policy(self, breaches):
        orders = self.filtered(lambda o: o.id in breaches)
        if not orders:
            return self.env["wfmon.case"]
        detector = self.env["wfmon.distribution.detector"]
        sites = detector._sites(orders.picking_type_id.warehouse_id)
        labels = {
            "amount": self.env._("above the amount limit"),
            "vendor": self.env._("vendor not approved"),
            "price": self.env._("price variance beyond tolerance"),
        }
        return detector._detect(
            PURCHASE_POLICY,
            orders,
            {
                order.id: {
                    "vendor": order.partner_id.display_name,
                    "reasons": breaches[order.id]["reasons"],
                    "amount": breaches[order.id]["amount"],
                    "variances": [
                        {
                            "product_id": vals.get("product_id"),
                            "reason": vals["name"],
                            "reference": vals.get("reference_value"),
                            "actual": vals.get("actual_value"),
                        }
                        for vals in breaches[order.id]["lines"]
                    ],
                }
                for order in orders
            },
            details={
                order.id: "\n".join(
                    vals["name"]
                    + (
                        f" ({self.env['product.product'].browse(vals['product_id']).display_name})"
                        if vals.get("product_id")
                        else ""
                    )
                    for vals in breaches[order.id]["lines"]
                )
                for order in orders
            },
            lines={order.id: breaches[order.id]["lines"] for order in orders},
            impact={order.id: order.amount_total for order in orders},
            severity={
                order.id: "high" if len(breaches[order.id]["reasons"]) > 1 else "medium"
                for order in orders
            },
            summary={
                order.id: self.env._(
                    "%(po)s: %(why)s",
                    po=order.name,
                    why=", ".join(labels[r] for r in breaches[order.id]["reasons"]),
                )
                for order in orders
            },
            site={order.id: sites.get(order.picking_type_id.warehouse_id.id) for order in orders},
        )

    # ------------------------------------------------------------------
    # Inbound delay while committed outbound orders depend on it
    # ------------------------------------------------------------------
    def _wfmon_inbound_analysis(self, now=None):
        """``{order id: [impact line values]}``: the committed outbound orders a
        late (or moved) receipt of these purchase orders puts at risk.

        A confirmed line still to receive is *delayed* when its expected arrival
        has passed, or when the vendor moved it later than first promised.  An
        unreserved outbound move of the same product from the same warehouse
        depends on it when it is needed before the expected arrival (any time,
        when the arrival date has passed).  Three queries per batch.
        """
        now = now or fields.Datetime.now()
        lines = self.env["purchase.order.line"].search(
            [
                ("order_id", "in", self.ids),
                ("state", "=", "purchase"),
                ("display_type", "=", False),
                ("product_id.is_storable", "=", True),
                "|",
                ("date_planned", "<", now),
                ("wfmon_date_moved", "=", True),
            ]
        )
        delayed = lines.filtered(lambda ln: ln._wfmon_is_open())
        if not delayed:
            return {}
        warehouses = delayed.order_id.picking_type_id.warehouse_id
        # sudo: purchasers may not read sales; the analysis lists them for the
        # planner on the case.
        moves = (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("product_id", "in", delayed.product_id.ids),
                    ("state", "in", ("confirmed", "waiting", "partially_available")),
                    ("picking_code", "=", "outgoing"),
                    ("sale_line_id", "!=", False),
                    ("location_id.warehouse_id", "in", warehouses.ids),
                ],
                order="date, id",
                limit=DEPENDENT_MOVES_LIMIT,
            )
        )
        by_key = defaultdict(list)
        for move in moves:
            by_key[(move.location_id.warehouse_id.id, move.product_id.id)].append(move)
        result = defaultdict(list)
        for line in delayed:
            warehouse = line.order_id.picking_type_id.warehouse_id
            late = line.date_planned < now
            seen = set()
            for move in by_key.get((warehouse.id, line.product_id.id), []):
                order = move.sale_line_id.order_id
                needed = order.commitment_date or move.date_deadline or move.date
                if (not late and needed >= line.date_planned) or order.id in seen:
                    continue
                seen.add(order.id)
                result[line.order_id.id].append(
                    {
                        "kind": "impact",
                        "name": self.env._("Late receipt") if late else self.env._("Date moved"),
                        "product_id": line.product_id.id,
                        "warehouse_id": warehouse.id,
                        "quantity": move.product_uom_qty,
                        "sale_order_id": order.id,
                        "partner_id": order.partner_id.id,
                        "commitment_date": needed,
                        "purchase_order_id": line.order_id.id,
                        "date_planned": line.date_planned,
                        "amount": move.sale_line_id.price_reduce_taxexcl * move.product_uom_qty,
                    }
                )
        return dict(result)

    def _wfmon_check_inbound_delay(self):
        """Open or refresh the inbound-delay case of each order that puts committed
        outbound orders at risk; resolve it when no order depends on it any more."""
        detector = self.env["wfmon.distribution.detector"]
        orders = self.filtered(lambda o: o.state == "purchase")
        now = fields.Datetime.now()
        impact = orders._wfmon_inbound_analysis(now)
        flagged = orders.filtered(lambda o: o.id in impact)
        sites = detector._sites(flagged.picking_type_id.warehouse_id)
        details, payloads = {}, {}
        for order in flagged:
            rows = impact[order.id]
            details[order.id] = "\n".join(
                self.env._(
                    "%(so)s (%(customer)s) needs %(qty)s %(product)s by %(date)s; "
                    "expected %(arrival)s.",
                    so=self.env["sale.order"].browse(vals["sale_order_id"]).name,
                    customer=self.env["res.partner"].browse(vals["partner_id"]).display_name,
                    qty=vals["quantity"],
                    product=self.env["product.product"].browse(vals["product_id"]).display_name,
                    date=format_datetime(self.env, vals["commitment_date"]),
                    arrival=format_datetime(self.env, vals["date_planned"]),
                )
                for vals in rows
            )
            payloads[order.id] = {
                "vendor": order.partner_id.display_name,
                "affected": [
                    {
                        "sale_order_id": vals["sale_order_id"],
                        "customer_id": vals["partner_id"],
                        "product_id": vals["product_id"],
                        "warehouse_id": vals["warehouse_id"],
                        "commitment_date": vals["commitment_date"],
                        "date_planned": vals["date_planned"],
                    }
                    for vals in rows
                ],
            }
        cases = detector._detect(
            INBOUND_DELAY,
            flagged,
            payloads,
            details=details,
            lines={order.id: impact[order.id] for order in flagged},
            impact={order.id: sum(v["amount"] for v in impact[order.id]) for order in flagged},
            summary={
                order.id: self.env._(
                    "%(po)s late: %(count)s customer order(s) at risk",
                    po=order.name,
                    count=len({v["sale_order_id"] for v in impact[order.id]}),
                )
                for order in flagged
            },
            site={order.id: sites.get(order.picking_type_id.warehouse_id.id) for order in flagged},
            severity={
                order.id: "high"
                if any(v["commitment_date"] <= now + timedelta(days=2) for v in impact[order.id])
                else "medium"
                for order in flagged
            },
            bump=not is_scanner(self.env),
            refresh=True,
        )
        # Customer communication for every order newly at risk: those of a new
        # case, and those that joined the impact list of an open case since.
        case_of = dict(zip(flagged.ids, cases, strict=True)) if cases else {}
        to_inform = {}
        for order in flagged:
            informed = set(case_of[order.id].informed_sale_order_ids.ids)
            rows = [v for v in impact[order.id] if v["sale_order_id"] not in informed]
            if rows:
                to_inform[order.id] = rows
        self._wfmon_schedule_customer_calls(
            to_inform, {po_id: case.name for po_id, case in case_of.items()}
        )
        for po_id, rows in to_inform.items():
            # sudo: the engine records who was asked to inform the customer.
            case_of[po_id].sudo().informed_sale_order_ids = [
                (4, so_id) for so_id in {v["sale_order_id"] for v in rows}
            ]
        detector._resolve(
            INBOUND_DELAY,
            self - flagged,
            self.env._("No committed customer order depends on this receipt any more."),
        )
        return impact

    @api.model
    def _wfmon_schedule_customer_calls(self, impact, case_names):
        """Customer communication: a to-do for the salesperson of each sale order
        a newly opened inbound-delay case puts at risk (one INSERT per batch)."""
        orders = self.env["sale.order"].browse(
            {vals["sale_order_id"] for rows in impact.values() for vals in rows}
        )
        if not orders:
            return self.env["mail.activity"]
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        model = self.env["ir.model"]._get_id("sale.order")
        today = fields.Date.context_today(self)
        vals_list, seen = [], set()
        for po_id, rows in impact.items():
            for vals in rows:
                order = orders.browse(vals["sale_order_id"])
                if order.id in seen or not order.user_id:
                    continue
                seen.add(order.id)
                vals_list.append(
                    {
                        "res_model_id": model,
                        "res_id": order.id,
                        "activity_type_id": todo.id if todo else False,
                        "user_id": order.user_id.id,
                        "date_deadline": today,
                        "summary": self.env._("Delivery at risk: inform the customer"),
                        "note": self.env._(
                            "The receipt this order waits for is late (case %(case)s): "
                            "agree a new date with %(customer)s.",
                            case=case_names.get(po_id, ""),
                            customer=order.partner_id.display_name,
                        ),
                    }
                )
        # sudo: the salesperson's to-do is created by the engine, whoever moved
        # the vendor date (a purchaser may not write on sale orders).
        return self.env["mail.activity"].sudo().create(vals_list)

    @api.model
    def _wfmon_inbound_changed(self, since, now):
        """The purchase orders whose inbound-delay impact may have changed since
        ``since``: the order or its lines (dates moved, quantities received,
        cancelled), a line whose expected arrival passed between ``since`` and
        ``now`` (late by time passing: no date moves), and the orders of the
        products whose stock moves or sale orders changed (a customer order
        committed, reserved, shipped or rescheduled)."""
        # sudo: purchasers may not read sales; the scanner reads which products
        # the customer orders that changed ask for, whoever runs it.
        moves = self.env["stock.move"].sudo()._search([("write_date", ">=", since)])
        sale_lines = (
            self.env["sale.order.line"].sudo()._search([("order_id.write_date", ">=", since)])
        )
        return changed_since(
            since,
            "write_date",
            "order_line.write_date",
            terms=[
                [("order_line.date_planned", ">=", since), ("order_line.date_planned", "<", now)],
                (
                    "order_line.product_id",
                    "in",
                    moves.subselect(SQL.identifier("stock_move", "product_id")),
                ),
                (
                    "order_line.product_id",
                    "in",
                    sale_lines.subselect(SQL.identifier("sale_order_line", "product_id")),
                ),
            ],
        )

    @api.model
    def _cron_wfmon_inbound_delay(self, batch_size=200):
        """Inbound-delay scanner: purchase orders with late or moved receipts (cases opened
        or refreshed), and resolution of the cases of orders received, cancelled
        or back on time since (core's ``_scan_due``). The impact (committed
        customer orders waiting for the receipt) is computed in Python over sale
        orders: only the orders whose inputs changed since the previous pass are
        read again (see ``_wfmon_inbound_changed``)."""
        now = fields.Datetime.now()
        detector = self.env["wfmon.distribution.detector"]
        Order = as_scanner(self)
        domain = [
            ("state", "=", "purchase"),
            ("receipt_status", "in", ("pending", "partial")),
            (
                "order_line",
                "any",
                ["|", ("date_planned", "<", now), ("wfmon_date_moved", "=", True)],
            ),
        ]
        check = lambda orders: orders._wfmon_check_inbound_delay()  # noqa: E731
        return detector._scan_due(
            "inbound_delay",
            INBOUND_DELAY,
            Order,
            domain,
            check,
            self.env._("The receipt is done, cancelled or back on time."),
            recheck=check,
            changed=lambda since: self._wfmon_inbound_changed(since, now),
            batch_size=batch_size,
        )
