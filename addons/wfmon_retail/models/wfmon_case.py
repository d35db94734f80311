from odoo import fields, models


class WfmonCase(models.Model):
    _inherit = "wfmon.case"

    wfmon_retail_store_id = fields.Many2one(
        "wfmon.retail.store",
        compute="_compute_wfmon_retail_store_id",
        string="Retail Store",
    )
    wfmon_retail_substitution_ids = fields.One2many(
        "wfmon.retail.substitution", "case_id", string="Substitute Requests", readonly=True
    )

    def _compute_wfmon_retail_store_id(self):
        stores = self.env["wfmon.retail.store"]._by_site(self.site_id)
        for case in self:
            case.wfmon_retail_store_id = stores.get(case.site_id.id)

    def _step_target(self, step):
        """Escalation steps may name the store's manager or regional manager."""
        if step.target in ("retail_store_manager", "retail_regional_manager"):
            self.ensure_one()
            store = self.wfmon_retail_store_id
            user = (
                store.manager_id
                if step.target == "retail_store_manager"
                else store.regional_manager_id
            )
            return user or self.team_id.lead_id
        return super()._step_target(step)
