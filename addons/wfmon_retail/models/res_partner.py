from odoo import fields, models

SUPPLIER_TIERS = [
    ("strategic", "Strategic"),
    ("preferred", "Preferred"),
    ("standard", "Standard"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    wfmon_supplier_tier = fields.Selection(
        SUPPLIER_TIERS,
        string="Supplier Tier",
        help="How a late or silent vendor escalates: a strategic vendor's cases start "
        "higher and go to the buyer's lead sooner.",
    )
