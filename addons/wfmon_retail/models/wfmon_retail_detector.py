from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.wfmon_core.models.wfmon_detector import as_scanner, is_scanner
from odoo.addons.wfmon_core.tools.severity import next_severity
from odoo.addons.wfmon_core.tools.sla_clock import add_working_hours

from ..tools import retail_rules

#: loyalty programs that are promotions running at the till
PROMOTION_TYPES = ("promotion", "buy_x_get_y", "promo_code", "next_order_coupons")
# POS orders that count as sales for the velocity
POS_SOLD = ("paid", "done", "invoiced")


class WfmonRetailDetector(models.AbstractModel):
    """Core's detector (``wfmon.detector``) for the retail scenarios.

    Everything is core's (``_detect``, ``_resolve``, ``_scan``); this adds the
    store lookups the retail detectors share and keeps the scanners' cursors
    under ``wfmon_retail.scan_cursor.*``.
    """

    _name = "wfmon.retail.detector"
    _inherit = "wfmon.detector"
    _description = "Operations Monitor: retail detectors"
    _scan_prefix = "wfmon_retail"

    @api.model
    def _sites(self, warehouses):
        """``{warehouse id: site id}``, creating missing sites (wfmon_stock)."""
        return warehouses._wfmon_site_map()

    @api.model
    def _stores(self, warehouses):
        """``{warehouse id: wfmon.retail.store}`` of the warehouses that are stores."""
        return self.env["wfmon.retail.store"]._by_warehouse(warehouses)

    # ------------------------------------------------------------------
    # Price overrides (till and sale orders)
    # ------------------------------------------------------------------
    @api.model
    def _price_lines(self, items, qty_field):
        """``(sentences, event lines)`` of the lines below the price policy:
        ``items`` are ``(line, verdict, reference price)`` (``verdict`` of
        ``tools.retail_pos_price.judge_line``), ``qty_field`` the line's
        quantity field (``qty`` at the till, ``product_uom_qty`` on a sale)."""
        sentences = [
            self.env._(
                "%(product)s: %(qty)s at %(price)s with %(discount)s%% discount "
                "(pricelist %(reference)s): %(findings)s, %(amount)s given away.",
                product=line.product_id.display_name,
                qty=line[qty_field],
                price=line.price_unit,
                discount=line.discount,
                reference=round(reference, 2),
                findings=", ".join(verdict.kinds),
                amount=round(verdict.amount, 2),
            )
            for line, verdict, reference in items
        ]
        lines = [
            {
                "line_id": line.id,
                "product_id": line.product_id.id,
                "qty": line[qty_field],
                "price_unit": line.price_unit,
                "discount": line.discount,
                "reference_price": reference,
                "findings": list(verdict.kinds),
                "amount": verdict.amount,
            }
            for line, verdict, reference in items
        ]
        return sentences, lines

    # ------------------------------------------------------------------
    # Write-offs and transfers held for approval
    # ------------------------------------------------------------------
    @api.model
    def _writeoff_held(self, records, model):
        """Open (or bump) a write-off case on each held adjustment or scrap."""
        if not records:
            return self.env["wfmon.case"]
        currency = records.company_id.currency_id[:1] or self.env.company.currency_id
        if model == "stock.quant":
            warehouses = records.warehouse_id
            wh_of = {rec.id: rec.warehouse_id for rec in records}
            qty_of = {rec.id: rec.inventory_diff_quantity for rec in records}
            what = self.env._("Inventory adjustment")
        else:
            warehouses = records.location_id.warehouse_id
            wh_of = {rec.id: rec.location_id.warehouse_id for rec in records}
            qty_of = {rec.id: -rec.scrap_qty for rec in records}
            what = self.env._("Scrap")
        sites = self._sites(warehouses)
        details, payloads, impact, summary = {}, {}, {}, {}
        for rec in records:
            value = rec.wfmon_retail_value
            warehouse = wh_of[rec.id]
            summary[rec.id] = self.env._(
                "%(what)s of %(product)s at %(store)s waits for approval",
                what=what,
                product=rec.product_id.display_name,
                store=warehouse.name,
            )
            details[rec.id] = self.env._(
                "%(what)s of %(qty)s %(uom)s of %(product)s at %(store)s, worth %(value)s "
                "at cost: above the store's write-off threshold. It is applied once approved.",
                what=what,
                qty=qty_of[rec.id],
                uom=rec.product_id.uom_id.name,
                product=rec.product_id.display_name,
                store=warehouse.name,
                value=currency.format(abs(value)),
            )
            impact[rec.id] = abs(value)
            payloads[rec.id] = {
                "kind": "adjustment" if model == "stock.quant" else "scrap",
                "product": rec.product_id.display_name,
                "store": warehouse.name,
                "quantity": qty_of[rec.id],
                "value": abs(value),
            }
        return self._detect(
            "retail.stock_writeoff",
            records,
            payloads,
            details=details,
            impact=impact,
            summary=summary,
            site={rec.id: sites[wh_of[rec.id].id] for rec in records},
        )

    @api.model
    def _transfer_held(self, pickings):
        """Open (or bump) a transfer case on each held inter-store transfer."""
        if not pickings:
            return self.env["wfmon.case"]
        currency = pickings.company_id.currency_id[:1] or self.env.company.currency_id
        sites = self._sites(pickings.location_id.warehouse_id)
        details, payloads, impact, summary = {}, {}, {}, {}
        for picking in pickings:
            source, dest = picking.wfmon_retail_store_id, picking.wfmon_retail_dest_store_id
            summary[picking.id] = self.env._(
                "Transfer %(name)s from %(origin)s to %(dest)s waits for approval",
                name=picking.name,
                origin=source.name,
                dest=dest.name,
            )
            details[picking.id] = self.env._(
                "Transfer %(name)s from %(origin)s (%(stype)s) to %(dest)s (%(dtype)s), worth "
                "%(value)s at cost. It is confirmed once approved.",
                name=picking.name,
                origin=source.name,
                stype=dict(source._fields["store_type"].selection)[source.store_type],
                dest=dest.name,
                dtype=dict(dest._fields["store_type"].selection)[dest.store_type],
                value=currency.format(picking.wfmon_retail_value),
            )
            impact[picking.id] = picking.wfmon_retail_value
            payloads[picking.id] = {
                "transfer": picking.name,
                "source_store": source.name,
                "source_type": source.store_type,
                "destination_store": dest.name,
                "destination_type": dest.store_type,
                "value": picking.wfmon_retail_value,
            }
        return self._detect(
            "retail.interstore_transfer",
            pickings,
            payloads,
            details=details,
            impact=impact,
            summary=summary,
            site={p.id: sites[p.location_id.warehouse_id.id] for p in pickings},
        )

    # ------------------------------------------------------------------
    # Low stock: promotions, velocity, cases, escalation to merchandising
    # ------------------------------------------------------------------
    @api.model
    def _running_promotions(self, stores, day=None):
        """Promotions (``loyalty.program``) running on ``day`` at the POS shops
        of ``stores``: ``{store id: programs}`` (one query)."""
        day = day or fields.Date.context_today(self)
        shops_of = stores._shops()
        configs = (
            self.env["pos.config"]
            .sudo()
            .browse([c.id for shops in shops_of.values() for c in shops])
        )
        # sudo: promotions are read for the detector, whoever triggers it.
        programs = (
            self.env["loyalty.program"]
            .sudo()
            .search(
                [
                    ("pos_ok", "=", True),
                    ("program_type", "in", PROMOTION_TYPES),
                    "|",
                    ("pos_config_ids", "=", False),
                    ("pos_config_ids", "in", configs.ids),
                    "|",
                    ("date_from", "=", False),
                    ("date_from", "<=", day),
                    "|",
                    ("date_to", "=", False),
                    ("date_to", ">=", day),
                ]
            )
        )
        result = {}
        for store in stores:
            shops = shops_of[store.id]
            if not shops:
                continue
            result[store.id] = programs.filtered(
                lambda p, s=shops: not p.pos_config_ids or p.pos_config_ids & s
            )
        return result

    @api.model
    def _program_products(self, programs, products):
        """``{program id: products of ``products`` it promotes}``: eligible
        (its rules) or rewarded (its reward and discounted products). One search
        per rule."""
        result = {}
        for program in programs:
            found = products.browse()
            for rule in program.rule_ids:
                found |= products.filtered_domain(rule._get_valid_product_domain())
            rewards = program.reward_ids
            found |= products & (rewards.reward_product_ids | rewards.discount_product_ids)
            result[program.id] = found
        return result

    @api.model
    def _promoted(self, products, stores):
        """``{(product id, store id): [program names]}`` of the products on a
        promotion running at the store's shops today."""
        running = self._running_promotions(stores)
        programs = (
            self.env["loyalty.program"]
            .sudo()
            .browse({p.id for progs in running.values() for p in progs})
        )
        promoted = self._program_products(programs, products)
        result = {}
        for store_id, progs in running.items():
            for program in progs:
                for product in promoted.get(program.id, []):
                    result.setdefault((product.id, store_id), []).append(program.name)
        return result

    @api.model
    def _velocity(self, products, stores, days=None):
        """``{(product id, store id): units sold a day}`` over each store's
        velocity window, from POS lines of its shops and sale lines of its
        warehouse (two aggregates per store)."""
        result = {}
        now = fields.Datetime.now()
        for store in stores:
            window = days or store.company_id.wfmon_retail_velocity_days or 14
            since = now - timedelta(days=window)
            sold = {}
            shops = store._shops()[store.id]
            if shops:
                # sudo: sales figures are aggregated for the detector.
                for product, qty in (
                    self.env["pos.order.line"]
                    .sudo()
                    ._read_group(
                        [
                            ("order_id.config_id", "in", shops.ids),
                            ("order_id.state", "in", POS_SOLD),
                            ("order_id.date_order", ">=", since),
                            ("product_id", "in", products.ids),
                        ],
                        ["product_id"],
                        ["qty:sum"],
                    )
                ):
                    sold[product.id] = sold.get(product.id, 0.0) + qty
            for product, qty in (
                self.env["sale.order.line"]
                .sudo()
                ._read_group(
                    [
                        ("order_id.warehouse_id", "=", store.warehouse_id.id),
                        ("state", "=", "sale"),
                        ("order_id.date_order", ">=", since),
                        ("product_id", "in", products.ids),
                    ],
                    ["product_id"],
                    ["product_uom_qty:sum"],
                )
            ):
                sold[product.id] = sold.get(product.id, 0.0) + qty
            for product_id, qty in sold.items():
                result[(product_id, store.id)] = retail_rules.velocity(qty, window)
        return result

    @api.model
    def _low_stock_detect(self, rules, findings, purchases, stores):
        """Open or refresh the low-stock case of each rule below its minimum."""
        sites = self._sites(rules.warehouse_id)
        labels = {
            "promotion": self.env._("promotion running"),
            "fast_mover": self.env._("fast mover"),
            "stockout": self.env._("stockout"),
        }
        severity, details, impact, summary, payloads = {}, {}, {}, {}, {}
        for rule in rules:
            found = findings[rule.id]
            store = found["store"]
            product = rule.product_id
            severity[rule.id] = rule._wfmon_retail_severity(found["raises"])
            order = purchases.get(rule.id)
            missing = max(found["minimum"] - found["forecast"], 0.0)
            impact[rule.id] = missing * product.lst_price
            why = ", ".join(labels[r] for r in found["reasons"])
            # Not an f-string among the arguments of _(): see tests/unit/test_translatable.py.
            why_text = f" ({why})" if why else ""
            summary[rule.id] = self.env._(
                "%(product)s low at %(store)s%(why)s",
                product=product.display_name,
                store=store.name,
                why=why_text,
            )
            cover = found["cover_days"]
            details[rule.id] = self.env._(
                "Forecast %(forecast)s below the minimum %(minimum)s; on hand %(on_hand)s, "
                "selling %(velocity).1f a day (cover: %(cover)s). Promotions: %(promos)s. "
                "Vendor %(vendor)s, lead time %(lead)s days. Replenishment: %(order)s.",
                forecast=found["forecast"],
                minimum=found["minimum"],
                on_hand=found["on_hand"],
                velocity=found["velocity"],
                cover=self.env._("%.1f days", cover) if cover is not None else "-",
                promos=", ".join(found["promotions"]) or self.env._("none"),
                vendor=found["vendor"].display_name or "-",
                lead=found["lead_days"] if found["lead_days"] is not None else "-",
                order=order.name if order else self.env._("none raised now"),
            )
            payloads[rule.id] = {
                "store": {"id": store.id, "name": store.name, "type": store.store_type},
                "product": {"id": product.id, "name": product.display_name},
                "forecast": found["forecast"],
                "minimum": found["minimum"],
                "on_hand": found["on_hand"],
                "velocity_per_day": found["velocity"],
                "days_of_cover": cover,
                "promotions": found["promotions"],
                "reasons": list(found["reasons"]),
                "vendor": found["vendor"].display_name or None,
                "lead_days": found["lead_days"],
                "purchase_order": (
                    {"id": order.id, "name": order.name, "amount": order.amount_total}
                    if order
                    else None
                ),
            }
        return self._detect(
            "retail.low_stock",
            rules,
            payloads,
            details=details,
            severity=severity,
            impact=impact,
            summary=summary,
            site={rule.id: sites[rule.warehouse_id.id] for rule in rules},
            bump=not is_scanner(self.env),
        )

    @api.model
    def _lead_time_escalate(self, case, rule, lead_days, stores, source=None):
        """A vendor lead time (or an ETA) beyond the store's policy: the case
        goes to merchandising, who approve a substitute. Once per case."""
        case = case.sudo()
        if case.wfmon_retail_substitution_ids:
            return case.wfmon_retail_substitution_ids[:1]
        store = (stores.get(rule.warehouse_id.id) if isinstance(stores, dict) else stores).sudo()
        team = self.env.ref("wfmon_retail.team_merchandising").sudo()
        reason = self.env._(
            "%(what)s %(lead)s days, beyond the store's policy of %(policy)s days: "
            "merchandising to approve a substitute.",
            what=source or self.env._("Vendor lead time"),
            lead=lead_days,
            policy=store._setting("max_lead_days"),
        )
        engine = case._wfmon_engine(reason=reason, automated=True)
        vals = {"team_id": team.id, "escalation_level": case.escalation_level + 1}
        if team.lead_id:
            vals["user_id"] = team.lead_id.id
        engine.write(vals)
        case._log_batch("escalate", new_values=[team.name], reasons=reason, automated=True)
        if team.lead_id:
            # The next action, on the case owner's to-do list (and the dashboards).
            case.activity_schedule(
                "wfmon_core.mail_activity_type_wfmon_escalation",
                summary=self.env._("Decide on a substitute for %s", rule.product_id.display_name),
                note=reason,
                user_id=team.lead_id.id,
            )
        # The request is the engine's (sudo inside): read it as such for the event.
        substitution = self.env["wfmon.retail.substitution"]._request_for(case, rule, reason)
        self.env["wfmon.publisher"]._publish(
            "retail.substitute_requested",
            case,
            [
                {
                    "case": case._wfmon_event_data()[0],
                    "substitution": {
                        "id": substitution.id,
                        "product": rule.product_id.display_name,
                        "substitute": substitution.substitute_id.display_name or None,
                    },
                    "lead_days": lead_days,
                    "policy_days": store._setting("max_lead_days"),
                }
            ],
        )
        return substitution

    # ------------------------------------------------------------------
    # Late vendors: RFQ not confirmed, receipt overdue
    # ------------------------------------------------------------------
    @api.model
    def _schedule_vendor_checks(self, orders, now=None):
        """Store when the late-vendor scanner looks at each order next
        (``wfmon_retail_next_check``, indexed): the end of the vendor's
        confirmation window (working hours after the RFQ was sent), the end of
        the receipt grace after the expected arrival, or nothing."""
        orders = orders.sudo().filtered(lambda o: isinstance(o.id, int))
        if not orders:
            return
        now = now or fields.Datetime.now()
        stores = self._stores(orders.picking_type_id.warehouse_id)
        calendars = orders.company_id.mapped(lambda c: c._wfmon_calendar())
        schedules = calendars._wfmon_schedules(now - timedelta(days=31))
        by_value = {}
        for order in orders:
            store = stores.get(order.picking_type_id.warehouse_id.id)
            schedule = schedules.get(order.company_id._wfmon_calendar().id)
            due = False
            if store and schedule:
                if order.state == "sent" and order.wfmon_retail_sent_date:
                    due = add_working_hours(
                        schedule,
                        order.wfmon_retail_sent_date,
                        store._setting("rfq_confirm_hours"),
                    )
                elif (
                    order.state == "purchase"
                    and order.receipt_status != "full"
                    and order.date_planned
                ):
                    due = add_working_hours(
                        schedule, order.date_planned, store._setting("receipt_grace_hours")
                    )
            if due != order.wfmon_retail_next_check:
                by_value.setdefault(due, orders.browse())
                by_value[due] |= order
        for due, group in by_value.items():
            group._wfmon_engine().write({"wfmon_retail_next_check": due})

    @api.model
    def _scan_vendors(self, now=None, limit=500):
        """The orders whose next vendor check is due (an indexed search: none
        due, one query): open, refresh or resolve their late-vendor cases."""
        now = fields.Datetime.to_datetime(now) or fields.Datetime.now()
        domain = [("wfmon_retail_next_check", "<=", now)]
        # sudo: the scanner reads every store's purchases.
        Purchase = self.env["purchase.order"].sudo()
        orders = Purchase.search(domain, order="wfmon_retail_next_check", limit=limit)
        if not orders:
            return 0
        unconfirmed = orders.filtered(lambda o: o.state == "sent")
        overdue = orders.filtered(
            lambda o: (
                o.state == "purchase"
                and o.receipt_status != "full"
                and o.date_planned
                and o.date_planned <= now
            )
        )
        cleared = orders - unconfirmed - overdue
        self._resolve(
            "retail.vendor_not_confirming",
            orders - unconfirmed,
            self.env._("The vendor confirmed, or the order was cancelled."),
        )
        self._resolve(
            "retail.receipt_overdue",
            orders - overdue,
            self.env._("Received, cancelled or rescheduled."),
        )
        with_flags_scanner = as_scanner(self)
        with_flags_scanner._vendor_late_detect("retail.vendor_not_confirming", unconfirmed, now)
        with_flags_scanner._vendor_late_detect("retail.receipt_overdue", overdue, now)
        # Open cases are checked again a working day later; the others wait for
        # their order to change (the write stamps a new check).
        later = now + timedelta(hours=24)
        (unconfirmed | overdue)._wfmon_engine().write({"wfmon_retail_next_check": later})
        cleared._wfmon_engine().write({"wfmon_retail_next_check": False})
        # More due than one call takes: the cron framework runs the job again at once.
        remaining = Purchase.search_count(domain) if len(orders) == limit else 0
        self.env["ir.cron"]._notify_progress(done=len(orders), remaining=remaining)
        return len(orders)

    @api.model
    def _vendor_late_detect(self, type_code, orders, now):
        if not orders:
            return self.env["wfmon.case"]
        stores = self._stores(orders.picking_type_id.warehouse_id)
        products = orders.order_line.product_id
        velocity = self._velocity(
            products, self.env["wfmon.retail.store"].sudo().browse([s.id for s in stores.values()])
        )
        sites = self._sites(orders.picking_type_id.warehouse_id)
        severity, details, summary, payloads, impact = {}, {}, {}, {}, {}
        base = self.env["wfmon.case"]._get_type(type_code).default_severity
        for order in orders:
            warehouse = order.picking_type_id.warehouse_id
            store = stores[warehouse.id]
            covers = []
            for line in order.order_line.filtered("product_id"):
                per_day = velocity.get((line.product_id.id, store.id), 0.0)
                on_hand = line.product_id.with_context(warehouse_id=warehouse.id).qty_available
                cover = retail_rules.days_of_cover(on_hand, per_day)
                if cover is not None:
                    covers.append((cover, line.product_id.display_name))
            worst = min(covers) if covers else None
            tier = order.partner_id.commercial_partner_id.wfmon_supplier_tier
            finding = retail_rules.vendor_late(
                tier, worst[0] if worst else None, store._setting("cover_risk_days")
            )
            level = base
            for _step in range(finding.raises):
                level = next_severity(level)
            severity[order.id] = level
            impact[order.id] = order.amount_total
            if type_code == "retail.vendor_not_confirming":
                summary[order.id] = self.env._(
                    "%(vendor)s has not confirmed %(order)s",
                    vendor=order.partner_id.display_name,
                    order=order.name,
                )
                since = self.env._("sent on %s", order.wfmon_retail_sent_date)
            else:
                summary[order.id] = self.env._(
                    "%(order)s from %(vendor)s not received",
                    vendor=order.partner_id.display_name,
                    order=order.name,
                )
                since = self.env._("expected on %s", order.date_planned)
            details[order.id] = self.env._(
                "%(order)s (%(since)s) for %(store)s. Vendor tier: %(tier)s. Lowest cover at "
                "the store: %(cover)s.",
                order=order.name,
                since=since,
                store=store.name,
                tier=tier or "-",
                cover=self.env._("%(days).1f days of %(product)s", days=worst[0], product=worst[1])
                if worst
                else "-",
            )
            payloads[order.id] = {
                "purchase_order": {"id": order.id, "name": order.name},
                "vendor": order.partner_id.display_name,
                "supplier_tier": tier or None,
                "store": store.name,
                "days_of_cover": worst[0] if worst else None,
                "reasons": list(finding.reasons),
            }
        return self._detect(
            type_code,
            orders,
            payloads,
            details=details,
            severity=severity,
            impact=impact,
            summary=summary,
            site={o.id: sites[o.picking_type_id.warehouse_id.id] for o in orders},
            bump=False,
        )

    # ------------------------------------------------------------------
    # Promotion readiness
    # ------------------------------------------------------------------
    @api.model
    def _promotion_not_ready(self, programs, results, archived):
        """Open (or refresh) the merchandising case of each promotion that
        failed its readiness check."""
        if not programs:
            return self.env["wfmon.case"]
        details, summary, payloads = {}, {}, {}
        for program in programs:
            failures = results[program.id]
            kept = program in archived
            summary[program.id] = self.env._(
                "Promotion %(name)s not ready (starts %(start)s)",
                name=program.name,
                start=program.date_from or self.env._("now"),
            )
            details[program.id] = "\n".join(
                [
                    *failures,
                    self.env._("The promotion was archived so that it does not start.")
                    if kept
                    else "",
                ]
            ).strip()
            payloads[program.id] = {
                "promotion": {"id": program.id, "name": program.name},
                "date_from": program.date_from,
                "date_to": program.date_to,
                "failures": failures,
                "archived": kept,
            }
        return self._detect(
            "retail.promotion_not_ready",
            programs,
            payloads,
            details=details,
            summary=summary,
            bump=False,
        )
