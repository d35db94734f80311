from odoo import fields, models

#: what a ticket stage means for the ticket's case
CASE_STATES = [
    ("new", "Not started"),
    ("in_progress", "In progress"),
    ("waiting", "Waiting on the customer (SLA paused)"),
    ("resolved", "Resolved"),
    ("cancelled", "Cancelled"),
]


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    wfmon_case_state = fields.Selection(
        CASE_STATES,
        string="Case State",
        help="State the ticket's case takes when the ticket enters this stage. "
        "Waiting pauses the SLA clock when the case's SLA policy says so; Resolved "
        "needs the ticket's root cause. Empty: the case is left as it is.",
    )
