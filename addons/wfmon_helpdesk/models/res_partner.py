from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        string="Home Store",
        domain="[('kind', '=', 'store')]",
        groups="base.group_user",
        help="The store serving this customer: their helpdesk tickets go to the team "
        "serving this store (or its region).",
    )
