from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.wfmon_core.models.wfmon_engine_mixin import ALL_FIELDS

DECISIONS = [
    ("submit", "Requested"),
    ("approve", "Approved"),
    ("reject", "Rejected"),
    ("auto", "Auto-approved"),
    ("cancel", "Cancelled"),
    ("expire", "Expired"),
    ("remind", "Reminded"),
    ("escalate", "Escalated"),
    ("resume", "Action resumed"),
]


class WfmonApprovalDecision(models.Model):
    """Append-only audit trail of an approval request: who decided what, when,
    why, and on whose behalf. Nobody writes or deletes a line through the ORM,
    administrators and ``sudo()`` included; the engine creates them."""

    _name = "wfmon.approval.decision"
    _inherit = ["wfmon.engine.mixin"]
    _description = "Approval Decision"
    _order = "date desc, id desc"
    _rec_name = "decision"
    # Created by the approval engine only, every value given (wfmon.engine.mixin).
    _wfmon_engine_fields = ALL_FIELDS
    _wfmon_engine_create = True

    request_id = fields.Many2one(
        "wfmon.approval.request", required=True, ondelete="cascade", index=True, readonly=True
    )
    policy_id = fields.Many2one(
        related="request_id.policy_id", store=True, index=True, precompute=True
    )
    company_id = fields.Many2one(
        related="request_id.company_id", store=True, index=True, precompute=True
    )
    level_id = fields.Many2one("wfmon.approval.level", readonly=True, ondelete="set null")
    level_sequence = fields.Integer(string="Level No.", readonly=True, aggregator=False)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", required=True, default=lambda self: self.env.uid, readonly=True
    )
    on_behalf_of_id = fields.Many2one(
        "res.users",
        string="On Behalf Of",
        readonly=True,
        help="The absent approver the substitute decided for.",
    )
    decision = fields.Selection(DECISIONS, required=True, readonly=True)
    reason = fields.Text(readonly=True)
    automated = fields.Boolean(readonly=True)
    duration_hours = fields.Float(
        string="Turnaround (h)",
        readonly=True,
        aggregator="avg",
        help="Hours between the start of the level and this decision.",
    )
    working_hours = fields.Float(
        string="Turnaround (working h)",
        readonly=True,
        aggregator="avg",
        help="Working hours between the start of the level and this decision.",
    )

    def write(self, vals):
        if vals:
            raise AccessError(self.env._("Approval decisions cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("Approval decisions cannot be deleted."))
