from odoo import fields, models

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off

from ..tools.retail_rules import over_threshold
from .retail_value import cost_value

WRITEOFF = "retail.stock_writeoff"


class StockScrap(models.Model):
    """A scrap at a store above its write-off threshold waits for the approval
    matrix before it is done (``do_scrap``, which ``action_validate`` and the
    insufficient-quantity wizard call)."""

    _name = "stock.scrap"
    _inherit = ["stock.scrap", "wfmon.approval.mixin"]
    _wfmon_guarded_actions = {"do_scrap": "Scrap"}
    _wfmon_approval_site_field = "wfmon_site_id"
    _wfmon_approval_snapshot_fields = ("product_id", "scrap_qty", "location_id")
    _wfmon_guarded_states = {"do_scrap": ("state", ("done",))}

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        related="location_id.warehouse_id.wfmon_site_id",
        string="Monitoring Site",
    )
    wfmon_retail_store_id = fields.Many2one(
        "wfmon.retail.store", compute="_compute_wfmon_retail_store_id", string="Retail Store"
    )
    wfmon_retail_value = fields.Monetary(
        string="Scrap Value",
        compute="_compute_wfmon_retail_value",
        currency_field="wfmon_retail_currency_id",
        help="Scrapped quantity at product cost.",
    )
    wfmon_retail_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )

    def _compute_wfmon_retail_store_id(self):
        warehouses = self.location_id.warehouse_id
        stores = self.env["wfmon.retail.store"]._by_warehouse(warehouses)
        for scrap in self:
            scrap.wfmon_retail_store_id = stores.get(scrap.location_id.warehouse_id.id)

    def _compute_wfmon_retail_value(self):
        for scrap in self:
            scrap.wfmon_retail_value = cost_value(
                scrap.product_id,
                scrap.scrap_qty,
                scrap.product_uom_id,
                scrap.company_id or self.env.company,
            )

    def _wfmon_approval_hold_names(self):
        """A draft scrap at a store worth more than its threshold holds
        ``retail_writeoff``."""
        holds = super()._wfmon_approval_hold_names()
        for scrap in self._wfmon_retail_writeoffs():
            holds.setdefault(scrap.id, set()).add("retail_writeoff")
        return holds

    def _wfmon_retail_writeoffs(self):
        drafts = self.filtered(lambda s: isinstance(s.id, int) and s.state == "draft")
        if not drafts:
            return drafts
        stores = self.env["wfmon.retail.store"]._by_warehouse(drafts.location_id.warehouse_id)
        return drafts.filtered(
            lambda s: (
                s.location_id.warehouse_id.id in stores
                and over_threshold(
                    s.wfmon_retail_value,
                    stores[s.location_id.warehouse_id.id]._setting("adjustment_threshold"),
                )
            )
        )

    def _wfmon_approval_applicable(self, action_name):
        if action_name != "do_scrap" or detectors_off(self.env):
            return self.browse()
        return self.filtered(lambda s: s.state == "draft")

    def do_scrap(self):
        if detectors_off(self.env):
            passed = self._wfmon_passed(self, "do_scrap")
            return super(StockScrap, passed).do_scrap()
        self.invalidate_recordset(["wfmon_approval_holds"])
        allowed, response = self._wfmon_approval_guard("do_scrap")
        writeoffs = (self - allowed)._wfmon_retail_writeoffs()
        released = allowed._wfmon_approval_consumed("do_scrap")
        result = super(StockScrap, allowed).do_scrap() if allowed else True
        self.env["wfmon.retail.detector"]._writeoff_held(writeoffs, "stock.scrap")
        if released:
            self.env["wfmon.retail.detector"]._resolve_released(
                WRITEOFF, self.browse(list(released)), released
            )
        return response or result
