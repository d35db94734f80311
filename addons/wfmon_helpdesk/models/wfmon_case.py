from odoo import api, fields, models
from odoo.exceptions import UserError

from .helpdesk_ticket import _synced, is_synced

#: the ticket a case follows, set by the engine only
TICKET_FIELDS = {"helpdesk_ticket_id", "helpdesk_team_id"}


class WfmonCase(models.Model):
    _inherit = "wfmon.case"

    helpdesk_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Ticket",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Helpdesk Team",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )

    @api.model
    def _wfmon_engine_field_names(self):
        return super()._wfmon_engine_field_names() | TICKET_FIELDS

    def write(self, vals):
        res = super().write(vals)
        if "user_id" in vals and not is_synced(self.env):
            # An escalation step (or a manager) reassigned the case: the ticket
            # follows. sudo: the ticket may be outside the rules of whoever
            # reassigned the case.
            for case in self.filtered("helpdesk_ticket_id"):
                ticket = _synced(case.helpdesk_ticket_id.sudo())
                if ticket.user_id != case.user_id:
                    ticket.write({"user_id": case.user_id.id})
        return res

    def _wfmon_recommendation_accepted(self, recommendations):
        """A person accepted a classifier's category: it goes on the ticket,
        written with that person's own rights (no sudo: who may not edit the
        ticket cannot accept it)."""
        res = super()._wfmon_recommendation_accepted(recommendations)
        for rec in recommendations.filtered(
            lambda r: r.kind == "category" and r.helpdesk_category_id
        ):
            ticket = rec.case_id.helpdesk_ticket_id
            if ticket and ticket.category_id != rec.helpdesk_category_id:
                ticket.write({"category_id": rec.helpdesk_category_id.id})
        return res

    def _wfmon_check_not_ticket(self):
        tied = self.filtered("helpdesk_ticket_id")
        if tied:
            raise UserError(
                self.env._(
                    "Case %(cases)s follows helpdesk ticket %(tickets)s: change the "
                    "ticket's stage instead.",
                    cases=", ".join(tied.mapped("name")),
                    tickets=", ".join(tied.sudo().helpdesk_ticket_id.mapped("number")),
                )
            )

    # The state of a ticket's case follows the ticket's stage: its own buttons
    # would leave the two apart.
    def action_start(self):
        self._wfmon_check_not_ticket()
        return super().action_start()

    def action_wait(self):
        self._wfmon_check_not_ticket()
        return super().action_wait()

    def action_resume(self):
        self._wfmon_check_not_ticket()
        return super().action_resume()

    def action_resolve(self):
        self._wfmon_check_not_ticket()
        return super().action_resolve()

    def action_cancel(self):
        self._wfmon_check_not_ticket()
        return super().action_cancel()

    def action_reopen(self):
        self._wfmon_check_not_ticket()
        return super().action_reopen()

    def action_view_helpdesk_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.helpdesk_ticket_id.id,
            "view_mode": "form",
            "target": "current",
        }
