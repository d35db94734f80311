from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, float_compare, format_datetime

from odoo.addons.wfmon_core.models.wfmon_detector import (
    as_scanner,
    changed_since,
    detectors_off,
    is_scanner,
)
from odoo.addons.wfmon_core.tools.engine import flag, with_flags

from ..tools.rules import allocate_free_stock, margin_breaches, margin_percent
from .wfmon_distribution_detector import RELEASED_KEY

FULFILLMENT = "distribution.fulfillment_at_risk"
CREDIT = "distribution.credit_hold"
MARGIN = "distribution.margin_breach"
INVOICE_GAP = "distribution.invoice_gap"
MASTER_DATA = "distribution.master_data_gap"
# Inbound purchase lines listed on a fulfillment case, at most.
INBOUND_LIMIT = 200


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "wfmon.case.mixin", "wfmon.approval.mixin"]
    # Credit hold / margin: confirming an order may need an approval of the matrix. The
    # shipped policies are scoped on the detectors' signals (credit hold, margin
    # or discount outside policy, both); the order confirms by itself once the
    # last level approves.
    _wfmon_guarded_actions = {"action_confirm": "Confirm Order"}
    _wfmon_approval_snapshot_fields = ("partner_id", "wfmon_approval_holds")
    _wfmon_approval_site_field = "wfmon_site_id"
    _wfmon_guarded_states = {"action_confirm": ("state", ("sale",))}

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        related="warehouse_id.wfmon_site_id",
        string="Monitoring Site",
        help="The warehouse's site: approval policies may be scoped on it.",
    )

    def _wfmon_approval_hold_names(self):
        """A draft order in credit breach holds ``credit_hold``; one outside the
        margin or discount policy holds ``margin_or_discount``."""
        holds = super()._wfmon_approval_hold_names()
        drafts = self.filtered(lambda o: isinstance(o.id, int) and o.state in ("draft", "sent"))
        if drafts:
            for order_id in drafts._wfmon_credit_breaches():
                holds.setdefault(order_id, set()).add("credit_hold")
            for order_id in drafts._wfmon_margin_analysis():
                holds.setdefault(order_id, set()).add("margin_or_discount")
        return holds

    def _wfmon_approval_applicable(self, action_name):
        """Drafts go through the matrix; the policies say which need approval."""
        if action_name != "action_confirm" or detectors_off(self.env):
            return self.browse()
        return self.filtered(lambda o: o.state in ("draft", "sent"))

    def _wfmon_approval_analysis(self, action_name):
        """The credit position and the margin analysis, on the approval request."""
        if action_name != "action_confirm":
            return {}
        credit = self._wfmon_credit_breaches()
        margin = self._wfmon_margin_analysis()
        products = self.env["product.product"].browse(
            {vals["product_id"] for found in margin.values() for vals in found["lines"]}
        )
        result = {}
        for order in self:
            if order.id not in credit and order.id not in margin:
                continue
            result[order.id] = self.env["ir.qweb"]._render(
                "wfmon_distribution.approval_analysis_sale_order",
                {
                    "order": order,
                    "credit": credit.get(order.id),
                    "margin": margin.get(order.id),
                    "products": products,
                    "currency": order.company_id.currency_id,
                },
            )
        return result

    def action_confirm(self):
        # The signals may have changed since they were last read in this transaction.
        self.invalidate_recordset(["wfmon_approval_holds"])
        allowed, response = self._wfmon_approval_guard("action_confirm")
        # Also the orders another module's override of the action held before
        # reaching this one through super().
        held = self._wfmon_approval_held("action_confirm", allowed)
        if held:
            # The hold cases open (or are bumped) with their analysis while the
            # confirmation waits for the approval.
            held._wfmon_check_credit()
            held._wfmon_check_margin()
        released = allowed._wfmon_approval_consumed("action_confirm")
        # Even with nothing allowed: another override below sees the held
        # orders. A server flag: a client cannot name orders as released.
        result = super(
            SaleOrder, with_flags(allowed, **{RELEASED_KEY: frozenset(released)})
        ).action_confirm()
        if released:
            self.env["wfmon.distribution.detector"]._resolve_released(
                (CREDIT, MARGIN), self.browse(list(released)), released
            )
        return response or result

    # ------------------------------------------------------------------
    # Confirmation hook (shortage, credit hold, margin, master data)
    # ------------------------------------------------------------------
    def _action_confirm(self):
        if detectors_off(self.env):
            return super()._action_confirm()
        # Free stock is read before the new moves reserve it.
        shortages = self._wfmon_fulfillment_shortages()
        res = super()._action_confirm()
        self._wfmon_raise_fulfillment(shortages)
        # Orders released under an approval were decided on; the others (no
        # policy applies, or confirmed by other flows) are still monitored.
        released = flag(self.env.context, RELEASED_KEY, frozenset())
        unreleased = self.filtered(lambda o: o.id not in released)
        unreleased._wfmon_check_credit()
        unreleased._wfmon_check_margin()
        self._wfmon_check_master_data()
        return res

    # ------------------------------------------------------------------
    # Shortage: confirmed with insufficient available stock
    # ------------------------------------------------------------------
    def _wfmon_stock_lines(self):
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and line.product_id.is_storable
                and line.product_uom_qty > 0
                and line.order_id.warehouse_id
            )
        )

    def _wfmon_fulfillment_shortages(self):
        """What the orders need from their warehouse beyond its free stock,
        allocated in confirmation order: ``{"shortages": {order id: [Shortage]},
        "free": {(warehouse id, product id): free qty}}``, or ``{}``."""
        lines = self._wfmon_stock_lines()
        if not lines:
            return {}
        free = self.env["stock.quant"]._wfmon_free_stock(lines.product_id, self.company_id)
        demands = [
            (
                line.order_id.id,
                line.order_id.warehouse_id.id,
                line.product_id.id,
                line.product_uom._compute_quantity(
                    line.product_uom_qty, line.product_id.uom_id, rounding_method="HALF-UP"
                ),
            )
            for line in lines
        ]
        shortages = allocate_free_stock(demands, free)
        return {"shortages": shortages, "free": free} if shortages else {}

    def _wfmon_raise_fulfillment(self, found):
        if not found:
            return self.env["wfmon.case"]
        shortages, free = found["shortages"], found["free"]
        orders = self.filtered(lambda o: o.id in shortages)
        product_ids = {s.product_id for rows in shortages.values() for s in rows}
        products = self.env["product.product"].browse(product_ids)
        inbound = self.env["purchase.order.line"]._wfmon_open_inbound(
            products, orders.company_id, limit=INBOUND_LIMIT
        )
        warehouses = self.env["stock.warehouse"].browse(
            {wh for wh, _p in free} | {s.warehouse_id for rows in shortages.values() for s in rows}
        )
        sites = self.env["wfmon.distribution.detector"]._sites(orders.warehouse_id)
        prices = {}
        for line in orders.order_line:
            prices.setdefault((line.order_id.id, line.product_id.id), line.price_reduce_taxexcl)
        details, lines, payloads, impact = {}, {}, {}, {}
        for order in orders:
            text, vals_list, items, amount = [], [], [], 0.0
            for shortage in shortages[order.id]:
                product = products.browse(shortage.product_id)
                warehouse = warehouses.browse(shortage.warehouse_id)
                unit_price = prices.get((order.id, product.id), 0.0)
                amount += shortage.missing * unit_price
                alternates = []
                for (wh_id, product_id), qty in sorted(free.items()):
                    other = warehouses.browse(wh_id)
                    if (
                        product_id == product.id
                        and other != warehouse
                        and qty > 0
                        and other.company_id == order.company_id
                    ):
                        alternates.append((other, qty))
                incoming = [
                    pol for pol in inbound.get(product.id, []) if pol.company_id == order.company_id
                ]
                text.append(
                    self.env._(
                        "%(product)s: %(demand)s needed from %(warehouse)s, %(free)s free, "
                        "%(missing)s missing.",
                        product=product.display_name,
                        demand=shortage.demand,
                        warehouse=warehouse.name,
                        free=shortage.available,
                        missing=shortage.missing,
                    )
                )
                vals_list.append(
                    {
                        "kind": "shortage",
                        "name": self.env._("Missing in %s", warehouse.name),
                        "product_id": product.id,
                        "warehouse_id": warehouse.id,
                        "quantity": shortage.demand,
                        "available_qty": shortage.available,
                        "missing_qty": shortage.missing,
                        "sale_order_id": order.id,
                        "partner_id": order.partner_id.id,
                        "commitment_date": order.commitment_date,
                        "amount": shortage.missing * unit_price,
                    }
                )
                for other, qty in alternates:
                    text.append(self.env._("    %(wh)s has %(qty)s free.", wh=other.name, qty=qty))
                    vals_list.append(
                        {
                            "kind": "alternate",
                            "name": self.env._("Free in %s", other.name),
                            "product_id": product.id,
                            "warehouse_id": other.id,
                            "available_qty": qty,
                        }
                    )
                for pol in incoming:
                    open_qty = pol.product_qty - pol.qty_received
                    text.append(
                        self.env._(
                            "    %(po)s brings %(qty)s on %(date)s.",
                            po=pol.order_id.name,
                            qty=open_qty,
                            date=format_datetime(self.env, pol.date_planned),
                        )
                    )
                    vals_list.append(
                        {
                            "kind": "inbound",
                            "name": pol.order_id.name,
                            "product_id": product.id,
                            "warehouse_id": pol.order_id.picking_type_id.warehouse_id.id,
                            "quantity": open_qty,
                            "purchase_order_id": pol.order_id.id,
                            "partner_id": pol.partner_id.id,
                            "date_planned": pol.date_planned,
                        }
                    )
                items.append(
                    {
                        "product": product.display_name,
                        "product_id": product.id,
                        "warehouse": warehouse.code,
                        "demand": shortage.demand,
                        "free": shortage.available,
                        "missing": shortage.missing,
                        "alternates": [{"warehouse": o.code, "free": q} for o, q in alternates],
                        "inbound": [
                            {
                                "purchase_order": pol.order_id.name,
                                "quantity": pol.product_qty - pol.qty_received,
                                "date_planned": pol.date_planned,
                            }
                            for pol in incoming
                        ],
                    }
                )
            details[order.id] = "\n".join(text)
            lines[order.id] = vals_list
            impact[order.id] = amount
            payloads[order.id] = {
                "customer": order.partner_id.display_name,
                "commitment_date": order.commitment_date,
                "shortages": items,
            }
        return self.env["wfmon.distribution.detector"]._detect(
            FULFILLMENT,
            orders,
            payloads,
            details=details,
            lines=lines,
            impact=impact,
            summary={
                order.id: self.env._("%s: not enough stock to fulfil", order.name)
                for order in orders
            },
            site={order.id: sites.get(order.warehouse_id.id) for order in orders},
        )

    def _wfmon_deliveries_covered(self):
        """The orders of ``self`` whose deliveries hold their whole demand: every
        outgoing move is done, cancelled, or has its full demand reserved or
        picked.

        Decided from the quantities of each move, never from the picking state:
        under the default shipping policy ("As soon as possible") a delivery
        with 5 of 20 reserved is already ``assigned``."""
        covered = self.browse()
        for order in self:
            moves = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing").move_ids
            if all(
                move.state in ("done", "cancel")
                or float_compare(
                    move.quantity,
                    move.product_uom_qty,
                    precision_rounding=move.product_uom.rounding,
                )
                >= 0
                for move in moves
            ):
                covered |= order
        return covered

    def _wfmon_recheck_fulfillment(self):
        """Resolve the fulfillment cases of orders whose deliveries are all
        reserved or done (or which were cancelled)."""
        detector = self.env["wfmon.distribution.detector"]
        open_cases = detector._open_cases(FULFILLMENT, self)
        orders = self.browse(list(open_cases))
        cleared = orders.filtered(lambda o: o.state == "cancel") | (
            orders.filtered(lambda o: o.state != "cancel")._wfmon_deliveries_covered()
        )
        return detector._resolve(
            FULFILLMENT, cleared, self.env._("The deliveries are reserved or done.")
        )

    # ------------------------------------------------------------------
    # Credit hold: credit limit and overdue invoices (the approval gate is in action_confirm)
    # ------------------------------------------------------------------
    def _wfmon_credit_breaches(self):
        """``{order id: dict}`` of the orders over their customer's credit limit
        or whose customer has overdue invoices."""
        orders = self.filtered(lambda o: o.state in ("draft", "sent", "sale"))
        if not orders:
            return {}
        today = fields.Date.context_today(self)
        result = {}
        for company, company_orders in orders.grouped("company_id").items():
            # sudo: credit figures are restricted to accounting groups; the
            # detector reads them for whoever confirms, without showing them.
            partners = (
                company_orders.partner_id.commercial_partner_id.sudo()
                .with_company(company)
                .with_context(allowed_company_ids=[company.id])
            )
            # Both figures are computed, not stored, and depend on documents
            # that may have changed in this transaction: read them afresh.
            partners.invalidate_recordset(["credit", "debit", "credit_to_invoice"])
            overdue = {}
            if company.wfmon_dist_overdue_grace_days >= 0:
                limit_date = today - timedelta(days=company.wfmon_dist_overdue_grace_days)
                groups = (
                    self.env["account.move.line"]
                    .sudo()
                    ._read_group(
                        [
                            ("company_id", "=", company.id),
                            ("partner_id", "in", partners.ids),
                            ("account_type", "=", "asset_receivable"),
                            ("parent_state", "=", "posted"),
                            ("reconciled", "=", False),
                            ("amount_residual", ">", 0),
                            ("date_maturity", "<", limit_date),
                        ],
                        ["partner_id"],
                        ["amount_residual:sum", "move_id:count_distinct"],
                    )
                )
                overdue = {partner.id: (amount, count) for partner, amount, count in groups}
            check_limit = company.account_use_credit_limit
            for order in company_orders:
                partner = partners.browse(order.partner_id.commercial_partner_id.id)
                found = {}
                if check_limit and partner.credit_limit:
                    exposure = partner.credit + partner.credit_to_invoice
                    if order.state != "sale":
                        exposure += order.amount_total
                    if exposure > partner.credit_limit:
                        found["credit_limit"] = partner.credit_limit
                        found["exposure"] = exposure
                if partner.id in overdue:
                    found["overdue_amount"], found["overdue_invoices"] = overdue[partner.id]
                if found:
                    found["currency"] = company.currency_id.name
                    result[order.id] = found
        return result

    def _wfmon_check_credit(self):
        detector = self.env["wfmon.distribution.detector"]
        breaches = self._wfmon_credit_breaches()
        held = self.filtered(lambda o: o.id in breaches)
        details = {}
        for order in held:
            found = breaches[order.id]
            text = []
            if "exposure" in found:
                text.append(
                    self.env._(
                        "%(partner)s owes %(exposure).2f %(cur)s with this order, over its "
                        "credit limit of %(limit).2f %(cur)s.",
                        partner=order.partner_id.commercial_partner_id.name,
                        exposure=found["exposure"],
                        limit=found["credit_limit"],
                        cur=found["currency"],
                    )
                )
            if "overdue_amount" in found:
                text.append(
                    self.env._(
                        "%(count)s overdue invoice(s), %(amount).2f %(cur)s past due.",
                        count=found["overdue_invoices"],
                        amount=found["overdue_amount"],
                        cur=found["currency"],
                    )
                )
            details[order.id] = "\n".join(text)
        sites = detector._sites(held.warehouse_id)
        detector._detect(
            CREDIT,
            held,
            {
                order.id: {"customer": order.partner_id.display_name, **breaches[order.id]}
                for order in held
            },
            details=details,
            impact={order.id: order.amount_total for order in held},
            summary={order.id: self.env._("%s: credit hold", order.name) for order in held},
            site={order.id: sites.get(order.warehouse_id.id) for order in held},
            severity="high",
        )
        return breaches

    # ------------------------------------------------------------------
    # Margin / discount of large orders (the approval gate is in action_confirm)
    # ------------------------------------------------------------------
    def _wfmon_margin_analysis(self):
        """``{order id: (breaches, margin %, line values)}`` of large orders
        breaching the margin or discount policy."""
        result = {}
        for order in self.filtered(lambda o: o.state != "cancel"):
            company = order.company_id
            warehouse = order.warehouse_id
            policy = {
                "large_amount": warehouse._wfmon_setting("wfmon_large_order_amount")
                if warehouse
                else company.wfmon_dist_large_order_amount,
                "min_margin": warehouse._wfmon_setting("wfmon_min_margin_percent")
                if warehouse
                else company.wfmon_dist_min_margin_percent,
                "max_discount": company.wfmon_dist_max_discount_percent,
            }
            amount = order.currency_id._convert(
                order.amount_untaxed, company.currency_id, company, order.date_order
            )
            if not policy["large_amount"] or amount < policy["large_amount"]:
                continue
            revenue = cost = 0.0
            max_discount = 0.0
            vals_list = []
            for line in order.order_line.filtered(
                lambda ln: not ln.display_type and ln.product_id and not ln.is_downpayment
            ):
                qty = line.product_uom._compute_quantity(
                    line.product_uom_qty, line.product_id.uom_id
                )
                line_cost = line.product_id.with_company(company).standard_price * qty
                line_revenue = order.currency_id._convert(
                    line.price_subtotal, company.currency_id, company, order.date_order
                )
                revenue += line_revenue
                cost += line_cost
                max_discount = max(max_discount, line.discount)
                vals_list.append(
                    {
                        "kind": "margin",
                        "name": line.name.splitlines()[0][:120] if line.name else False,
                        "product_id": line.product_id.id,
                        "quantity": line.product_uom_qty,
                        "actual_value": line_revenue,
                        "reference_value": line_cost,
                        "variance_percent": margin_percent(line_revenue, line_cost) or 0.0,
                        "amount": line_revenue - line_cost,
                    }
                )
            margin = margin_percent(revenue, cost)
            breaches = margin_breaches(amount, margin, max_discount, policy)
            if breaches:
                result[order.id] = {
                    "breaches": breaches,
                    "margin_percent": margin,
                    "max_discount": max_discount,
                    "policy": policy,
                    "amount": amount,
                    "margin_amount": revenue - cost,
                    "lines": vals_list,
                }
        return result

    def _wfmon_check_margin(self):
        detector = self.env["wfmon.distribution.detector"]
        analysis = self._wfmon_margin_analysis()
        flagged = self.filtered(lambda o: o.id in analysis)
        if not flagged:
            return analysis
        details = {}
        for order in flagged:
            found = analysis[order.id]
            details[order.id] = self.env._(
                "Untaxed %(amount).2f, margin %(margin).1f %% (minimum %(min).1f %%), "
                "highest discount %(disc).1f %% (maximum %(max).1f %%).",
                amount=found["amount"],
                margin=found["margin_percent"] or 0.0,
                min=found["policy"]["min_margin"],
                disc=found["max_discount"],
                max=found["policy"]["max_discount"],
            )
        sites = detector._sites(flagged.warehouse_id)
        detector._detect(
            MARGIN,
            flagged,
            {
                order.id: {k: v for k, v in analysis[order.id].items() if k != "lines"}
                for order in flagged
            },
            details=details,
            lines={order.id: analysis[order.id]["lines"] for order in flagged},
            impact={
                order.id: max(
                    analysis[order.id]["amount"]
                    * analysis[order.id]["policy"]["min_margin"]
                    / 100.0
                    - analysis[order.id]["margin_amount"],
                    0.0,
                )
                for order in flagged
            },
            summary={
                order.id: self.env._(
                    "%(order)s: %(what)s outside policy",
                    order=order.name,
                    what=" & ".join(analysis[order.id]["breaches"]),
                )
                for order in flagged
            },
            site={order.id: sites.get(order.warehouse_id.id) for order in flagged},
        )
        return analysis

    # ------------------------------------------------------------------
    # Master data gaps on open orders
    # ------------------------------------------------------------------
    def _wfmon_master_data_gaps(self):
        """``{order id: [(code, message, product)]}`` of the orders missing data."""
        buy_route = self.env.ref("purchase_stock.route_warehouse0_buy", raise_if_not_found=False)
        stranded = self._wfmon_route_gaps()
        # The lines' taxes for the whole batch in one query: each order's lines are
        # filtered below, and a filtered recordset prefetches only itself (one query
        # per line for a many2many otherwise).
        self.order_line.fetch(["tax_id"])
        result = {}
        for order in self:
            gaps = []
            address = order.partner_shipping_id
            if not address or not (address.street and address.city and address.country_id):
                gaps.append(
                    (
                        "address",
                        self.env._(
                            "Delivery address incomplete (street, city, country): %s",
                            address.display_name or "-",
                        ),
                        False,
                    )
                )
            require_tax = order.company_id.wfmon_dist_require_tax
            require_packaging = order.company_id.wfmon_dist_require_packaging
            for line in order.order_line.filtered(
                lambda ln: not ln.display_type and ln.product_id and not ln.is_downpayment
            ):
                product = line.product_id
                if require_tax and not line.tax_id:
                    gaps.append(("tax", self.env._("No tax on %s", product.display_name), product))
                if require_packaging and product.packaging_ids and not line.product_packaging_id:
                    gaps.append(
                        (
                            "packaging",
                            self.env._("No packaging chosen for %s", product.display_name),
                            product,
                        )
                    )
                if (
                    product.is_storable
                    and buy_route
                    and buy_route in (product.route_ids | product.categ_id.total_route_ids)
                    and not product.seller_ids
                ):
                    gaps.append(
                        (
                            "vendor",
                            self.env._(
                                "%s is bought (Buy route) but has no vendor", product.display_name
                            ),
                            product,
                        )
                    )
                if line.id in stranded:
                    gaps.append(
                        (
                            "route",
                            self.env._(
                                "%s is not reserved and nothing can replenish it: no buy or "
                                "manufacture route, no vendor, no reordering rule, no resupply "
                                "warehouse",
                                product.display_name,
                            ),
                            product,
                        )
                    )
            if gaps:
                result[order.id] = gaps
        return result

    def _wfmon_route_gaps(self):
        """Ids of the lines waiting for stock that nothing can replenish: the
        product has no route that buys or manufactures, no vendor, no reordering
        rule in the order's warehouse, and the warehouse is resupplied by none.
        One query for the reordering rules, whatever the number of orders."""
        waiting = self.order_line.filtered(
            lambda ln: (
                ln.product_id.is_storable
                and ln.order_id.warehouse_id
                and ln.move_ids.filtered(
                    lambda m: m.state in ("confirmed", "waiting", "partially_available")
                )
            )
        )
        if not waiting:
            return set()
        # sudo: reordering rules are inventory configuration the check reads
        # for whoever confirms the order.
        orderpoints = {
            (product.id, warehouse.id)
            for product, warehouse in self.env["stock.warehouse.orderpoint"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", waiting.product_id.ids),
                    ("warehouse_id", "in", waiting.order_id.warehouse_id.ids),
                ],
                ["product_id", "warehouse_id"],
            )
        }
        stranded = set()
        for line in waiting:
            product, warehouse = line.product_id, line.order_id.warehouse_id
            routes = product.route_ids | product.categ_id.total_route_ids
            if (
                not product.seller_ids
                and not {"buy", "manufacture"} & set(routes.rule_ids.mapped("action"))
                and (product.id, warehouse.id) not in orderpoints
                and not warehouse.resupply_wh_ids
            ):
                stranded.add(line.id)
        return stranded

    def _wfmon_check_master_data(self):
        """Open or refresh the master-data cases of these orders; resolve the
        cases of the orders that are complete now."""
        detector = self.env["wfmon.distribution.detector"]
        orders = self.filtered(lambda o: o.state == "sale")
        gaps = orders._wfmon_master_data_gaps()
        flagged = orders.filtered(lambda o: o.id in gaps)
        sites = detector._sites(flagged.warehouse_id)
        detector._detect(
            MASTER_DATA,
            flagged,
            {
                order.id: {"gaps": [{"code": c, "message": m} for c, m, _p in gaps[order.id]]}
                for order in flagged
            },
            details={order.id: "\n".join(m for _c, m, _p in gaps[order.id]) for order in flagged},
            lines={
                order.id: [
                    {"kind": "gap", "name": message, "product_id": product.id if product else False}
                    for _code, message, product in gaps[order.id]
                ]
                for order in flagged
            },
            summary={
                order.id: self.env._("%s: master data missing", order.name) for order in flagged
            },
            site={order.id: sites.get(order.warehouse_id.id) for order in flagged},
            bump=not is_scanner(self.env),
            refresh=True,
        )
        detector._resolve(
            MASTER_DATA, orders - flagged, self.env._("The order's master data is complete.")
        )
        return gaps

    @api.model
    def _wfmon_master_data_changed(self, since):
        """The orders whose master data may have changed since ``since``: the
        order or its lines, the delivery address, the company's requirements,
        the warehouse (resupply), the products, their templates, vendors,
        packagings, categories and routes (with their rules), the reordering
        rules of the products, and the order's stock moves (a line waiting
        for stock). Deleting a vendor, packaging, rule or reordering rule from
        its own list moves none of these dates: the order is read again at its
        next change (deleted from the product form, the product's date moves)."""
        # sudo: the scanner reads product, inventory and purchase configuration
        # as technical state, whoever runs the scheduled action.
        Product = self.env["product.product"].sudo().with_context(active_test=False)
        orderpoints = self.env["stock.warehouse.orderpoint"].sudo().with_context(active_test=False)
        products = Product._search(
            changed_since(
                since,
                "write_date",
                "product_tmpl_id.write_date",
                "product_tmpl_id.seller_ids.write_date",
                "packaging_ids.write_date",
                "categ_id.write_date",
                "categ_id.parent_id.write_date",
                "route_ids.write_date",
                "route_ids.rule_ids.write_date",
                "categ_id.route_ids.write_date",
                "categ_id.route_ids.rule_ids.write_date",
                terms=[
                    (
                        "id",
                        "in",
                        orderpoints._search([("write_date", ">=", since)]).subselect(
                            SQL.identifier("stock_warehouse_orderpoint", "product_id")
                        ),
                    ),
                ],
            )
        )
        return changed_since(
            since,
            "write_date",
            "order_line.write_date",
            "order_line.move_ids.write_date",
            "partner_shipping_id.write_date",
            "company_id.write_date",
            "warehouse_id.write_date",
            terms=[("order_line.product_id", "in", products)],
        )

    @api.model
    def _cron_wfmon_master_data(self, batch_size=500):
        """Master-data scanner: open orders not fully delivered whose master
        data changed since the previous pass (every such order on the first
        pass), cases opened, refreshed or resolved; and resolution of the cases
        of orders delivered or cancelled since (core's ``_scan_due``). With
        nothing changed, a pass reads no order."""
        detector = as_scanner(self.env["wfmon.distribution.detector"])
        check = lambda orders: orders._wfmon_check_master_data()  # noqa: E731
        return detector._scan_due(
            "master_data",
            MASTER_DATA,
            as_scanner(self),
            [("state", "=", "sale"), ("delivery_status", "!=", "full")],
            check,
            self.env._("The order is delivered or cancelled."),
            recheck=check,
            changed=self._wfmon_master_data_changed,
            batch_size=batch_size,
        )

    # ------------------------------------------------------------------
    # Re-check scanner (shortage, credit hold and margin cases clear)
    # ------------------------------------------------------------------
    @api.model
    def _wfmon_fulfillment_changed(self, since):
        """The orders whose deliveries may be covered since ``since``: the order
        (cancelled, delivery status), its transfers and their moves (reserved,
        picked, done: a move's reserved quantity is stored, so its date moves)."""
        return changed_since(
            since, "write_date", "picking_ids.write_date", "picking_ids.move_ids.write_date"
        )

    @api.model
    def _wfmon_credit_changed(self, since):
        """The orders whose customer may be back within its credit since
        ``since``: the order, the customer (credit limit), the company (grace
        days, limit switch), the customer's journal items (invoices posted,
        paid, reconciled) and its other orders (cancelled, invoiced).
        Time passing only makes invoices overdue: it never clears a credit
        case (this re-check only resolves), so no date has to be watched."""
        # sudo: credit figures are accounting data the scanner reads without
        # showing them, whoever runs the scheduled action.
        items = self.env["account.move.line"].sudo()._search([("write_date", ">=", since)])
        partners = self.env["res.partner"].sudo().with_context(active_test=False)
        customers = partners._search(
            changed_since(
                since,
                "write_date",
                "sale_order_ids.write_date",
                "child_ids.write_date",
                "child_ids.sale_order_ids.write_date",
                terms=[
                    (
                        "id",
                        "in",
                        items.subselect(SQL.identifier("account_move_line", "partner_id")),
                    )
                ],
            )
        )
        return changed_since(
            since,
            "write_date",
            "company_id.write_date",
            terms=[("partner_id.commercial_partner_id", "in", customers)],
        )

    @api.model
    def _cron_wfmon_recheck(self, batch_size=500):
        """Resolve fulfillment, credit and margin cases whose signal cleared.

        Their detectors run when orders are confirmed; this scanner opens
        nothing. Margin cases clear when the order is cancelled (a stored
        state: only those are read); fulfillment and credit read reservations,
        invoices and credit limits, so their open cases are re-checked, only
        those whose inputs changed since the previous pass."""
        detector = self.env["wfmon.distribution.detector"]
        progress = {}

        def recheck_credit(orders):
            breaches = orders._wfmon_credit_breaches()
            detector._resolve(
                CREDIT,
                orders.filtered(lambda o: o.id not in breaches),
                self.env._("The customer is within its credit limit and has no overdue invoice."),
            )

        for name, type_code, keep, recheck, changed in (
            (
                "recheck_fulfillment",
                FULFILLMENT,
                [],
                lambda o: o._wfmon_recheck_fulfillment(),
                self._wfmon_fulfillment_changed,
            ),
            ("recheck_credit", CREDIT, [], recheck_credit, self._wfmon_credit_changed),
            ("recheck_margin", MARGIN, [("state", "!=", "cancel")], None, None),
        ):
            detector._scan_due(
                name,
                type_code,
                self,
                None,
                None,
                self.env._("The order was cancelled."),
                keep=keep,
                recheck=recheck,
                changed=changed,
                batch_size=batch_size,
                progress=progress,
            )
        self.env["ir.cron"]._notify_progress(**progress)
        return True

    # ------------------------------------------------------------------
    # Delivered but not invoiced
    # ------------------------------------------------------------------
    def _wfmon_uninvoiced_lines(self):
        """``{order id: [line values]}`` of lines delivered beyond what is invoiced."""
        result = defaultdict(list)
        for line in self.order_line.filtered(lambda ln: not ln.display_type and ln.product_id):
            rounding = line.product_uom.rounding
            gap = line.qty_delivered - line.qty_invoiced
            if float_compare(gap, 0.0, precision_rounding=rounding) > 0:
                result[line.order_id.id].append(
                    {
                        "kind": "variance",
                        "name": self.env._("Delivered, not invoiced"),
                        "product_id": line.product_id.id,
                        "quantity": line.qty_delivered,
                        "available_qty": line.qty_invoiced,
                        "missing_qty": gap,
                        "sale_order_id": line.order_id.id,
                        "partner_id": line.order_id.partner_id.id,
                        "amount": gap * line.price_reduce_taxexcl,
                    }
                )
        return dict(result)

    def _wfmon_check_uninvoiced(self):
        detector = self.env["wfmon.distribution.detector"]
        gaps = self._wfmon_uninvoiced_lines()
        flagged = self.filtered(lambda o: o.id in gaps)
        sites = detector._sites(flagged.warehouse_id)
        amounts = {oid: sum(v["amount"] for v in vals) for oid, vals in gaps.items()}
        detector._detect(
            INVOICE_GAP,
            flagged,
            {
                order.id: {"customer": order.partner_id.display_name, "amount": amounts[order.id]}
                for order in flagged
            },
            details={
                order.id: self.env._(
                    "Delivered since %(date)s; %(amount).2f %(cur)s not invoiced yet.",
                    date=format_datetime(self.env, order.effective_date),
                    amount=amounts[order.id],
                    cur=order.currency_id.name,
                )
                for order in flagged
            },
            lines={order.id: gaps[order.id] for order in flagged},
            impact=amounts,
            summary={
                order.id: self.env._("%s: delivered but not invoiced", order.name)
                for order in flagged
            },
            site={order.id: sites.get(order.warehouse_id.id) for order in flagged},
            bump=False,
            refresh=True,
        )
        return gaps

    @api.model
    def _wfmon_uninvoiced_domain(self, now):
        """Orders delivered more than their warehouse's number of days ago and
        still to invoice (SQL-level: one OR branch per warehouse)."""
        branches = []
        for warehouse in self.env["stock.warehouse"].search([]):
            days = warehouse._wfmon_setting("wfmon_uninvoiced_days")
            branches.append(
                [
                    ("warehouse_id", "=", warehouse.id),
                    ("effective_date", "<=", now - timedelta(days=days)),
                ]
            )
        if not branches:
            return [("id", "=", 0)]
        domain = ["|"] * (len(branches) - 1) + [term for b in branches for term in ["&", *b]]
        return [("state", "=", "sale"), ("invoice_status", "=", "to invoice"), *domain]

    @api.model
    def _cron_wfmon_uninvoiced(self, batch_size=500):
        """Invoicing-gap scanner: cases on the orders delivered more than their warehouse's
        number of days ago with something delivered and not invoiced, and
        resolution of those invoiced or cancelled since (core's ``_scan_due``:
        the orders whose case is open are not read)."""
        now = fields.Datetime.now()
        gap = ("id", "in", self._wfmon_uninvoiced_gap_sql())
        return self.env["wfmon.distribution.detector"]._scan_due(
            "uninvoiced",
            INVOICE_GAP,
            self,
            [*self._wfmon_uninvoiced_domain(now), gap],
            lambda orders: orders._wfmon_check_uninvoiced(),
            self.env._("Everything delivered is invoiced."),
            keep=[("state", "!=", "cancel"), gap],
            batch_size=batch_size,
        )

    @api.model
    def _wfmon_uninvoiced_gap_sql(self):
        """The orders with a line delivered beyond what is invoiced, in SQL (the
        test of ``_wfmon_uninvoiced_lines``, at the line's unit rounding)."""
        self.env["sale.order.line"].flush_model(
            [
                "order_id",
                "product_id",
                "display_type",
                "qty_delivered",
                "qty_invoiced",
                "product_uom",
            ]
        )
        return SQL(
            """(SELECT line.order_id FROM sale_order_line line
                  JOIN uom_uom uom ON uom.id = line.product_uom
                 WHERE line.product_id IS NOT NULL AND line.display_type IS NULL
                   AND line.qty_delivered - line.qty_invoiced >= uom.rounding / 2)"""
        )
