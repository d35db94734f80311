from odoo import fields, models


class WfmonCaseType(models.Model):
    _inherit = "wfmon.case.type"

    domain = fields.Selection(
        selection_add=[("helpdesk", "Customer Service")], ondelete={"helpdesk": "set default"}
    )
