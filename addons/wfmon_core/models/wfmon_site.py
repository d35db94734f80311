from odoo import fields, models

from .lookup_cache import ROUTING


class WfmonSite(models.Model):
    """A store, warehouse or office the monitored work happens at.

    Core has no dependency on ``stock`` or ``point_of_sale``: the retail and
    distribution modules link their warehouses and shops to a site, so that
    record rules ("a user sees the cases of their own stores") work the same
    way everywhere, including in the helpdesk bridge.
    """

    _name = "wfmon.site"
    # The routing table of the detection API (wfmon.case._wfmon_routing_rows)
    # holds the teams of each active site: a site's teams or archiving change it.
    _inherit = ["wfmon.lookup.source"]
    _wfmon_lookups = (ROUTING,)
    _wfmon_lookup_fields = frozenset({"team_ids", "active"})
    _description = "Store / Warehouse"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short code shown on cases, e.g. the store number.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(
        [("store", "Store"), ("warehouse", "Warehouse"), ("office", "Office")],
        default="store",
        required=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    region = fields.Char(help="Region used for reporting and regional escalation.")
    manager_id = fields.Many2one("res.users", string="Manager", help="Store or warehouse manager.")
    user_ids = fields.Many2many(
        "res.users",
        "wfmon_site_res_users_rel",
        "site_id",
        "user_id",
        string="Staff",
        help="People working at this site: they see its cases.",
    )
    team_ids = fields.Many2many(
        "wfmon.team",
        "wfmon_team_site_rel",
        "site_id",
        "team_id",
        string="Teams",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "The site code must be unique per company.",
        ),
    ]

    def _compute_display_name(self):
        for site in self:
            site.display_name = f"[{site.code}] {site.name}" if site.code else site.name
