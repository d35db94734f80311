from odoo import api, models


class WfmonRetailDetector(models.AbstractModel):
    """Core's detector (``wfmon.detector``) for the retail scenarios.

    Everything is core's (``_detect``, ``_resolve``, ``_scan``); this adds the
    store lookups the retail detectors share and keeps the scanners' cursors
    under ``wfmon_retail.scan_cursor.*``.
    """

    _name = "wfmon.retail.detector"
    _inherit = "wfmon.detector"
    _description = "Operations Monitor: retail detectors"
    _scan_prefix = "wfmon_retail"

    @api.model
    def _sites(self, warehouses):
        """``{warehouse id: site id}``, creating missing sites."""
        warehouses._wfmon_ensure_site()
        return {wh.id: wh.wfmon_site_id.id for wh in warehouses}

    @api.model
    def _stores(self, warehouses):
        """``{warehouse id: wfmon.retail.store}`` of the warehouses that are stores."""
        return self.env["wfmon.retail.store"]._by_warehouse(warehouses)
