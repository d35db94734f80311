from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class StockWarehouse(models.Model):
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

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("wfmon_site_id") for vals in vals_list):
            self._wfmon_check_site_change()
        warehouses = super().create(vals_list)
        warehouses._wfmon_ensure_site()
        return warehouses

    def write(self, vals):
        if "wfmon_site_id" in vals and any(
            wh.wfmon_site_id.id != (vals["wfmon_site_id"] or False) for wh in self
        ):
            self._wfmon_check_site_change()
        res = super().write(vals)
        if "name" in vals:
            for warehouse in self.filtered("wfmon_site_id"):
                # sudo: the site mirrors its warehouse; inventory managers edit
                # warehouses without being monitoring administrators.
                warehouse.wfmon_site_id.sudo().name = warehouse.name
        return res

    def _wfmon_check_site_change(self):
        """A warehouse's site is monitoring configuration (whose cases its staff
        see, who supervises them): an Operations Monitor administrator's
        decision, not an inventory manager's. The suite's own code links sites
        as superuser (``env.su``, set by server code only, never by a client)."""
        if self.env.su or self.env.user.has_group("wfmon_core.group_wfmon_admin"):
            return
        raise AccessError(
            _(
                "Only Operations Monitor administrators may change the monitoring site "
                "of a warehouse."
            )
        )

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

    def _wfmon_site_map(self):
        """``{warehouse id: site id}`` of these warehouses, creating missing
        sites: what a detector passes as the ``site`` of the cases it raises on
        documents of these warehouses."""
        self._wfmon_ensure_site()
        return {wh.id: wh.wfmon_site_id.id for wh in self}
