from odoo import fields, models

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools.retail_rules import over_threshold
from .retail_value import cost_value

WRITEOFF = "retail.stock_writeoff"


class StockQuant(models.Model):
    """An inventory adjustment at a store above its write-off threshold waits
    for the approval matrix before it is applied.

    ``action_apply_inventory`` (the button, and the wizards that call it) asks
    for the approval and returns the notice; ``_apply_inventory`` (the funnel
    every other path reaches: conflict and tracking wizards, auto-apply writes)
    refuses quants the matrix holds unless the guard let them through. Quants
    have no state: the guarded "transition" is the auto-apply write
    (``inventory_quantity_auto_apply``), refused for held quants.
    """

    _name = "stock.quant"
    _inherit = ["stock.quant", "wfmon.approval.mixin"]
    _wfmon_guarded_actions = {"action_apply_inventory": "Apply"}
    _wfmon_approval_site_field = "wfmon_site_id"
    _wfmon_approval_snapshot_fields = ("inventory_quantity", "wfmon_approval_holds")
    # No state: the outcome is a stock move. Declared so that the suite sees the
    # action closed; the real check is _wfmon_guarded_transitions below.
    _wfmon_guarded_states = {"action_apply_inventory": ("inventory_quantity_auto_apply", ())}

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        related="warehouse_id.wfmon_site_id",
        string="Monitoring Site",
    )
    wfmon_retail_store_id = fields.Many2one(
        "wfmon.retail.store", compute="_compute_wfmon_retail_store_id", string="Retail Store"
    )
    wfmon_retail_value = fields.Monetary(
        string="Adjustment Value",
        compute="_compute_wfmon_retail_value",
        currency_field="wfmon_retail_currency_id",
        help="Counted minus on-hand quantity, at product cost.",
    )
    wfmon_retail_abs_value = fields.Monetary(
        string="Adjustment Value (absolute)",
        compute="_compute_wfmon_retail_value",
        currency_field="wfmon_retail_currency_id",
    )
    wfmon_retail_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )

    def _compute_wfmon_retail_store_id(self):
        stores = self.env["wfmon.retail.store"]._by_warehouse(self.warehouse_id)
        for quant in self:
            quant.wfmon_retail_store_id = stores.get(quant.warehouse_id.id)

    def _compute_wfmon_retail_value(self):
        for quant in self:
            value = (
                cost_value(
                    quant.product_id,
                    quant.inventory_diff_quantity,
                    None,
                    quant.company_id or self.env.company,
                )
                if quant.inventory_quantity_set
                else 0.0
            )
            quant.wfmon_retail_value = value
            quant.wfmon_retail_abs_value = abs(value)

    # ------------------------------------------------------------------
    # Approval hooks
    # ------------------------------------------------------------------
    def _wfmon_approval_hold_names(self):
        """A counted quant at a store, worth more than its threshold, holds
        ``retail_writeoff``."""
        holds = super()._wfmon_approval_hold_names()
        for quant in self._wfmon_retail_writeoffs():
            holds.setdefault(quant.id, set()).add("retail_writeoff")
        return holds

    def _wfmon_retail_writeoffs(self):
        counted = self.filtered(lambda q: isinstance(q.id, int) and q.inventory_quantity_set)
        if not counted:
            return counted
        stores = self.env["wfmon.retail.store"]._by_warehouse(counted.warehouse_id)
        return counted.filtered(
            lambda q: (
                q.warehouse_id.id in stores
                and over_threshold(
                    q.wfmon_retail_value, stores[q.warehouse_id.id]._setting("adjustment_threshold")
                )
            )
        )

    def _wfmon_approval_applicable(self, action_name):
        if action_name != "action_apply_inventory" or detectors_off(self.env):
            return self.browse()
        return self.filtered("inventory_quantity_set")

    def _wfmon_guarded_transitions(self, vals):
        result = super()._wfmon_guarded_transitions(vals)
        if "inventory_quantity_auto_apply" in vals:
            result["action_apply_inventory"] = self
        return result

    # ------------------------------------------------------------------
    # The guarded action
    # ------------------------------------------------------------------
    def action_apply_inventory(self):
        if detectors_off(self.env):
            passed = self._wfmon_passed(self, "action_apply_inventory")
            return super(StockQuant, passed).action_apply_inventory()
        self.invalidate_recordset(["wfmon_approval_holds"])
        allowed, response = self._wfmon_approval_guard("action_apply_inventory")
        held = self - allowed
        writeoffs = held._wfmon_retail_writeoffs()
        released = allowed._wfmon_approval_consumed("action_apply_inventory")
        result = super(StockQuant, allowed).action_apply_inventory() if allowed else None
        self.env["wfmon.retail.detector"]._writeoff_held(writeoffs, "stock.quant")
        if released:
            self.env["wfmon.retail.detector"]._resolve_released(
                WRITEOFF, self.browse(list(released)), released
            )
        return response or result

    def _apply_inventory(self):
        self._wfmon_approval_require_passed("action_apply_inventory")
        return super()._apply_inventory()
