from odoo import fields, models


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    wfmon_case_type_id = fields.Many2one(
        "wfmon.case.type",
        string="Case Type",
        domain="[('domain', '=', 'helpdesk')]",
        help="Type of the case a ticket of this category opens (its SLA policy, team "
        "and playbook). Empty: the parent category's, else Customer complaint.",
    )

    def _wfmon_case_type(self):
        """The case type of the category, inherited down the category tree."""
        self.ensure_one()
        category = self
        while category:
            if category.wfmon_case_type_id:
                return category.wfmon_case_type_id
            category = category.parent_id
        return self.env["wfmon.case.type"]
