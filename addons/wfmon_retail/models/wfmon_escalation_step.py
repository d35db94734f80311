from odoo import fields, models


class WfmonEscalationStep(models.Model):
    _inherit = "wfmon.escalation.step"

    target = fields.Selection(
        selection_add=[
            ("retail_store_manager", "Store manager"),
            ("retail_regional_manager", "Store's regional manager"),
        ],
        ondelete={"retail_store_manager": "set default", "retail_regional_manager": "set default"},
    )
