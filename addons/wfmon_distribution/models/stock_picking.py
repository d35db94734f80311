from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, format_datetime

from odoo.addons.wfmon_core.models.wfmon_detector import datetime_formatter, detectors_off
from odoo.addons.wfmon_core.tools.sla_clock import subtract_working_hours, working_hours_between
from odoo.addons.wfmon_core.tools.sla_plan import usable

PICKING_LATE = "distribution.picking_late"
PICK_SHORTAGE = "distribution.pick_shortage"
CARRIER = "distribution.carrier_exception"
MASTER_DATA = "distribution.master_data_gap"
FULFILLMENT = "distribution.fulfillment_at_risk"
OPEN_STATES = ("confirmed", "waiting", "assigned")
MONITORED_TYPES = ("outgoing", "internal")
CARRIER_EXCEPTIONS = ("exception", "label_failed", "failed", "returned", "lost", "damaged")
CARRIER_CLEARED = ("delivered", "resolved", "in_transit")
LATE_HORIZON_DAYS = 30


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "wfmon.case.mixin"]

    # ------------------------------------------------------------------
    # Late picking: not done within its SLA window after its scheduled date
    # ------------------------------------------------------------------
    @api.model
    def _wfmon_late_thresholds(self, now):
        """``{warehouse: threshold}``: a picking of the warehouse scheduled before
        its threshold has spent more than the warehouse's SLA window (in working
        hours of its calendar) past its scheduled date."""
        warehouses = self.env["stock.warehouse"].search([])
        calendars = self.env["resource.calendar"].union(
            *[wh._wfmon_schedule_calendar() for wh in warehouses]
        )
        schedules = calendars._wfmon_schedules(
            now - timedelta(days=LATE_HORIZON_DAYS * 2), horizon_days=LATE_HORIZON_DAYS * 3
        )
        result = {}
        for warehouse in warehouses:
            hours = warehouse._wfmon_setting("wfmon_picking_sla_hours")
            if hours <= 0:
                continue
            schedule = usable(schedules.get(warehouse._wfmon_schedule_calendar().id))
            result[warehouse] = (subtract_working_hours(schedule, now, hours), schedule, hours)
        return result

    @api.model
    def _wfmon_late_domain(self, thresholds):
        branches = [
            ["&", ("picking_type_id.warehouse_id", "=", wh.id), ("scheduled_date", "<=", limit)]
            for wh, (limit, _schedule, _hours) in thresholds.items()
        ]
        if not branches:
            return [("id", "=", 0)]
        return [
            ("state", "in", OPEN_STATES),
            ("picking_type_code", "in", MONITORED_TYPES),
            *(["|"] * (len(branches) - 1)),
            *[term for branch in branches for term in branch],
        ]

    def _wfmon_check_late(self, thresholds, now):
        """Open a late-picking case on each picking of ``self`` (all late), raise
        its priority and give the case to the warehouse supervisor."""
        env = self.env
        detector = env["wfmon.distribution.detector"]
        by_wh = {wh.id: value for wh, value in thresholds.items()}
        sites = detector._sites(self.picking_type_id.warehouse_id)
        details, payloads, severity, lines, summary, site = {}, {}, {}, {}, {}, {}
        states = dict(self._fields["state"]._description_selection(env))
        dates = {}  # formatted once per distinct date, the language looked up once
        format_date = datetime_formatter(env)
        # What every picking's texts share, translated once for the batch.
        started_text, not_started_text = env._("picking started"), env._("not started")
        not_reserved = env._("Not reserved")
        late_hours_of = {}  # {(warehouse id, since): late working hours}
        horizon = now - timedelta(days=LATE_HORIZON_DAYS)
        for picking in self:
            scheduled = picking.scheduled_date
            if scheduled not in dates:
                dates[scheduled] = format_date(scheduled)
            warehouse_id = picking.picking_type_id.warehouse_id.id
            _limit, schedule, hours = by_wh[warehouse_id]
            # Counted over the last LATE_HORIZON_DAYS at most: the schedules
            # cover that window, and older pickings are just "very late".
            since = max(scheduled, horizon)
            if (warehouse_id, since) not in late_hours_of:
                late_hours_of[warehouse_id, since] = max(
                    working_hours_between(schedule, since, now) - hours, 0.0
                )
            late_hours = late_hours_of[warehouse_id, since]
            moves = picking.move_ids
            unreserved = [
                move
                for move in moves
                if move.state in ("confirmed", "waiting", "partially_available")
            ]
            started = any(move.picked for move in moves)
            # From the moves' quantities: under "As soon as possible" a partly
            # reserved picking is already "assigned".
            level = "high" if unreserved else "medium"
            if picking.priority == "1":
                level = "critical" if level == "high" else "high"
            name, partner, sale = picking.name, picking.partner_id, picking.sale_id
            state = picking.state
            severity[picking.id] = level
            # Not an f-string among the arguments of _(): see tests/unit/test_translatable.py.
            partner_text = f" {partner.display_name}" if partner else ""
            details[picking.id] = env._(
                "%(picking)s (%(state)s, %(started)s) was scheduled on %(date)s: %(late).1f "
                "working hours past its %(window).1f h window.%(partner)s",
                picking=name,
                state=states[state],
                started=started_text if started else not_started_text,
                date=dates[scheduled],
                late=late_hours,
                window=hours,
                partner=partner_text,
            )
            lines[picking.id] = [
                {
                    "kind": "shortage",
                    "name": not_reserved,
                    "product_id": move.product_id.id,
                    "warehouse_id": warehouse_id,
                    "quantity": move.product_uom_qty,
                    "available_qty": move.quantity,
                    "missing_qty": max(move.product_uom_qty - move.quantity, 0.0),
                    "sale_order_id": sale.id,
                    "partner_id": partner.id,
                }
                for move in unreserved
            ]
            payloads[picking.id] = {
                "picking_type": picking.picking_type_code,
                "state": state,
                "started": started,
                "scheduled_date": scheduled,
                "late_working_hours": round(late_hours, 2),
                "sla_window_hours": hours,
                "sale_order": sale.name or None,
                "customer": partner.display_name or None,
                # the products once each, in order, as a recordset's mapping gives them
                "unreserved_products": list(dict.fromkeys(m.product_id.id for m in unreserved)),
            }
            summary[picking.id] = (
                env._("%(picking)s for %(partner)s is late", picking=name, partner=partner.name)
                if partner
                else env._("%s is late", name)
            )
            site[picking.id] = sites.get(warehouse_id)
        cases, new = detector._detect_opened(
            PICKING_LATE,
            self,
            payloads,
            details=details,
            lines=lines,
            severity=severity,
            summary=summary,
            site=site,
            bump=False,
        )
        # The detector gave the new cases to the warehouse's supervisor.
        new.filtered(lambda p: p.priority != "1").write({"priority": "1"})
        return cases

    @api.model
    def _cron_wfmon_picking_sla(self, batch_size=500):
        """Late-picking scanner: cases on the pickings that became late since the last
        call, and resolution of those done, cancelled or rescheduled since
        (core's due-driven scanner: pickings already late with an open case
        are not read)."""
        now = fields.Datetime.now()
        thresholds = self._wfmon_late_thresholds(now)
        return self.env["wfmon.distribution.detector"]._scan_due(
            "picking_sla",
            PICKING_LATE,
            self,
            self._wfmon_late_domain(thresholds),
            lambda pickings: pickings._wfmon_check_late(thresholds, now),
            self.env._("The picking is done, cancelled or rescheduled."),
            batch_size=batch_size,
        )

    # ------------------------------------------------------------------
    # Pick shortage on validation; blocking master data
    # ------------------------------------------------------------------
    def _action_done(self):
        if detectors_off(self.env):
            return super()._action_done()
        self._wfmon_check_blocking_master_data()
        shortages = self._wfmon_pick_shortages()
        res = super()._action_done()
        self._wfmon_raise_pick_shortage(shortages)
        self._wfmon_after_done()
        # Remedy transfers arrived: reserve the deliveries they serve.
        # Their origin starts with the remedy's reference: no query otherwise.
        remedy_transfers = self.filtered(lambda p: (p.origin or "").startswith("REM-"))
        if remedy_transfers:
            self.env["wfmon.distribution.remedy"]._wfmon_transfers_done(remedy_transfers)
        return res

    def _wfmon_check_blocking_master_data(self):
        """Refuse to ship an order whose master-data case is open and blocking
        (the administrator makes the case type blocking)."""
        outgoing = self.filtered(lambda p: p.picking_type_code == "outgoing" and p.sale_id)
        if not outgoing:
            return
        # sudo: the check must see the cases whoever validates the delivery.
        blocking = (
            self.env["wfmon.case"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", "sale.order"),
                    ("res_id", "in", outgoing.sale_id.ids),
                    ("is_open", "=", True),
                    ("blocking", "=", True),
                    ("type_id.code", "=", MASTER_DATA),
                ],
                ["name", "res_id"],
            )
        )
        if blocking:
            raise UserError(
                self.env._(
                    "Master data is missing on %(orders)s (case %(cases)s): complete it "
                    "before shipping.",
                    orders=", ".join(
                        outgoing.sale_id.browse(blocking.mapped("res_id")).mapped("name")
                    ),
                    cases=", ".join(blocking.mapped("name")),
                )
            )

    def _wfmon_pick_shortages(self):
        """``{picking id: [(move, demand, done)]}``: moves validated with less than
        their demand (what becomes a backorder or is dropped)."""
        result = {}
        for picking in self.filtered(lambda p: p.picking_type_code in MONITORED_TYPES):
            short = []
            for move in picking.move_ids:
                if move.state in ("done", "cancel"):
                    continue
                rounding = move.product_uom.rounding
                if (
                    float_compare(move.quantity, move.product_uom_qty, precision_rounding=rounding)
                    < 0
                ):
                    short.append((move, move.product_uom_qty, move.quantity))
            if short:
                result[picking.id] = short
        return result

    def _wfmon_raise_pick_shortage(self, shortages):
        pickings = self.filtered(lambda p: p.id in shortages)
        if not pickings:
            return self.env["wfmon.case"]
        detector = self.env["wfmon.distribution.detector"]
        sites = detector._sites(pickings.picking_type_id.warehouse_id)
        details, payloads, lines, impact = {}, {}, {}, {}
        for picking in pickings:
            rows = shortages[picking.id]
            backorders = picking.backorder_ids
            follow_up = (
                self.env._("Backorder %s created.", ", ".join(backorders.mapped("name")))
                if backorders
                else self.env._("No backorder: the remainder was dropped.")
            )
            details[picking.id] = "\n".join(
                [
                    self.env._(
                        "%(product)s: %(done)s of %(demand)s %(uom)s picked.",
                        product=move.product_id.display_name,
                        done=done,
                        demand=demand,
                        uom=move.product_uom.name,
                    )
                    for move, demand, done in rows
                ]
                + [follow_up]
            )
            lines[picking.id] = [
                {
                    "kind": "shortage",
                    "name": self.env._("Short picked"),
                    "product_id": move.product_id.id,
                    "warehouse_id": picking.picking_type_id.warehouse_id.id,
                    "quantity": demand,
                    "available_qty": done,
                    "missing_qty": demand - done,
                    "sale_order_id": picking.sale_id.id,
                    "partner_id": picking.partner_id.id,
                    "amount": (demand - done) * (move.sale_line_id.price_reduce_taxexcl or 0.0),
                }
                for move, demand, done in rows
            ]
            impact[picking.id] = sum(vals["amount"] for vals in lines[picking.id])
            payloads[picking.id] = {
                "backorders": backorders.mapped("name"),
                "sale_order": picking.sale_id.name or None,
                "shortages": [
                    {"product_id": move.product_id.id, "demand": demand, "done": done}
                    for move, demand, done in rows
                ],
            }
        return detector._detect(
            PICK_SHORTAGE,
            pickings,
            payloads,
            details=details,
            lines=lines,
            impact=impact,
            summary={p.id: self.env._("%s: short pick", p.name) for p in pickings},
            site={p.id: sites.get(p.picking_type_id.warehouse_id.id) for p in pickings},
        )

    def _wfmon_after_done(self):
        """Signals that clear when pickings are done: the short pick of the
        original picking once its backorders are done, and the fulfillment case
        of the orders now delivered or reserved."""
        detector = self.env["wfmon.distribution.detector"]
        origins = self.backorder_id
        if origins:
            open_cases = detector._open_cases(PICK_SHORTAGE, origins)
            completed = origins.browse(list(open_cases)).filtered(
                lambda p: all(b.state in ("done", "cancel") for b in p.backorder_ids)
            )
            detector._resolve(PICK_SHORTAGE, completed, self.env._("The backorders are done."))
        orders = self.sale_id
        if orders:
            orders._wfmon_recheck_fulfillment()

    # ------------------------------------------------------------------
    # Carrier / shipment exception reported from outside
    # ------------------------------------------------------------------
    @api.model
    def _wfmon_carrier_status_label(self, status):
        """What a carrier's status code means, as the case says it."""
        labels = {
            "exception": self.env._("Shipment exception"),
            "label_failed": self.env._("Label refused"),
            "failed": self.env._("Delivery failed"),
            "returned": self.env._("Returned to sender"),
            "lost": self.env._("Lost in transit"),
            "damaged": self.env._("Damaged in transit"),
        }
        return labels.get(status, status)

    @api.model
    def _wfmon_carrier_event(self, data):
        """Open (or resolve) the logistics case of a picking from a carrier event.

        Meant for wfmon_integration's inbound endpoint (see readme/ROADMAP.md):
        ``data`` is the event body, e.g. ``{"reference": "WH/OUT/00012",
        "status": "label_failed", "carrier": "DHL", "message": "..."}``.  The
        picking is found by its reference (name, else origin).  Raises
        ``UserError`` when it is unknown, so the event is quarantined.

        :return: the case opened, bumped or resolved
        """
        reference = (data.get("reference") or data.get("picking") or "").strip()
        status = (data.get("status") or "exception").strip().lower()
        if not reference:
            raise UserError(self.env._("The carrier event names no picking reference."))
        picking = self.search([("name", "=", reference)], limit=1) or self.search(
            [("origin", "=", reference), ("picking_type_code", "=", "outgoing")],
            order="id desc",
            limit=1,
        )
        if not picking:
            raise UserError(self.env._("No picking with reference %s.", reference))
        detector = self.env["wfmon.distribution.detector"]
        if status in CARRIER_CLEARED:
            return detector._resolve(
                CARRIER,
                picking,
                self.env._(
                    "Carrier reported %(status)s: %(msg)s",
                    status=status,
                    msg=data.get("message") or "",
                ),
            )
        if status not in CARRIER_EXCEPTIONS:
            raise UserError(self.env._("Unknown carrier status %s.", status))
        carrier = data.get("carrier") or self.env._("Carrier")
        what = self._wfmon_carrier_status_label(status)
        sites = detector._sites(picking.picking_type_id.warehouse_id)
        return detector._detect(
            CARRIER,
            picking,
            {picking.id: {"carrier": carrier, "status": status, "message": data.get("message")}},
            details={
                picking.id: self.env._(
                    "%(carrier)s reported %(status)s on %(date)s: %(msg)s",
                    carrier=carrier,
                    status=what.lower(),
                    date=format_datetime(self.env, fields.Datetime.now()),
                    msg=data.get("message") or "-",
                )
            },
            severity="high" if status in ("label_failed", "lost") else "medium",
            summary={
                picking.id: self.env._(
                    "%(picking)s: %(what)s (%(carrier)s)",
                    picking=picking.name,
                    what=what.lower(),
                    carrier=carrier,
                )
            },
            site={picking.id: sites.get(picking.picking_type_id.warehouse_id.id)},
        )
