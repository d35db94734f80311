from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.approval_matrix import Delegation


class WfmonApprovalDelegation(models.Model):
    """An approver is away: a substitute decides in their place meanwhile."""

    _name = "wfmon.approval.delegation"
    _description = "Approval Delegation"
    _order = "date_from desc, id desc"

    user_id = fields.Many2one(
        "res.users",
        string="Absent Approver",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        ondelete="cascade",
    )
    substitute_id = fields.Many2one(
        "res.users",
        string="Substitute",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("share", "=", False)],
    )
    date_from = fields.Date(required=True, default=fields.Date.context_today)
    date_to = fields.Date(required=True)
    active = fields.Boolean(default=True)
    note = fields.Char()

    @api.depends("user_id", "substitute_id")
    def _compute_display_name(self):
        for deleg in self:
            deleg.display_name = self.env._(
                "%(user)s → %(substitute)s",
                user=deleg.user_id.name or "",
                substitute=deleg.substitute_id.name or "",
            )

    @api.constrains("user_id", "substitute_id", "date_from", "date_to")
    def _check_dates(self):
        for deleg in self:
            if deleg.user_id == deleg.substitute_id:
                raise ValidationError(self.env._("Nobody delegates to themselves."))
            if deleg.date_to < deleg.date_from:
                raise ValidationError(self.env._("The absence ends before it starts."))

    @api.model
    def _active_specs(self, day):
        """Delegations covering ``day`` as plain value objects (one query)."""
        # sudo: routing follows every delegation, whoever created it. Archived
        # ones never count, whatever the caller's context says (active_test).
        delegations = (
            self.sudo()
            .with_context(active_test=True)
            .search_fetch(
                [("date_from", "<=", day), ("date_to", ">=", day)],
                ["user_id", "substitute_id", "date_from", "date_to"],
            )
        )
        return [
            Delegation(d.user_id.id, d.substitute_id.id, d.date_from, d.date_to)
            for d in delegations
        ]
