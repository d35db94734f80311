from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

KINDS = [
    ("transfer", "Transfer from another warehouse"),
    ("split", "Split shipment: ship what is reserved now, the rest later"),
]


class WfmonDistributionRemedy(models.Model):
    """A supervisor-approved fix for a delivery at risk.

    Proposed from a fulfillment or late-picking case (or the delivery itself)
    with the options the data supports: a transfer from the warehouse that has
    the missing stock free, or a split shipment of what is reserved. Applying it
    is guarded by the approval matrix (shipped policy: the warehouse
    supervisor); once approved it runs by itself as the proposer, creates the
    transfer or the backorder, tells customer service, and logs every step on
    the case.
    """

    _name = "wfmon.distribution.remedy"
    _description = "Fulfillment Remedy"
    _inherit = [
        "wfmon.engine.mixin",
        "wfmon.reference.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "wfmon.approval.mixin",
    ]
    _wfmon_reference_prefix = "REM-"
    _wfmon_reference_digits = 5
    # Applied or cancelled through the buttons only: a write of the state would
    # read "done" without an approval (wfmon.engine.mixin).
    _wfmon_engine_fields = frozenset({"name", "state", "result_picking_id"})
    _order = "id desc"
    _wfmon_guarded_actions = {"action_apply": "Apply remedy"}
    _wfmon_approval_site_field = "site_id"
    _wfmon_approval_snapshot_fields = ("kind", "source_warehouse_id", "picking_id", "line_summary")

    state = fields.Selection(
        [("draft", "Proposed"), ("done", "Applied"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    kind = fields.Selection(
        KINDS,
        string="Remedy",
        required=True,
        tracking=True,
        compute="_compute_recommendation",
        store=True,
        readonly=False,
        precompute=True,
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery at Risk",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('picking_type_code', '=', 'outgoing'), "
        "('state', 'not in', ('draft', 'done', 'cancel'))]",
    )
    case_id = fields.Many2one("wfmon.case", string="Case", index=True, ondelete="set null")
    sale_order_id = fields.Many2one(related="picking_id.sale_id", store=True, string="Sale Order")
    partner_id = fields.Many2one(related="picking_id.partner_id", string="Customer")
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        related="picking_id.picking_type_id.warehouse_id",
        store=True,
        string="Warehouse",
    )
    site_id = fields.Many2one(
        "wfmon.site",
        related="warehouse_id.wfmon_site_id",
        store=True,
        string="Store / Warehouse",
        index=True,
    )
    company_id = fields.Many2one(related="picking_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    source_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Transfer From",
        compute="_compute_recommendation",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('company_id', '=', company_id), ('id', '!=', warehouse_id)]",
        tracking=True,
    )
    line_ids = fields.One2many(
        "wfmon.distribution.remedy.line",
        "remedy_id",
        string="Products",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    line_summary = fields.Char(compute="_compute_amount", store=True)
    amount = fields.Monetary(
        string="Stock Value",
        currency_field="currency_id",
        compute="_compute_amount",
        store=True,
        help="Cost of the quantities moved: the amount approval policies measure.",
    )
    recommendation = fields.Text(compute="_compute_recommendation", store=True, precompute=True)
    note = fields.Text(string="Why", help="What the approver should know.")
    result_picking_id = fields.Many2one(
        "stock.picking", string="Transfer / Backorder", readonly=True, copy=False
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("picking_id")
    def _compute_line_ids(self):
        for remedy in self:
            commands = [(5, 0, 0)]
            for move in remedy.picking_id.move_ids:
                if move.state in ("done", "cancel") or not move.product_id.is_storable:
                    continue
                missing = move.product_uom_qty - move.quantity
                if float_compare(missing, 0.0, precision_rounding=move.product_uom.rounding) > 0:
                    qty = move.product_uom._compute_quantity(missing, move.product_id.uom_id)
                    commands.append((0, 0, {"product_id": move.product_id.id, "quantity": qty}))
            remedy.line_ids = commands

    @api.depends("line_ids.quantity", "line_ids.product_id")
    def _compute_amount(self):
        for remedy in self:
            remedy.amount = sum(
                line.quantity * line.product_id.with_company(remedy.company_id).standard_price
                for line in remedy.line_ids
            )
            remedy.line_summary = "; ".join(
                f"{line.product_id.id}:{line.quantity}" for line in remedy.line_ids
            )

    @api.depends("picking_id", "line_ids.product_id", "line_ids.quantity")
    def _compute_recommendation(self):
        """Recommend the warehouse that can cover the most of what is missing,
        else a split shipment when part of the delivery is reserved."""
        for remedy in self:
            picking = remedy.picking_id
            lines = remedy.line_ids
            if not picking or not lines:
                remedy.recommendation = (
                    self.env._("Nothing is missing: the delivery is fully reserved.")
                    if picking
                    else False
                )
                remedy.kind = remedy.kind or "transfer"
                remedy.source_warehouse_id = remedy.source_warehouse_id
                continue
            free = self.env["stock.quant"]._wfmon_free_stock(lines.product_id, picking.company_id)
            warehouses = self.env["stock.warehouse"].browse({wh for wh, _p in free})
            covered = {}
            for warehouse in warehouses - remedy.warehouse_id:
                covered[warehouse] = sum(
                    min(free.get((warehouse.id, line.product_id.id), 0.0), line.quantity)
                    for line in lines
                )
            needed = sum(lines.mapped("quantity"))
            best = max(covered, key=lambda wh: (covered[wh], -wh.id), default=None)
            reserved = any(
                not float_is_zero(move.quantity, precision_rounding=move.product_uom.rounding)
                for move in picking.move_ids
            )
            text = []
            for warehouse, qty in sorted(covered.items(), key=lambda item: -item[1]):
                if qty:
                    text.append(
                        self.env._(
                            "%(wh)s can send %(qty)s of the %(needed)s missing.",
                            wh=warehouse.name,
                            qty=qty,
                            needed=needed,
                        )
                    )
            if reserved:
                text.append(self.env._("Part of the delivery is reserved: it can ship now."))
            if not text:
                text.append(
                    self.env._("No other warehouse has the products free; expedite replenishment.")
                )
            remedy.recommendation = "\n".join(text)
            can_transfer = bool(best and covered[best])
            remedy.kind = remedy.kind or ("transfer" if can_transfer or not reserved else "split")
            remedy.source_warehouse_id = remedy.source_warehouse_id or (
                best if can_transfer else False
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # wfmon.reference.mixin numbers the batch.
        remedies = super().create(vals_list)
        remedies.filtered(lambda r: not r.case_id)._link_open_case()
        remedies._log_on_case(self.env._("Remedy proposed"))
        return remedies

    def _link_open_case(self):
        """A remedy proposed from the delivery itself goes on the open case it
        helps: the delivery's own (late, short picked), else its order's."""
        if not self:
            return
        # sudo: the proposer may not see the case (the engine logs on it).
        cases = (
            self.env["wfmon.case"]
            .sudo()
            .search(
                [
                    ("is_open", "=", True),
                    "|",
                    "&",
                    ("res_model", "=", "stock.picking"),
                    ("res_id", "in", self.picking_id.ids),
                    "&",
                    ("res_model", "=", "sale.order"),
                    ("res_id", "in", self.sale_order_id.ids),
                ],
                order="id",
            )
        )
        for remedy in self:
            found = cases.filtered(
                lambda c, r=remedy: (c.res_model, c.res_id) == ("stock.picking", r.picking_id.id)
            ) or cases.filtered(
                lambda c, r=remedy: (c.res_model, c.res_id) == ("sale.order", r.sale_order_id.id)
            )
            if found:
                remedy.case_id = found[0].id

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _check_applicable(self):
        for remedy in self:
            if remedy.picking_id.state in ("done", "cancel"):
                raise UserError(
                    self.env._(
                        "%(remedy)s: the delivery %(picking)s is already %(state)s.",
                        remedy=remedy.name,
                        picking=remedy.picking_id.name,
                        state=remedy.picking_id.state,
                    )
                )
            if remedy.kind == "transfer":
                if not remedy.source_warehouse_id:
                    raise UserError(
                        self.env._("%s: choose the warehouse to transfer from.", remedy.name)
                    )
                if remedy.source_warehouse_id == remedy.warehouse_id:
                    raise UserError(self.env._("%s: transfer from another warehouse.", remedy.name))
                if not remedy.line_ids.filtered(lambda line: line.quantity > 0):
                    raise UserError(self.env._("%s: nothing to transfer.", remedy.name))

    def _wfmon_approval_applicable(self, action_name):
        return self.filtered(lambda r: r.state == "draft")

    def action_apply(self):
        """Apply the remedy, once the approval matrix allows it."""
        drafts = self.filtered(lambda r: r.state == "draft")
        drafts._check_applicable()
        allowed, response = drafts._wfmon_approval_guard("action_apply")
        held = drafts - allowed
        if held and response:
            held._log_on_case(self.env._("Remedy sent for approval"), action="approval")
        consumed = allowed._wfmon_approval_consumed("action_apply")
        for remedy in allowed:
            remedy._apply(consumed.get(remedy.id))
        return response or True

    def action_cancel(self):
        self.filtered(lambda r: r.state == "draft")._wfmon_engine().write({"state": "cancel"})
        return True

    def _apply(self, request=None):
        self.ensure_one()
        if self.kind == "transfer":
            result = self._apply_transfer()
            what = self.env._(
                "transfer %(picking)s from %(wh)s",
                picking=result.name,
                wh=self.source_warehouse_id.name,
            )
        else:
            before = self.picking_id.backorder_ids
            self.picking_id.action_split_transfer()
            result = self.picking_id.backorder_ids - before
            what = self.env._(
                "split: %(picking)s ships what is reserved, %(backorder)s the rest",
                picking=self.picking_id.name,
                backorder=result.name or "-",
            )
        self._wfmon_engine().write({"state": "done", "result_picking_id": result[:1].id})
        approval = ""
        if request:
            # sudo: the decision trail of the request the remedy ran under.
            approvers = request.sudo().decision_ids.filtered(lambda d: d.decision == "approve")
            approval = self.env._(
                " Approved under %(request)s by %(who)s.",
                request=request.name,
                who=", ".join(approvers.user_id.mapped("name")),
            )
        text = self.env._("%(remedy)s applied: %(what)s.", remedy=self.name, what=what) + approval
        self.message_post(body=text)
        self.picking_id.message_post(body=text)
        self._log_on_case(text, action="approval" if request else "note")
        self._notify_customer_service(text)
        self.env["wfmon.publisher"]._publish("distribution.remedy_applied", self)
        return result

    def _apply_transfer(self):
        source, target = self.source_warehouse_id, self.warehouse_id
        moves = [
            (
                0,
                0,
                {
                    "name": line.product_id.display_name,
                    "product_id": line.product_id.id,
                    "product_uom_qty": line.quantity,
                    "product_uom": line.product_id.uom_id.id,
                    "location_id": source.lot_stock_id.id,
                    "location_dest_id": target.lot_stock_id.id,
                },
            )
            for line in self.line_ids.filtered(lambda ln: ln.quantity > 0)
        ]
        transfer = self.env["stock.picking"].create(
            {
                "picking_type_id": source.int_type_id.id,
                "location_id": source.lot_stock_id.id,
                "location_dest_id": target.lot_stock_id.id,
                "origin": f"{self.name} ({self.picking_id.name})",
                "priority": "1",
                "move_ids": moves,
            }
        )
        transfer.action_confirm()
        transfer.action_assign()
        return transfer

    def _log_on_case(self, text, action="note"):
        """One line on the case's audit log, linked to the remedy."""
        for remedy in self.filtered("case_id"):
            reason = text if remedy.name in text else f"{remedy.name}: {text}"
            remedy.case_id._log_batch(action, reasons=reason, step=remedy)

    def _notify_customer_service(self, text):
        """A to-do for the salesperson of the order: tell the customer."""
        order = self.sale_order_id
        if not order:
            return
        user = order.user_id or self.env.user
        order.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Tell %s about the delivery", order.partner_id.display_name),
            note=text,
            user_id=user.id,
        )

    # ------------------------------------------------------------------
    # Follow-up: the transfer arrives
    # ------------------------------------------------------------------
    @api.model
    def _wfmon_transfers_done(self, pickings):
        """Reserve the deliveries whose remedy transfer was just validated.

        Runs inside Odoo's own validation, for whoever may validate a transfer:
        warehouse staff need no monitoring group for it.
        """
        # sudo: only finds the remedies behind these transfers; the deliveries
        # are reserved with the validating user's rights.
        remedies = self.sudo().search(
            [("result_picking_id", "in", pickings.ids), ("kind", "=", "transfer")]
        )
        deliveries = remedies.picking_id.with_env(pickings.env).filtered(
            lambda p: p.state in ("confirmed", "waiting", "assigned")
        )
        if deliveries:
            deliveries.action_assign()
        return deliveries

    # ------------------------------------------------------------------
    # Event payload
    # ------------------------------------------------------------------
    def _wfmon_event_data(self):
        return [
            {
                "id": remedy.id,
                "reference": remedy.name,
                "kind": remedy.kind,
                "delivery": remedy.picking_id.name,
                "sale_order": remedy.sale_order_id.name or None,
                "customer": remedy.partner_id.display_name or None,
                "warehouse": remedy.warehouse_id.code,
                "from_warehouse": remedy.source_warehouse_id.code or None,
                "result": remedy.result_picking_id.name or None,
                "case": remedy.case_id.name or None,
                "lines": [
                    {"product_id": line.product_id.id, "quantity": line.quantity}
                    for line in remedy.line_ids
                ],
            }
            for remedy in self
        ]


class WfmonDistributionRemedyLine(models.Model):
    _name = "wfmon.distribution.remedy.line"
    _description = "Fulfillment Remedy Line"

    remedy_id = fields.Many2one(
        "wfmon.distribution.remedy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="remedy_id.company_id", store=True)
    product_id = fields.Many2one("product.product", required=True)
    quantity = fields.Float(digits="Product Unit of Measure", required=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
