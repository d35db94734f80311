from odoo import fields, models


class PosConfig(models.Model):
    _inherit = "pos.config"

    wfmon_retail_store_id = fields.Many2one(
        "wfmon.retail.store",
        compute="_compute_wfmon_retail_store_id",
        string="Retail Store",
        help="The store whose warehouse this shop sells from.",
    )

    def _compute_wfmon_retail_store_id(self):
        stores = self.env["wfmon.retail.store"]._by_warehouse(self.picking_type_id.warehouse_id)
        for config in self:
            config.wfmon_retail_store_id = stores.get(config.picking_type_id.warehouse_id.id)
