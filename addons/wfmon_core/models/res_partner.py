from odoo import fields, models

TIERS = [
    ("standard", "Standard"),
    ("silver", "Silver"),
    ("gold", "Gold"),
    ("strategic", "Strategic"),
]
#: lowest first, as the priority score ranks them
TIER_ORDER = tuple(code for code, _label in TIERS)


class ResPartner(models.Model):
    _inherit = "res.partner"

    wfmon_tier = fields.Selection(
        TIERS,
        string="Customer Tier",
        help="Weighs in the priority score of the cases about this customer's documents "
        "(set on the company; its contacts follow).",
    )

    def _commercial_fields(self):
        return super()._commercial_fields() + ["wfmon_tier"]
