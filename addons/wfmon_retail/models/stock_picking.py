from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools.retail_rules import over_threshold, transfer_threshold
from .retail_value import cost_value

TRANSFER = "retail.interstore_transfer"


class StockPicking(models.Model):
    """A transfer between two stores' warehouses waits for the approval matrix
    before it is confirmed, when it is worth more than the stricter threshold of
    the two stores; a flagship store on either side is a scope of its own.

    ``action_confirm`` is the guarded action; ``button_validate`` of a draft
    transfer (which confirms it first) is held the same way. Transfers through a
    transit location (resupply routes) are created confirmed by procurement and
    are not held here.
    """

    _name = "stock.picking"
    _inherit = ["stock.picking", "wfmon.approval.mixin"]
    _wfmon_guarded_actions = {"action_confirm": "Mark as To Do"}
    _wfmon_approval_site_field = "wfmon_site_id"
    _wfmon_approval_snapshot_fields = ("location_id", "location_dest_id", "wfmon_approval_holds")
    _wfmon_guarded_states = {
        "action_confirm": ("state", ("waiting", "confirmed", "assigned", "done"))
    }

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        related="location_id.warehouse_id.wfmon_site_id",
        string="Monitoring Site",
    )
    wfmon_retail_store_id = fields.Many2one(
        "wfmon.retail.store",
        compute="_compute_wfmon_retail_stores",
        string="Source Store",
    )
    wfmon_retail_dest_store_id = fields.Many2one(
        "wfmon.retail.store",
        compute="_compute_wfmon_retail_stores",
        string="Destination Store",
    )
    wfmon_retail_value = fields.Monetary(
        string="Transfer Value",
        compute="_compute_wfmon_retail_value",
        currency_field="wfmon_retail_currency_id",
        help="Demanded quantities at product cost.",
    )
    wfmon_retail_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )

    def _compute_wfmon_retail_stores(self):
        stores = self.env["wfmon.retail.store"]._by_warehouse(
            self.location_id.warehouse_id | self.location_dest_id.warehouse_id
        )
        for picking in self:
            picking.wfmon_retail_store_id = stores.get(picking.location_id.warehouse_id.id)
            picking.wfmon_retail_dest_store_id = stores.get(
                picking.location_dest_id.warehouse_id.id
            )

    def _compute_wfmon_retail_value(self):
        for picking in self:
            company = picking.company_id or self.env.company
            picking.wfmon_retail_value = sum(
                cost_value(move.product_id, move.product_uom_qty, move.product_uom, company)
                for move in picking.move_ids
                if move.state != "cancel"
            )

    def _wfmon_retail_transfers(self):
        """``{picking id: set of holds}`` of the draft transfers between two
        stores worth more than the stricter threshold of the two."""
        drafts = self.filtered(
            lambda p: (
                isinstance(p.id, int)
                and p.state == "draft"
                and p.location_id.warehouse_id
                and p.location_dest_id.warehouse_id
                and p.location_id.warehouse_id != p.location_dest_id.warehouse_id
            )
        )
        result = {}
        if not drafts:
            return result
        for picking in drafts:
            source, dest = picking.wfmon_retail_store_id, picking.wfmon_retail_dest_store_id
            if not (source and dest):
                continue
            threshold = transfer_threshold(
                source._setting("transfer_threshold"), dest._setting("transfer_threshold")
            )
            if not over_threshold(picking.wfmon_retail_value, threshold):
                continue
            holds = {"retail_transfer"}
            if "flagship" in (source.store_type, dest.store_type):
                holds.add("retail_flagship")
            result[picking.id] = holds
        return result

    def _wfmon_approval_hold_names(self):
        holds = super()._wfmon_approval_hold_names()
        for picking_id, names in self._wfmon_retail_transfers().items():
            holds.setdefault(picking_id, set()).update(names)
        return holds

    def _wfmon_approval_applicable(self, action_name):
        if action_name != "action_confirm" or detectors_off(self.env):
            return self.browse()
        return self.filtered(lambda p: p.state == "draft")

    def action_confirm(self):
        if detectors_off(self.env):
            passed = self._wfmon_passed(self, "action_confirm")
            return super(StockPicking, passed).action_confirm()
        self.invalidate_recordset(["wfmon_approval_holds"])
        allowed, response = self._wfmon_approval_guard("action_confirm")
        held = self - allowed
        transfers = held._wfmon_retail_transfers()
        released = allowed._wfmon_approval_consumed("action_confirm")
        result = super(StockPicking, allowed).action_confirm() if allowed else True
        detector = self.env["wfmon.retail.detector"]
        detector._transfer_held(held.filtered(lambda p: p.id in transfers))
        if released:
            detector._resolve_released(TRANSFER, self.browse(list(released)), released)
        return response or result

    def button_validate(self):
        """Validating a draft confirms it first: a draft the matrix holds goes
        through the guard of ``action_confirm`` here (the others are left to
        Odoo's own flow, untouched)."""
        drafts = self.filtered(lambda p: p.state == "draft")
        held = (
            drafts._wfmon_approval_guarded("action_confirm")
            if drafts and not detectors_off(self.env)
            else drafts
        )
        if not held:
            return super().button_validate()
        self.invalidate_recordset(["wfmon_approval_holds"])
        allowed, response = held._wfmon_approval_guard("action_confirm")
        waiting = held - allowed
        if waiting:
            self.env["wfmon.retail.detector"]._transfer_held(
                waiting.filtered(lambda p: p.id in waiting._wfmon_retail_transfers())
            )
            if response:
                return response
            raise UserError(
                self.env._(
                    "%s waits for approval before it can be validated.",
                    ", ".join(waiting.mapped("name")),
                )
            )
        # The records the guard let through carry its verdict into Odoo's flow.
        return super(StockPicking, self.with_env(allowed.env)).button_validate()
