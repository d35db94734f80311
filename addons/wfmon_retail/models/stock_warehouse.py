from odoo import api, fields, models


class StockWarehouse(models.Model):
    """The warehouse <-> monitoring site link, and the warehouse's store.

    The link (``wfmon_site_id``, ``_wfmon_ensure_site``) is the same field and
    method as wfmon_distribution's, declared here too because retail and
    distribution never import each other and core does not depend on ``stock``.
    With both installed they are one column and one behaviour (a site is found by
    warehouse code and company, else created). It belongs in a shared stock
    bridge module; when one exists, this part moves there.
    """

    _inherit = "stock.warehouse"

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        string="Monitoring Site",
        index=True,
        ondelete="restrict",
        copy=False,
        help="The Operations Monitor site of this warehouse: its cases carry it, its "
        "manager supervises them and its staff see them.",
    )
    wfmon_retail_store_ids = fields.One2many(
        "wfmon.retail.store", "warehouse_id", string="Retail Store", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        warehouses = super().create(vals_list)
        warehouses._wfmon_ensure_site()
        return warehouses

    def write(self, vals):
        res = super().write(vals)
        if "name" in vals:
            for warehouse in self.filtered("wfmon_site_id"):
                # sudo: the site mirrors its warehouse; inventory managers edit
                # warehouses without being monitoring administrators.
                warehouse.wfmon_site_id.sudo().name = warehouse.name
        return res

    def _wfmon_ensure_site(self):
        """Link each warehouse without a site to one (same code and company when
        it exists, else a new warehouse site)."""
        missing = self.filtered(lambda wh: not wh.wfmon_site_id)
        if not missing:
            return
        # sudo: sites are monitoring configuration; creating a warehouse (an
        # inventory manager's job) must give it its site.
        Site = self.env["wfmon.site"].sudo().with_context(active_test=False)
        existing = Site.search(
            [("code", "in", missing.mapped("code")), ("company_id", "in", missing.company_id.ids)]
        )
        by_key = {(site.code, site.company_id.id): site for site in existing}
        to_create = missing.filtered(lambda wh: (wh.code, wh.company_id.id) not in by_key)
        created = Site.create(
            [
                {
                    "name": wh.name,
                    "code": wh.code,
                    "kind": "warehouse",
                    "company_id": wh.company_id.id,
                }
                for wh in to_create
            ]
        )
        by_key.update({(site.code, site.company_id.id): site for site in created})
        for warehouse in missing:
            # sudo: see above (the field is written by the engine, not the user).
            warehouse.sudo().wfmon_site_id = by_key[(warehouse.code, warehouse.company_id.id)]

    def _wfmon_retail_store(self):
        """The retail store of this warehouse (empty when it is not a store)."""
        self.ensure_one()
        # sudo: store configuration is read by the detectors of whoever acts.
        return self.sudo().wfmon_retail_store_ids[:1]
