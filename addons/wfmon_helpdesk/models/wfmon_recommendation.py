from odoo import fields, models


class WfmonRecommendation(models.Model):
    """A classifier's category for a ticket is a recommendation like any other
    (kind "category"): stored apart, with its source and confidence, engine-only
    like every field of a recommendation. When a person accepts it, the ticket's
    case applies the category with that person's rights
    (``wfmon.case._wfmon_recommendation_accepted``)."""

    _inherit = "wfmon.recommendation"

    helpdesk_category_id = fields.Many2one(
        "helpdesk.ticket.category",
        string="Proposed Category",
        readonly=True,
        ondelete="set null",
    )
    helpdesk_ticket_id = fields.Many2one(related="case_id.helpdesk_ticket_id", string="Ticket")
