from datetime import timedelta

from odoo import fields, models

from odoo.addons.wfmon_core.tools.sla_clock import working_hours_between
from odoo.addons.wfmon_core.tools.sla_plan import usable

from .stock_picking import LATE_HORIZON_DAYS

OPEN_PICKING_STATES = ("waiting", "confirmed", "assigned")


class WfmonCase(models.Model):
    _inherit = "wfmon.case"

    distribution_line_ids = fields.One2many(
        "wfmon.distribution.line", "case_id", string="Analysis", readonly=True
    )
    distribution_line_count = fields.Integer(compute="_compute_distribution_line_count")
    informed_sale_order_ids = fields.Many2many(
        "sale.order",
        "wfmon_case_informed_sale_order_rel",
        "case_id",
        "order_id",
        string="Customers Informed For",
        readonly=True,
        help="Sale orders whose salesperson got the to-do to inform the customer.",
    )
    remedy_ids = fields.One2many("wfmon.distribution.remedy", "case_id", string="Remedies")
    remedy_picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery to Remedy",
        compute="_compute_remedy_picking_id",
        help="The open delivery of this case that a transfer or a split shipment can help.",
    )

    picking_late_hours = fields.Float(
        string="Picking Late By (Hours)",
        compute="_compute_picking_lateness",
        help="How late the open picking of this case is against its scheduled date, in "
        "working hours of its warehouse's calendar (clock hours without one).",
    )
    picking_lateness = fields.Char(
        string="Picking Late",
        compute="_compute_picking_lateness",
        help="How late the picking itself is, against its scheduled date. The SLA clock "
        "measures the case: it starts when the case opens.",
    )

    def _compute_picking_lateness(self):
        now = fields.Datetime.now()
        # sudo: how late the case's picking is, for everyone who may see the case
        # (a manager without Inventory rights too); nothing else of it is read.
        pickings = (
            self.env["stock.picking"]
            .sudo()
            .browse(
                [
                    c.res_id
                    for c in self
                    if c.is_open and c.res_model == "stock.picking" and c.res_id
                ]
            )
            .exists()
            .filtered(
                lambda p: (
                    p.state in OPEN_PICKING_STATES and p.scheduled_date and p.scheduled_date < now
                )
            )
        )
        warehouses = pickings.picking_type_id.warehouse_id
        calendars = self.env["resource.calendar"].union(
            *[wh._wfmon_schedule_calendar() for wh in warehouses]
        )
        horizon = now - timedelta(days=LATE_HORIZON_DAYS)
        # The schedules cover the oldest scheduled date counted to now, no more.
        start = max(min(pickings.mapped("scheduled_date"), default=now), horizon)
        schedules = calendars._wfmon_schedules(
            start - timedelta(days=1), horizon_days=(now - start).days + 3
        )
        late = {}
        for picking in pickings:
            warehouse = picking.picking_type_id.warehouse_id
            raw = schedules.get(warehouse._wfmon_schedule_calendar().id) if warehouse else None
            working = bool(raw and raw.attendances)
            # Counted over the last LATE_HORIZON_DAYS at most, as the detector does.
            hours = working_hours_between(usable(raw), max(picking.scheduled_date, horizon), now)
            late[picking.id] = (hours, working, picking.scheduled_date > horizon)
        for case in self:
            value = late.get(case.res_id) if case.res_model == "stock.picking" else None
            if not value or not case.is_open:
                case.picking_late_hours = 0.0
                case.picking_lateness = False
                continue
            hours, working, exact = value
            case.picking_late_hours = hours
            case.picking_lateness = case._picking_lateness_text(hours, working, exact)

    def _picking_lateness_text(self, hours, working, exact):
        """'84 working hours late': what the queue and the case say of a picking."""
        if hours < 1:
            return (
                self.env._("Late by less than a working hour")
                if working
                else self.env._("Late by less than an hour")
            )
        rounded = round(hours)
        if not exact:
            return (
                self.env._("More than %s working hours late", rounded)
                if working
                else self.env._("More than %s hours late", rounded)
            )
        return (
            self.env._("%s working hours late", rounded)
            if working
            else self.env._("%s hours late", rounded)
        )

    def _compute_distribution_line_count(self):
        groups = self.env["wfmon.distribution.line"]._read_group(
            [("case_id", "in", self.ids)], ["case_id"], ["__count"]
        )
        counts = {case.id: count for case, count in groups}
        for case in self:
            case.distribution_line_count = counts.get(case.id, 0)

    def _compute_remedy_picking_id(self):
        # sudo: a case opens for everyone who may see it, also for a manager
        # without Sales or Inventory rights; this only finds which delivery a
        # remedy could help (the button proposing one is for warehouse staff).
        pickings = (
            self.env["stock.picking"]
            .sudo()
            .browse([c.res_id for c in self if c.res_model == "stock.picking" and c.res_id])
        )
        orders = (
            self.env["sale.order"]
            .sudo()
            .browse([c.res_id for c in self if c.res_model == "sale.order" and c.res_id])
        )
        pickings = pickings.exists()
        orders = orders.exists()
        for case in self:
            candidates = self.env["stock.picking"]
            if not case.is_open:
                pass
            elif case.res_model == "stock.picking" and case.res_id in pickings.ids:
                candidates = pickings.browse(case.res_id)
            elif case.res_model == "sale.order" and case.res_id in orders.ids:
                candidates = orders.browse(case.res_id).picking_ids
            # Only deliveries still missing something: a remedy has nothing to
            # move for a fully reserved one.
            case.remedy_picking_id = candidates.filtered(
                lambda p: (
                    p.picking_type_code == "outgoing"
                    and p.state in OPEN_PICKING_STATES
                    and any(
                        m.state in ("confirmed", "waiting", "partially_available")
                        for m in p.move_ids
                    )
                )
            )[:1].with_env(self.env)

    def action_wfmon_propose_remedy(self):
        """Open a new remedy for the case's delivery, with the recommendation."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Propose a Remedy"),
            "res_model": "wfmon.distribution.remedy",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_picking_id": self.remedy_picking_id.id,
                "default_case_id": self.id,
            },
        }

    def action_wfmon_view_remedies(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_distribution.wfmon_distribution_remedy_action"
        )
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"default_case_id": self.id}
        return action
