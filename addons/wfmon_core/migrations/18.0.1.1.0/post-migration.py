"""The scanners' id cursors moved from system parameters (``*.scan_cursor.*``)
into their scanner marks (``wfmon.scan.mark``): writing a system parameter
clears the registry caches of every worker, and a cursor moves on every call
of a pass. A pass in progress goes on where it was."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["wfmon.scan.mark"]._adopt_system_parameters()
