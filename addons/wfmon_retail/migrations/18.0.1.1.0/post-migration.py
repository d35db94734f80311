"""The low-stock scanner's watermark moved from the system parameter
``wfmon_retail.low_stock.since`` into its scanner mark (``wfmon.scan.mark``):
writing a system parameter clears the registry caches of every worker, and the
watermark moves on every run."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["stock.warehouse.orderpoint"]._wfmon_retail_adopt_since_parameter()
