from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import float_compare

from odoo.addons.wfmon_core.models.wfmon_detector import as_scanner, detectors_off
from odoo.addons.wfmon_core.tools.severity import next_severity

from ..tools import retail_rules

LOW_STOCK = "retail.low_stock"
#: system parameter holding the time of the last low-stock scan
SINCE_KEY = "wfmon_retail.low_stock.since"
#: overlap between two scans, for transactions that commit after the scan reads
SINCE_MARGIN_MINUTES = 5
# POS orders that count as sales for the velocity
POS_SOLD = ("paid", "done", "invoiced")


class StockWarehouseOrderpoint(models.Model):
    """Low stock at a store (the replenishment scenario of a promotion running low).

    A store's reordering rule forecast below its minimum opens a low-stock case
    on the rule, raised one step for a promotion running at the store's shops,
    one for a fast mover (recent POS and sale lines) and one at a stockout. The
    detector replenishes at once (the rule's own procurement: an RFQ to its
    vendor), links the RFQ to the case and submits it for confirmation through
    the approval matrix (value and urgency); a vendor lead time beyond the
    store's policy sends the case to merchandising for a substitute.

    The scanner only looks at rules whose product moved (stock moves, POS lines)
    or that changed since its last run: nothing moved, nothing is read. A case
    stays open while its replenishment is on the way and resolves when the stock
    on hand is back at the minimum.
    """

    _name = "stock.warehouse.orderpoint"
    _inherit = ["stock.warehouse.orderpoint", "wfmon.engine.mixin"]
    # The stored signal of the due-driven scan: written by the check only.
    _wfmon_engine_fields = frozenset({"wfmon_retail_below", "wfmon_retail_short"})

    wfmon_retail_below = fields.Boolean(
        string="Below Minimum (Monitoring)",
        readonly=True,
        copy=False,
        index=True,
        help="The forecast was below the minimum when the low-stock check last looked: "
        "the rule must have a low-stock case.",
    )
    wfmon_retail_short = fields.Boolean(
        string="Short on Hand (Monitoring)",
        readonly=True,
        copy=False,
        index=True,
        help="The stock on hand was below the minimum when the low-stock check last "
        "looked: an open low-stock case stays open.",
    )

    # ------------------------------------------------------------------
    # Scanner
    # ------------------------------------------------------------------
    @api.model
    def _cron_wfmon_retail_low_stock(self):
        """Check the store reordering rules whose product moved since the last run."""
        Mark = self.env["wfmon.scan.mark"]
        mark = Mark._states([SINCE_KEY])[SINCE_KEY]
        now = self.env.cr.now()  # the database clock, which write_date and create_date carry
        since = mark.since or now - timedelta(days=1)
        orderpoints = self._wfmon_retail_moved_since(since)
        if orderpoints:
            as_scanner(orderpoints)._wfmon_retail_check()
        # Then the due-driven pass (core's _scan_due) on the stored signal: rules
        # left below their minimum without an open case (e.g. closed by hand)
        # are checked again; cases of rules neither below nor short any more
        # (archived, signal cleared) resolve. Nothing due costs a fixed handful
        # of queries, whatever the number of open cases.
        self.env["wfmon.retail.detector"]._scan_due(
            "low_stock",
            LOW_STOCK,
            as_scanner(self.sudo()),
            [("wfmon_retail_below", "=", True)],
            lambda rules: rules._wfmon_retail_check(),
            self.env._("The reordering rule is no longer below its minimum."),
            keep=["|", ("wfmon_retail_below", "=", True), ("wfmon_retail_short", "=", True)],
        )
        # Next time, from the start of this transaction (what the write dates of
        # the moves it cannot see yet will carry), less a margin for transactions
        # that started earlier and commit later: a rule seen twice costs nothing.
        Mark._save(SINCE_KEY, mark, since=now - timedelta(minutes=SINCE_MARGIN_MINUTES))
        return len(orderpoints)

    @api.model
    def _wfmon_retail_adopt_since_parameter(self):
        """Move the watermark earlier versions kept in the system parameter
        ``SINCE_KEY`` into the scanner mark, and delete the parameter."""
        # sudo: the parameter and the mark are the scheduled action's technical state.
        param = self.env["ir.config_parameter"].sudo().search([("key", "=", SINCE_KEY)])
        if not param:
            return
        try:
            since = fields.Datetime.to_datetime(param.value or None)
        except ValueError:
            since = None  # unreadable: the next run looks one day back, as a first run does
        if since:
            Mark = self.env["wfmon.scan.mark"]
            Mark._save(SINCE_KEY, Mark._states([SINCE_KEY])[SINCE_KEY], since=since)
        param.unlink()

    @api.model
    def _wfmon_retail_moved_since(self, since):
        """The store reordering rules whose product moved (stock moves, POS
        lines) or that were edited after ``since``: a fixed number of queries."""
        stores = self.env["wfmon.retail.store"].sudo().search([])
        if not stores:
            return self.browse()
        moved = {
            product.id
            for [product] in self.env["stock.move"]
            .sudo()
            ._read_group([("write_date", ">", since)], ["product_id"])
        }
        moved |= {
            product.id
            for [product] in self.env["pos.order.line"]
            .sudo()
            ._read_group([("create_date", ">", since)], ["product_id"])
        }
        domain = [("warehouse_id", "in", stores.warehouse_id.ids)]
        if moved:
            domain = [*domain, "|", ("product_id", "in", list(moved)), ("write_date", ">", since)]
        else:
            domain = [*domain, ("write_date", ">", since)]
        # sudo: the scanner reads every store's rules.
        return self.sudo().search(domain)

    def action_wfmon_retail_check(self):
        """Check these reordering rules now (button of the replenishment list)."""
        self._wfmon_retail_check()
        return True

    # ------------------------------------------------------------------
    # Detection
    # ------------------------------------------------------------------
    def _wfmon_retail_check(self):
        """Open, refresh or resolve the low-stock cases of these rules, and
        replenish the rules whose case opens now."""
        if detectors_off(self.env) or not self:
            return self.env["wfmon.case"]
        detector = self.env["wfmon.retail.detector"]
        stores = detector._stores(self.warehouse_id)
        rules = self.filtered(lambda op: op.warehouse_id.id in stores and op.product_id)
        if not rules:
            return self.env["wfmon.case"]
        below = rules.filtered(
            lambda op: (
                float_compare(
                    op.qty_forecast, op.product_min_qty, precision_rounding=op.product_uom.rounding
                )
                < 0
            )
        )
        # A case stays open while its replenishment is on the way (the forecast
        # counts it): it resolves once the stock on hand is back at the minimum.
        restocked = (rules - below).filtered(
            lambda op: (
                float_compare(
                    op.qty_on_hand, op.product_min_qty, precision_rounding=op.product_uom.rounding
                )
                >= 0
            )
        )
        detector._resolve(
            LOW_STOCK,
            restocked,
            self.env._("The stock on hand is back at the reordering rule's minimum."),
        )
        rules._wfmon_retail_store_signal(below, (rules - below) - restocked)
        if not below:
            return self.env["wfmon.case"]
        findings = below._wfmon_retail_findings(stores)
        before = detector._open_cases(LOW_STOCK, below)
        fresh = below.filtered(lambda op: op.id not in before)
        purchases = fresh._wfmon_retail_replenish() if fresh else {}
        cases = detector._low_stock_detect(below, findings, purchases, stores)
        case_of = dict(zip(below.ids, cases, strict=True))
        for rule in fresh:
            case = case_of.get(rule.id)
            order = purchases.get(rule.id)
            if case and order:
                order._wfmon_engine().write({"wfmon_retail_case_id": case.id})
        orders = self.env["purchase.order"].browse(
            {order.id for order in purchases.values() if order.state in ("draft", "sent")}
        )
        if orders:
            # The RFQ goes through the approval matrix at once: routine ones within
            # the automatic limit confirm, the others wait for their approver.
            orders.button_confirm()
        lead_breaches = [
            rule for rule in below if findings[rule.id]["lead_exceeded"] and case_of.get(rule.id)
        ]
        for rule in lead_breaches:
            detector._lead_time_escalate(
                case_of[rule.id], rule, findings[rule.id]["lead_days"], stores
            )
        # The promotion and velocity the priority score reads may have moved.
        cases._wfmon_priority_refresh()
        return cases

    def _wfmon_retail_store_signal(self, below, short):
        """Store what the check found, for the due-driven scan: ``below`` (the
        forecast under the minimum), ``short`` (above it, but the stock on hand
        still under it); the other rules of ``self`` are neither. One write per
        changed value."""
        wanted = {rule: (rule in below, rule in below or rule in short) for rule in self}
        groups = {}
        for rule, (is_below, is_short) in wanted.items():
            if (rule.wfmon_retail_below, rule.wfmon_retail_short) != (is_below, is_short):
                groups.setdefault((is_below, is_short), []).append(rule.id)
        for (is_below, is_short), ids in groups.items():
            # sudo: the signal is the engine's, whoever ran the check.
            self.browse(ids).sudo()._wfmon_engine().write(
                {"wfmon_retail_below": is_below, "wfmon_retail_short": is_short}
            )

    def _wfmon_retail_findings(self, stores):
        """``{rule id: dict}``: forecast, minimum, promotion, velocity, cover,
        severity raises, vendor and lead time of each rule (queries per batch:
        one per store for the velocity, one per running promotion)."""
        detector = self.env["wfmon.retail.detector"]
        store_set = self.env["wfmon.retail.store"].sudo().browse([s.id for s in stores.values()])
        promoted = detector._promoted(self.product_id, store_set)
        velocity = detector._velocity(self.product_id, store_set)
        result = {}
        for rule in self:
            store = stores[rule.warehouse_id.id]
            key = (rule.product_id.id, store.id)
            per_day = velocity.get(key, 0.0)
            promotions = promoted.get(key, [])
            finding = retail_rules.low_stock(
                rule.qty_forecast,
                rule.product_min_qty,
                bool(promotions),
                per_day,
                store._setting("fast_mover_units"),
            )
            seller = rule.supplier_id or rule.product_id.with_company(
                rule.company_id
            )._select_seller(quantity=None)
            lead_days = seller.delay if seller else None
            result[rule.id] = {
                "forecast": rule.qty_forecast,
                "minimum": rule.product_min_qty,
                "on_hand": rule.qty_on_hand,
                "promotions": promotions,
                "velocity": per_day,
                "cover_days": retail_rules.days_of_cover(rule.qty_on_hand, per_day),
                "raises": finding.raises,
                "reasons": finding.reasons,
                "vendor": seller.partner_id if seller else self.env["res.partner"],
                "lead_days": lead_days,
                "lead_exceeded": retail_rules.lead_time_exceeded(
                    lead_days, store._setting("max_lead_days")
                ),
                "store": store,
            }
        return result

    def _wfmon_retail_replenish(self):
        """Run the rules' own procurement (an RFQ to their vendor) for these
        rules; ``{rule id: draft purchase order}``."""
        company = self.company_id[:1] or self.env.company
        # sudo: replenishment is the engine's (Odoo creates RFQs as superuser too).
        rules = self.sudo().with_company(company)
        rules._procure_orderpoint_confirm(company_id=company)
        lines = (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [("orderpoint_id", "in", self.ids), ("order_id.state", "in", ("draft", "sent"))]
            )
        )
        result = {}
        for line in lines:
            result.setdefault(line.orderpoint_id.id, line.order_id)
        return {rule_id: order.with_env(self.env) for rule_id, order in result.items()}

    def _wfmon_retail_severity(self, raises):
        severity = self.env.ref("wfmon_retail.case_type_low_stock").sudo().default_severity
        for _step in range(raises):
            severity = next_severity(severity)
        return severity
