import logging
from collections import defaultdict

from odoo import api, fields, models

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools.retail_pos_price import PriceLimits, judge_line
from ..tools.retail_pos_refund import ReturnLine, judge_return
from .retail_pos_signoff import SIGNOFF_FIELDS

_logger = logging.getLogger(__name__)

PRICE = "retail.price_override"
REFUND = "retail.refund_review"


class PosOrder(models.Model):
    """Price overrides and refunds at the till, after the fact.

    The POS front end saves paid orders through ``sync_from_ui``; nothing in
    the back office may refuse them. After Odoo has saved a batch, the retail
    detectors read it once (a fixed number of queries per batch):

    * price overrides: lines sold below the pricelist price or with a discount above the
      store's limit, per cashier. Odoo's own till control
      (``restrict_price_control``) and whether the cashier held the POS
      manager role are recorded on the case;
    * refunds: refund lines (``refunded_orderline_id``) checked against the sale
      they reverse: original sale referenced, within the return window, not
      more than sold.

    An order with findings gets a case and waits for a post-hoc sign-off
    routed by the approval matrix on the amount at stake
    (``wfmon.retail.signoff.mixin``).
    """

    _name = "pos.order"
    _inherit = ["pos.order", "wfmon.case.mixin", "wfmon.retail.signoff.mixin"]
    _wfmon_signoff_case_types = (PRICE, REFUND)
    # A cashier marking an order as checked would skip the detectors.
    _wfmon_engine_fields = SIGNOFF_FIELDS | {"wfmon_checked"}

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        related="config_id.picking_type_id.warehouse_id.wfmon_site_id",
        string="Store",
    )
    wfmon_checked = fields.Boolean(
        string="Checked by Retail Monitoring", readonly=True, copy=False, index=True
    )

    @api.model
    def sync_from_ui(self, orders):
        result = super().sync_from_ui(orders)
        if detectors_off(self.env):
            return result
        ids = [vals["id"] for vals in result.get("pos.order", ()) if vals.get("id")]
        try:
            with self.env.cr.savepoint():
                self.browse(ids)._wfmon_check_pos_orders()
        except Exception:
            # The orders are paid: a detector failure must not lose them (the
            # front end would retry for ever). It is logged for the administrator.
            _logger.exception("Retail monitoring could not check POS orders %s", ids)
        return result

    def _wfmon_check_pos_orders(self):
        """Run the price-override and refund checks once on the paid orders of
        ``self`` not checked yet."""
        orders = self.filtered(
            lambda o: not o.wfmon_checked and o.state in ("paid", "done", "invoiced")
        )
        if not orders:
            return
        # sudo: the cashier syncing the orders cannot read pricelist rules,
        # the other orders a refund reverses or the store's settings.
        orders = orders.sudo()
        orders._wfmon_engine().write({"wfmon_checked": True})
        lines = orders.lines.filtered(lambda line: not line.combo_parent_id)
        price_findings = orders._wfmon_price_findings(lines)
        refund_findings = orders._wfmon_refund_findings(lines)
        amounts = defaultdict(float)
        reasons = defaultdict(set)
        for order_id, found in price_findings.items():
            amounts[order_id] += found["amount"]
            reasons[order_id].add("price_override")
        for order_id, found in refund_findings.items():
            amounts[order_id] += found["amount"]
            reasons[order_id].add("refund")
        detector = self.env["wfmon.detector"]
        if price_findings:
            flagged = self.browse(list(price_findings))
            detector._detect(
                PRICE,
                flagged,
                payloads={oid: found["payload"] for oid, found in price_findings.items()},
                details={oid: found["details"] for oid, found in price_findings.items()},
                impact={oid: found["amount"] for oid, found in price_findings.items()},
                site={order.id: order.wfmon_site_id for order in flagged},
            )
        if refund_findings:
            flagged = self.browse(list(refund_findings))
            detector._detect(
                REFUND,
                flagged,
                payloads={oid: found["payload"] for oid, found in refund_findings.items()},
                details={oid: found["details"] for oid, found in refund_findings.items()},
                impact={oid: found["amount"] for oid, found in refund_findings.items()},
                site={order.id: order.wfmon_site_id for order in flagged},
            )
        if amounts:
            # As the cashier who synced them: the cashier is the requester of
            # the sign-off (and so never its approver).
            self.browse(list(amounts))._wfmon_signoff_request(dict(amounts), dict(reasons))

    # ------------------------------------------------------------------
    # Price overrides and discounts
    # ------------------------------------------------------------------
    def _wfmon_reference_prices(self, lines):
        """``{line id: reference unit price}``: the order's pricelist price of
        the product for the line's quantity (the product's sales price without
        a pricelist). One price computation per pricelist and quantity."""
        groups = defaultdict(lambda: self.env["pos.order.line"])
        for line in lines:
            groups[(line.order_id.pricelist_id, line.qty)] |= line
        result = {}
        for (pricelist, qty), group in groups.items():
            products = group.product_id
            if pricelist:
                prices = pricelist._compute_price_rule(
                    products, qty, currency=group[:1].order_id.currency_id
                )
                by_product = {pid: price for pid, (price, _rule) in prices.items()}
            else:
                by_product = {product.id: product.lst_price for product in products}
            for line in group:
                result[line.id] = by_product.get(line.product_id.id, 0.0)
        return result

    def _wfmon_price_findings(self, lines):
        """``{order id: {"amount", "details", "payload"}}`` of the orders with
        lines above the store's price policy."""
        # Discount lines (a negative price, e.g. pos_discount's global discount)
        # and reward lines are not overrides of a product's price.
        sold = lines.filtered(
            lambda line: (
                line.qty > 0
                and line.price_unit >= 0
                and not line.refunded_orderline_id
                and not getattr(line, "is_reward_line", False)
                and line.price_type != "automatic"
            )
        )
        if not sold:
            return {}
        limits = self._wfmon_price_limits()
        references = self._wfmon_reference_prices(sold)
        managers = self._wfmon_pos_managers()
        found = defaultdict(list)
        for line in sold:
            order = line.order_id
            verdict = judge_line(
                line.price_unit,
                line.discount,
                line.qty,
                references[line.id],
                limits[order.config_id.id],
            )
            if verdict.flagged:
                found[order.id].append((line, verdict, references[line.id]))
        result = {}
        for order_id, items in found.items():
            order = self.browse(order_id)
            config = order.config_id
            cashier = order.user_id
            is_manager = cashier.id in managers.get(config.id, ())
            till = (
                self.env._("on: only POS managers may change prices at this till")
                if config.restrict_price_control
                else self.env._("off: any cashier may change prices at this till")
            )
            rows, event_lines = self.env["wfmon.retail.detector"]._price_lines(items, "qty")
            amount = sum(verdict.amount for _line, verdict, _ref in items)
            details = "\n".join(
                [
                    self.env._(
                        "Cashier %(cashier)s (%(role)s) at %(shop)s.",
                        cashier=cashier.name,
                        role=self.env._("POS manager") if is_manager else self.env._("cashier"),
                        shop=config.name,
                    ),
                    self.env._("Price control of the till: %s.", till),
                    *rows,
                ]
            )
            result[order_id] = {
                "amount": amount,
                "details": details,
                "payload": {
                    "cashier": {"id": cashier.id, "name": cashier.name, "pos_manager": is_manager},
                    "pos_config": {"id": config.id, "name": config.name},
                    "till_price_control": bool(config.restrict_price_control),
                    "amount": amount,
                    "lines": event_lines,
                },
            }
        return result

    def _wfmon_price_limits(self):
        """``{config id: PriceLimits}`` of the shops of ``self``: their store's
        settings, else the company's."""
        result = {}
        for config in self.config_id:
            store = config.wfmon_retail_store_id
            company = config.company_id
            result[config.id] = PriceLimits(
                max_discount=min(
                    100.0,
                    store._setting("max_discount") if store else company.wfmon_retail_max_discount,
                ),
                price_tolerance=min(
                    100.0,
                    store._setting("price_tolerance")
                    if store
                    else company.wfmon_retail_price_tolerance,
                ),
                min_amount=company.wfmon_retail_price_min_amount,
            )
        return result

    def _wfmon_return_windows(self):
        """``{config id: days}``: the return window of each shop of ``self``."""
        return {
            config.id: (
                config.wfmon_retail_store_id._setting("return_window_days")
                if config.wfmon_retail_store_id
                else config.company_id.wfmon_retail_return_window_days
            )
            for config in self.config_id
        }

    def _wfmon_pos_managers(self):
        """``{config id: set of user ids}``: the users with the POS manager
        role of each config of ``self`` (Odoo's ``group_pos_manager_id``)."""
        # Odoo adds implied groups to the users: a group's users include those
        # of the groups implying it.
        return {config.id: set(config.group_pos_manager_id.users.ids) for config in self.config_id}

    # ------------------------------------------------------------------
    # Refunds
    # ------------------------------------------------------------------
    def _wfmon_refund_findings(self, lines):
        """``{order id: {"amount", "details", "payload"}}`` of refunds that
        fail validation against the sale they reverse."""
        refunds = lines.filtered(lambda line: line.qty < 0)
        if not refunds:
            return {}
        origins = refunds.refunded_orderline_id
        refunded = {}
        if origins:
            groups = self.env["pos.order.line"]._read_group(
                [
                    ("refunded_orderline_id", "in", origins.ids),
                    ("order_id.state", "!=", "cancel"),
                ],
                ["refunded_orderline_id"],
                ["qty:sum"],
            )
            refunded = {origin.id: -qty for origin, qty in groups}
        windows = self._wfmon_return_windows()
        by_order = defaultdict(list)
        for line in refunds:
            by_order[line.order_id].append(line)
        result = {}
        for order, order_lines in by_order.items():
            now_by_origin = defaultdict(float)
            for line in order_lines:
                now_by_origin[line.refunded_orderline_id.id] += -line.qty
            items = []
            for line in order_lines:
                origin = line.refunded_orderline_id
                items.append(
                    ReturnLine(
                        origin=origin.id or None,
                        qty=line.qty,
                        sold=origin.qty if origin else 0.0,
                        returned_before=max(
                            0.0, refunded.get(origin.id, 0.0) - now_by_origin[origin.id]
                        )
                        if origin
                        else 0.0,
                        sold_on=origin.order_id.date_order if origin else None,
                    )
                )
            labels = {
                line.refunded_orderline_id.id: self.env._(
                    "%(product)s of %(order)s",
                    product=line.product_id.display_name,
                    order=line.refunded_orderline_id.order_id.name,
                )
                for line in order_lines
                if line.refunded_orderline_id
            }
            verdict = judge_return(
                items, order.date_order, windows[order.config_id.id], labels=labels
            )
            if verdict.valid:
                continue
            amount = -sum(line.price_subtotal_incl for line in order_lines)
            result[order.id] = {
                "amount": amount,
                "details": "\n".join(
                    [
                        self.env._(
                            "Refund by %(cashier)s at %(shop)s of %(original)s:",
                            cashier=order.user_id.name,
                            shop=order.config_id.name,
                            original=", ".join(
                                {
                                    line.refunded_orderline_id.order_id.name or "?"
                                    for line in order_lines
                                }
                            ),
                        ),
                        *verdict.sentences(),
                    ]
                ),
                "payload": {
                    "cashier": {"id": order.user_id.id, "name": order.user_id.name},
                    "pos_config": {"id": order.config_id.id, "name": order.config_id.name},
                    "problems": list(verdict.codes),
                    "amount": amount,
                    "original_orders": sorted(
                        {line.refunded_orderline_id.order_id.id for line in order_lines} - {False}
                    ),
                },
            }
        return result
