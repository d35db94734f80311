from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from .lookup_cache import SLA_POLICIES, lookup_cached


class WfmonSlaPolicy(models.Model):
    _name = "wfmon.sla.policy"
    # The targets and steps of the policies are kept in the registry's cache
    # (_wfmon_plan_specs): every change of a policy clears it.
    _inherit = ["wfmon.lookup.source"]
    _wfmon_lookups = (SLA_POLICIES,)
    _description = "SLA Policy"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        help="Working hours this policy counts in. Empty: the team's, else the company's.",
    )
    at_risk_ratio = fields.Float(
        string="At-risk Ratio",
        help="Share of the budget (0-1) after which a case is at risk. 0: use the company setting.",
    )
    pause_when_waiting = fields.Boolean(
        default=True,
        help="Stop the clocks while the case waits on a third party; the paused "
        "working time extends the deadlines.",
    )
    line_ids = fields.One2many("wfmon.sla.policy.line", "policy_id", string="Targets", copy=True)
    escalation_step_ids = fields.One2many(
        "wfmon.escalation.step", "policy_id", string="Escalation Ladder", copy=True
    )

    @api.constrains("at_risk_ratio")
    def _check_at_risk_ratio(self):
        for policy in self:
            if not 0 <= policy.at_risk_ratio < 1:
                raise ValidationError(
                    self.env._(
                        "The at-risk ratio of %s must be between 0 and 1.", policy.display_name
                    )
                )

    def _target(self, severity):
        """The policy line of ``severity`` (or the policy's first line)."""
        self.ensure_one()
        lines = self.line_ids
        return lines.filtered(lambda line: line.severity == severity)[:1] or lines[:1]

    def _wfmon_plan_spec(self, severity):
        """``(response hours, resolution hours, escalation steps)`` of the clock
        of a case of ``severity`` under this policy (:meth:`_target` and the
        ladder's ``StepSpec``), ``None`` when the policy has no target. As
        superuser (the detection API opens cases as superuser) from the
        registry's cache, until a policy, a target or a step changes: no query
        per detector call."""
        self.ensure_one()
        if self.env.su and lookup_cached(self.env, SLA_POLICIES):
            spec = self._wfmon_plan_specs(self.id)
        else:
            spec = self._wfmon_read_plan_specs()
        targets, first, steps = spec
        hours = targets.get(severity, first)
        return None if hours is None else (*hours, steps)

    @api.model
    @tools.ormcache("policy_id")
    def _wfmon_plan_specs(self, policy_id):
        return self.sudo().browse(policy_id)._wfmon_read_plan_specs()

    def _wfmon_read_plan_specs(self):
        """``({severity: (response, resolution hours)}, the first line's hours,
        steps)``, in plain values (what the registry's cache may keep)."""
        targets = {}
        for line in self.line_ids:
            targets.setdefault(line.severity, (line.response_hours, line.resolution_hours))
        first = self.line_ids[:1]
        first_hours = (first.response_hours, first.resolution_hours) if first else None
        return targets, first_hours, tuple(self.escalation_step_ids._specs())
