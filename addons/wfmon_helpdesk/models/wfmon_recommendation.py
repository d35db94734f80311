from odoo import api, fields, models
from odoo.exceptions import AccessError

from .helpdesk_ticket import is_synced


class WfmonRecommendation(models.Model):
    """A classifier's category for a ticket is a recommendation like any other:
    stored apart, with its source and confidence. Accepting it records the
    decision only; the ticket's "Accept" button sets the category with the
    agent's own rights and then accepts the recommendation."""

    _inherit = "wfmon.recommendation"

    helpdesk_category_id = fields.Many2one(
        "helpdesk.ticket.category",
        string="Proposed Category",
        readonly=True,
        ondelete="set null",
    )
    helpdesk_ticket_id = fields.Many2one(related="case_id.helpdesk_ticket_id", string="Ticket")

    @api.model_create_multi
    def create(self, vals_list):
        if any("helpdesk_category_id" in vals for vals in vals_list) and not is_synced(self.env):
            raise AccessError(self.env._("The proposed category is the classifier's, as sent."))
        return super().create(vals_list)

    def write(self, vals):
        if "helpdesk_category_id" in vals and not is_synced(self.env):
            raise AccessError(self.env._("The proposed category is the classifier's, as sent."))
        return super().write(vals)
