from odoo import fields, models


class WfmonRetailRegion(models.Model):
    """A region of stores and its regional manager.

    The regional manager is a role: approval levels name it by the field path
    ``wfmon_retail_store_id.regional_manager_id`` of a document, and escalation
    steps by the target *Store's regional manager*.
    """

    _name = "wfmon.retail.region"
    _description = "Retail Region"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    manager_id = fields.Many2one(
        "res.users",
        string="Regional Manager",
        domain=[("share", "=", False)],
        help="Approves and receives escalations for the stores of the region where a "
        "policy or an escalation step names the regional manager.",
    )
    store_ids = fields.One2many("wfmon.retail.store", "region_id", string="Stores")
