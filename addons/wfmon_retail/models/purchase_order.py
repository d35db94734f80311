from odoo import api, fields, models

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools import retail_rules

LOW_STOCK = "retail.low_stock"
URGENT = ("high", "critical")


class PurchaseOrder(models.Model):
    """Store replenishment purchases: routed through the approval matrix by
    value and urgency, followed up for the supplier's ETA and for the vendor's
    confirmation and receipt.

    ``button_confirm`` is guarded once per call (wfmon_approvals): with
    wfmon_distribution installed too, both modules' overrides call the guard;
    the second call keeps the first one's verdict and each module sees the held
    orders (``_wfmon_approval_held``), whichever override runs first. Retail adds
    the holds ``retail_replenishment`` (a purchase replenishing a store's
    reordering rules) and ``retail_urgent`` (its low-stock case is high or
    critical); the shipped policies are scoped on them.
    """

    _name = "purchase.order"
    _inherit = ["purchase.order", "wfmon.approval.mixin", "wfmon.engine.mixin"]
    _wfmon_guarded_actions = {"button_confirm": "Confirm Order"}
    _wfmon_approval_snapshot_fields = ("partner_id", "wfmon_approval_holds")
    _wfmon_approval_site_field = "wfmon_site_id"
    _wfmon_guarded_states = {"button_confirm": ("state", ("to approve", "purchase", "done"))}
    _wfmon_engine_fields = frozenset(
        {
            "wfmon_retail_case_id",
            "wfmon_retail_eta",
            "wfmon_retail_sent_date",
            "wfmon_retail_next_check",
        }
    )

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        related="picking_type_id.warehouse_id.wfmon_site_id",
        string="Monitoring Site",
        help="The receiving warehouse's site: approval policies may be scoped on it.",
    )
    wfmon_retail_store_id = fields.Many2one(
        "wfmon.retail.store",
        compute="_compute_wfmon_retail_store_id",
        string="Retail Store",
        help="The store this purchase replenishes (its receiving warehouse).",
    )
    wfmon_retail_case_id = fields.Many2one(
        "wfmon.case",
        string="Low-stock Case",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The low-stock case this purchase replenishes.",
    )
    wfmon_retail_eta = fields.Datetime(
        string="Supplier ETA",
        readonly=True,
        copy=False,
        help="Expected arrival the supplier reported through the inbound endpoint.",
    )
    wfmon_retail_sent_date = fields.Datetime(
        string="RFQ Sent On",
        readonly=True,
        copy=False,
        help="When the RFQ was sent to the vendor (stamped when it became 'RFQ Sent').",
    )
    wfmon_retail_next_check = fields.Datetime(
        string="Next Vendor Check",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the late-vendor scanner looks at this order next (empty: nothing due).",
    )

    def _compute_wfmon_retail_store_id(self):
        stores = self.env["wfmon.retail.store"]._by_warehouse(self.picking_type_id.warehouse_id)
        for order in self:
            order.wfmon_retail_store_id = stores.get(order.picking_type_id.warehouse_id.id)

    # ------------------------------------------------------------------
    # Approval hooks
    # ------------------------------------------------------------------
    def _wfmon_approval_hold_names(self):
        holds = super()._wfmon_approval_hold_names()
        for order_id, names in self._wfmon_retail_holds().items():
            holds.setdefault(order_id, set()).update(names)
        return holds

    def _wfmon_retail_holds(self):
        """``{order id: holds}`` of the draft purchases replenishing a store."""
        drafts = self.filtered(lambda o: isinstance(o.id, int) and o.state in ("draft", "sent"))
        result = {}
        if not drafts:
            return result
        stores = self.env["wfmon.retail.store"]._by_warehouse(drafts.picking_type_id.warehouse_id)
        # sudo: the hold is read for the matrix, whoever confirms.
        for order in drafts.sudo():
            if order.picking_type_id.warehouse_id.id not in stores:
                continue
            from_rule = order.wfmon_retail_case_id or order.order_line.filtered(
                lambda line: line.orderpoint_id
            )
            if not from_rule:
                continue
            names = {"retail_replenishment"}
            if order.wfmon_retail_case_id.severity in URGENT:
                names.add("retail_urgent")
            result[order.id] = names
        return result

    def _wfmon_approval_applicable(self, action_name):
        """Drafts go through the matrix; the policies say which need approval."""
        if action_name != "button_confirm" or detectors_off(self.env):
            return self.browse()
        return self.filtered(lambda o: o.state in ("draft", "sent"))

    # ------------------------------------------------------------------
    # The guarded action
    # ------------------------------------------------------------------
    def button_confirm(self):
        if detectors_off(self.env):
            passed = self._wfmon_passed(self, "button_confirm")
            return super(PurchaseOrder, passed).button_confirm()
        self.invalidate_recordset(["wfmon_approval_holds"])
        allowed, response = self._wfmon_approval_guard("button_confirm")
        # Also the orders another module's override of the action held before
        # reaching this one through super().
        held = self._wfmon_approval_held("button_confirm", allowed)
        # Even with nothing allowed: another override below sees the held orders.
        result = super(PurchaseOrder, allowed).button_confirm()
        held._wfmon_retail_note_held()
        allowed.filtered("wfmon_retail_case_id")._wfmon_retail_note_confirmed()
        return response or result

    def _wfmon_retail_note_held(self):
        """Tell the low-stock case its purchase waits for approval."""
        for order in self.filtered("wfmon_retail_case_id"):
            request = order.sudo().wfmon_approval_request_ids[:1]
            order.wfmon_retail_case_id.sudo()._log_batch(
                "note",
                reasons=self.env._(
                    "Replenishment %(order)s waits for approval (%(request)s, %(policy)s).",
                    order=order.name,
                    request=request.name or "",
                    policy=request.policy_id.name or "",
                ),
                automated=True,
            )

    def _wfmon_retail_note_confirmed(self):
        for order in self:
            # sudo: the latest decision on the order, for the case's trail.
            request = order.sudo().wfmon_approval_request_ids[:1]
            how = (
                self.env._("approved within policy (%s)", request.policy_id.name)
                if request and request.state == "approved"
                else self.env._("no approval needed")
            )
            order.wfmon_retail_case_id.sudo()._log_batch(
                "note",
                reasons=self.env._(
                    "Replenishment %(order)s confirmed: %(how)s.", order=order.name, how=how
                ),
                automated=True,
            )

    # ------------------------------------------------------------------
    # Stamps for the late-vendor scanner
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders.filtered(lambda o: o.state == "sent")._wfmon_retail_stamp_sent()
        return orders

    def write(self, vals):
        entering_sent = (
            self.filtered(lambda o: o.state != "sent") if vals.get("state") == "sent" else None
        )
        res = super().write(vals)
        if entering_sent:
            entering_sent._wfmon_retail_stamp_sent()
        if vals.get("state") in ("to approve", "purchase", "done", "cancel"):
            self.env["wfmon.retail.detector"]._resolve(
                "retail.vendor_not_confirming",
                self,
                self.env._("The order was confirmed or cancelled."),
            )
        if vals.get("state") in ("purchase", "done", "cancel") or "date_planned" in vals:
            self._wfmon_retail_schedule()
        return res

    def _wfmon_retail_stamp_sent(self):
        now = fields.Datetime.now()
        self._wfmon_engine().write({"wfmon_retail_sent_date": now})
        self._wfmon_retail_schedule()

    def _wfmon_retail_schedule(self):
        """Set when the late-vendor scanner looks at each order next: the end of
        the vendor's confirmation window for RFQs sent, the end of the receipt
        grace for confirmed orders still to receive, nothing otherwise."""
        self.env["wfmon.retail.detector"]._schedule_vendor_checks(self)

    # ------------------------------------------------------------------
    # Supplier ETA (inbound endpoint)
    # ------------------------------------------------------------------
    def _wfmon_retail_record_eta(self, eta, note=""):
        """Write the supplier's ETA on the order (its lines' expected arrival)
        and its low-stock case; escalate the case when the ETA breaks the
        store's lead-time policy."""
        self.ensure_one()
        open_lines = self.order_line.filtered(
            lambda line: not line.display_type and line.qty_received < line.product_qty
        )
        open_lines.write({"date_planned": eta})
        self._wfmon_engine().write({"wfmon_retail_eta": eta})
        self.message_post(
            body=self.env._("Supplier ETA received: %(eta)s. %(note)s", eta=eta, note=note),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        case = self.sudo().wfmon_retail_case_id
        detector = self.env["wfmon.retail.detector"]
        if case:
            case._log_batch(
                "note",
                reasons=self.env._(
                    "Supplier ETA for %(order)s: %(eta)s.", order=self.name, eta=eta
                ),
                automated=True,
            )
            # sudo: the ETA is the engine's, written on behalf of the supplier.
            case._wfmon_engine().write(
                {
                    "details": (case.details or "")
                    + "\n"
                    + self.env._("Supplier ETA for %(order)s: %(eta)s.", order=self.name, eta=eta)
                }
            )
        self.env["wfmon.publisher"]._publish(
            "retail.supplier_eta_recorded",
            self,
            [
                {
                    "purchase_order": {"id": self.id, "name": self.name},
                    "eta": fields.Datetime.to_string(eta),
                    "case": case.name if case else None,
                }
            ],
        )
        store = self.sudo().wfmon_retail_store_id
        if case and store and case.res_model == "stock.warehouse.orderpoint":
            days = (eta - fields.Datetime.now()).total_seconds() / 86400.0
            if retail_rules.lead_time_exceeded(round(days, 1), store._setting("max_lead_days")):
                rule = self.env["stock.warehouse.orderpoint"].sudo().browse(case.res_id)
                detector._lead_time_escalate(
                    case, rule, round(days, 1), store, source=self.env._("Supplier ETA in")
                )
        return self

    @api.model
    def _cron_wfmon_retail_vendors(self):
        """Late vendors: RFQs sent and not confirmed, receipts overdue."""
        return self.env["wfmon.retail.detector"]._scan_vendors()
