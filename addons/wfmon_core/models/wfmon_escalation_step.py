from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.escalation import StepSpec
from .lookup_cache import SLA_POLICIES


class WfmonEscalationStep(models.Model):
    _name = "wfmon.escalation.step"
    # The policies' targets and steps are kept in the registry's cache
    # (wfmon.sla.policy._wfmon_plan_specs): every change clears it.
    _inherit = ["wfmon.lookup.source"]
    _wfmon_lookups = (SLA_POLICIES,)
    _description = "Escalation Step"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one("wfmon.sla.policy", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    clock = fields.Selection(
        [("response", "Response"), ("resolution", "Resolution")],
        default="resolution",
        required=True,
    )
    trigger = fields.Selection(
        [("ratio", "Share of the deadline"), ("breach", "Hours after breach")],
        default="ratio",
        required=True,
    )
    ratio_percent = fields.Float(
        string="At % of Deadline", default=50.0, help="e.g. 50 fires halfway to the deadline."
    )
    breach_hours = fields.Float(
        string="Hours after Breach", help="Working hours after the deadline; 0 fires at breach."
    )
    action = fields.Selection(
        [
            ("notify", "Notify"),
            ("reassign_lead", "Reassign to the team lead"),
            ("reassign_user", "Reassign to a named user"),
            ("raise_severity", "Raise severity"),
            ("activity", "Schedule an activity"),
            ("event", "Emit an event"),
        ],
        default="notify",
        required=True,
    )
    target = fields.Selection(
        [
            ("owner", "Case owner"),
            ("lead", "Team lead"),
            ("escalation", "Team escalation contact"),
            ("user", "Named user"),
        ],
        default="lead",
        help="Who is notified or gets the activity.",
    )
    user_id = fields.Many2one("res.users", string="Named User")
    activity_type_id = fields.Many2one("mail.activity.type")
    event_type = fields.Char(
        default="case.escalated", help="Event type published by 'Emit an event'."
    )
    message = fields.Text(translate=True, help="Text of the notification or activity.")

    @api.constrains("action", "target", "user_id", "ratio_percent", "breach_hours", "trigger")
    def _check_step(self):
        for step in self:
            if (step.action == "reassign_user" or step.target == "user") and not step.user_id:
                raise ValidationError(self.env._("Step %s needs a named user.", step.name))
            if step.trigger == "ratio" and not 0 < step.ratio_percent <= 100:
                raise ValidationError(
                    self.env._("Step %s: the percentage must be in ]0, 100].", step.name)
                )
            if step.trigger == "breach" and step.breach_hours < 0:
                raise ValidationError(
                    self.env._("Step %s: hours after breach cannot be negative.", step.name)
                )

    def _specs(self):
        """These steps as ``tools.escalation.StepSpec``, in ladder order."""
        return [
            StepSpec(
                key=step.id,
                trigger=step.trigger,
                value=step.ratio_percent / 100 if step.trigger == "ratio" else step.breach_hours,
                deadline=step.clock,
            )
            for step in self
        ]
