from collections import defaultdict

from odoo import api, fields, models

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools.retail_pos_price import PriceLimits, judge_line

PRICE = "retail.price_override"
HOLD = "retail_price_override"


class SaleOrder(models.Model):
    """Sale order lines of a store priced below its policy (a unit price under
    the pricelist price, a discount above the store's limit; the store's
    overrides, else the company's settings). Orders of other warehouses (a
    distribution centre's) are not the stores' and are left to their own
    policies.

    A sale order is not paid when it is confirmed, so the approval comes
    before the confirmation: ``action_confirm`` goes through the approval
    matrix, where the shipped policies are scoped on the hold
    ``retail_price_override`` and banded on the amount given away against the
    pricelist (store manager, then Finance for high value). The held order
    opens a price-override case with the lines at fault; it is resolved,
    naming the approvers, when the order confirms under the approval.

    An order already paid (online payment reaching its confirmation amount)
    is never held: it confirms and its case asks for a sign-off after the fact.

    ``action_confirm`` is guarded once per call (wfmon_approvals): with
    wfmon_distribution installed too, both modules' overrides call the guard;
    the second keeps the first one's verdict and each sees the held orders.
    """

    _name = "sale.order"
    _inherit = ["sale.order", "wfmon.case.mixin", "wfmon.approval.mixin"]
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
    wfmon_retail_price_amount = fields.Monetary(
        string="Given Away Below Price Policy",
        compute="_compute_wfmon_retail_price_amount",
        currency_field="currency_id",
        help="What the lines priced below the store's policy give away against the "
        "pricelist price: the approval policies of price overrides are banded on it.",
    )

    @api.depends(
        "order_line.price_unit",
        "order_line.discount",
        "order_line.product_uom_qty",
        "pricelist_id",
        "warehouse_id",
    )
    def _compute_wfmon_retail_price_amount(self):
        findings = self._wfmon_retail_price_findings()
        for order in self:
            order.wfmon_retail_price_amount = findings.get(order.id, {}).get("amount", 0.0)

    # ------------------------------------------------------------------
    # Approval hooks
    # ------------------------------------------------------------------
    def _wfmon_approval_hold_names(self):
        """A draft order with lines below the price policy holds
        ``retail_price_override``."""
        holds = super()._wfmon_approval_hold_names()
        drafts = self.filtered(lambda o: isinstance(o.id, int) and o.state in ("draft", "sent"))
        for order_id in drafts._wfmon_retail_price_findings():
            holds.setdefault(order_id, set()).add(HOLD)
        return holds

    def _wfmon_approval_applicable(self, action_name):
        """Drafts go through the matrix, except those already paid: a paid
        order is never blocked (its case asks for a sign-off afterwards)."""
        if action_name != "action_confirm" or detectors_off(self.env):
            return self.browse()
        drafts = self.filtered(lambda o: o.state in ("draft", "sent"))
        return drafts - drafts._wfmon_retail_paid()

    def _wfmon_retail_paid(self):
        """The orders of ``self`` paid online up to their confirmation amount."""
        # sudo: the payment transactions are read for the check, whoever confirms.
        return self.filtered(
            lambda o: o.sudo().amount_paid > 0 and o.sudo()._is_confirmation_amount_reached()
        )

    # ------------------------------------------------------------------
    # The guarded action
    # ------------------------------------------------------------------
    def action_confirm(self):
        if detectors_off(self.env):
            passed = self._wfmon_passed(self, "action_confirm")
            return super(SaleOrder, passed).action_confirm()
        # The lines may have changed since the holds were last read.
        self.invalidate_recordset(["wfmon_approval_holds", "wfmon_retail_price_amount"])
        allowed, response = self._wfmon_approval_guard("action_confirm")
        # Also the orders another module's override of the action held before
        # reaching this one through super().
        held = self._wfmon_approval_held("action_confirm", allowed)
        drafts = allowed.filtered(lambda o: o.state in ("draft", "sent"))
        paid = drafts._wfmon_retail_paid()
        released = allowed._wfmon_approval_consumed("action_confirm")
        # Read before confirming: the findings are those of the draft.
        findings = (held | paid)._wfmon_retail_price_findings()
        # Even with nothing allowed: another override below sees the held orders.
        result = super(SaleOrder, allowed).action_confirm()
        self._wfmon_retail_raise_price(held, findings, paid=False)
        self._wfmon_retail_raise_price(paid, findings, paid=True)
        if released:
            self.env["wfmon.retail.detector"]._resolve_released(
                PRICE, self.browse(list(released)), released
            )
        return response or result

    # ------------------------------------------------------------------
    # Price policy
    # ------------------------------------------------------------------
    def _wfmon_retail_price_limits(self, stores):
        """``{order id: PriceLimits}``: the price policy of each order's store
        (``stores``: ``{warehouse id: store}``; the store's overrides, else
        the company's settings)."""
        result = {}
        for order in self:
            store = stores[order.warehouse_id.id]
            result[order.id] = PriceLimits(
                max_discount=min(100.0, store._setting("max_discount")),
                price_tolerance=min(100.0, store._setting("price_tolerance")),
                min_amount=order.company_id.sudo().wfmon_retail_price_min_amount,
            )
        return result

    def _wfmon_retail_sold_lines(self):
        """The product lines of ``self`` a price policy judges: no sections or
        notes, no rewards, down payments or delivery charges."""
        return self.order_line.filtered(
            lambda line: (
                not line.display_type
                and line.product_id
                and line.product_uom_qty > 0
                and line.price_unit >= 0
                and not line.is_downpayment
                and not getattr(line, "is_reward_line", False)
                and not getattr(line, "is_delivery", False)
            )
        )

    def _wfmon_retail_reference_prices(self, lines):
        """``{line id: reference unit price}``: the order's pricelist price of
        the product for the line's quantity and unit (its sales price without a
        pricelist). One price computation per pricelist, quantity and unit."""
        groups = defaultdict(lambda: self.env["sale.order.line"])
        for line in lines:
            order = line.order_id
            groups[
                (order.pricelist_id, order.currency_id, line.product_uom_qty, line.product_uom)
            ] |= line
        result = {}
        for (pricelist, currency, qty, uom), group in groups.items():
            products = group.product_id
            if pricelist:
                prices = pricelist._compute_price_rule(products, qty, currency=currency, uom=uom)
                by_product = {pid: price for pid, (price, _rule) in prices.items()}
            else:
                by_product = {
                    product.id: product.uom_id._compute_price(product.lst_price, uom)
                    for product in products
                }
            for line in group:
                result[line.id] = by_product.get(line.product_id.id, 0.0)
        return result

    def _wfmon_retail_price_findings(self):
        """``{order id: {"amount", "details", "payload"}}`` of the orders of
        ``self`` with lines below the store's price policy. A fixed number of
        queries per batch (one price computation per pricelist and quantity)."""
        # sudo: salespeople cannot read pricelist rules or the store's settings.
        orders = self.sudo().filtered(lambda o: isinstance(o.id, int))
        # Only the sales of a store (its warehouse): other warehouses' orders
        # (a distribution centre's) follow their own policies.
        stores = self.env["wfmon.retail.store"]._by_warehouse(orders.warehouse_id)
        orders = orders.filtered(lambda o: o.warehouse_id.id in stores)
        lines = orders._wfmon_retail_sold_lines()
        if not lines:
            return {}
        limits = orders._wfmon_retail_price_limits(stores)
        references = orders._wfmon_retail_reference_prices(lines)
        found = defaultdict(list)
        for line in lines:
            verdict = judge_line(
                line.price_unit,
                line.discount,
                line.product_uom_qty,
                references[line.id],
                limits[line.order_id.id],
            )
            if verdict.flagged:
                found[line.order_id.id].append((line, verdict, references[line.id]))
        result = {}
        for order_id, items in found.items():
            order = orders.browse(order_id)
            amount = sum(verdict.amount for _line, verdict, _ref in items)
            rows, event_lines = self.env["wfmon.retail.detector"]._price_lines(
                items, "product_uom_qty"
            )
            result[order_id] = {
                "amount": amount,
                "details": "\n".join(
                    [
                        self.env._(
                            "Sale order %(order)s by %(who)s for %(customer)s.",
                            order=order.name,
                            who=order.user_id.name or "",
                            customer=order.partner_id.display_name,
                        ),
                        *rows,
                    ]
                ),
                "payload": {
                    "sale_order": {"id": order.id, "name": order.name},
                    "salesperson": {"id": order.user_id.id, "name": order.user_id.name or ""},
                    "amount": amount,
                    "lines": event_lines,
                },
            }
        return result

    @api.model
    def _wfmon_retail_raise_price(self, orders, findings, paid):
        """Open (or bump) the price-override case of ``orders`` with findings:
        held ones wait for the approval, paid ones ask for a sign-off after
        the fact."""
        orders = orders.filtered(lambda o: o.id in findings)
        if not orders:
            return self.env["wfmon.case"]
        how = (
            self.env._("Paid before confirmation: confirmed; this case asks for a sign-off.")
            if paid
            else self.env._("The confirmation waits for approval.")
        )
        return self.env["wfmon.retail.detector"]._detect(
            PRICE,
            orders,
            payloads={
                order.id: {**findings[order.id]["payload"], "paid": paid} for order in orders
            },
            details={order.id: findings[order.id]["details"] + "\n" + how for order in orders},
            impact={order.id: findings[order.id]["amount"] for order in orders},
            site={order.id: order.sudo().wfmon_site_id for order in orders},
        )
