from odoo import fields, models

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
