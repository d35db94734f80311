from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    wfmon_approval_deadline_hours = fields.Float(
        string="Approval Deadline (working h)",
        default=8.0,
        help="Working hours each approval level has to decide, proposed on new policies.",
    )
    wfmon_approval_remind_ratio = fields.Float(
        string="Approval Reminder Ratio",
        default=0.5,
        help="Share of the deadline after which approvers are reminded, proposed on new policies.",
    )
