from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    wfmon_approval_deadline_hours = fields.Float(
        related="company_id.wfmon_approval_deadline_hours", readonly=False
    )
    wfmon_approval_remind_ratio = fields.Float(
        related="company_id.wfmon_approval_remind_ratio", readonly=False
    )
