from collections import defaultdict

from odoo import fields, models

from ..tools.severity import next_severity
from .wfmon_case import SLA_STATUSES


class WfmonCase(models.Model):
    """Escalation steps firing on cases: notify, reassign, raise the severity,
    schedule an activity, publish an event.

    The SLA scanner (``wfmon_case_sla.py``) decides which step is due on which
    cases; a step fires once per case, for all its cases together.
    """

    # One concern of the model per file (its lifecycle is in the file named after it).
    _inherit = "wfmon.case"  # pylint: disable=consider-merging-classes-inherited

    def _fire_step(self, step):
        """Run one escalation step on these cases; recorded so it never fires
        twice on a case."""
        if not self:
            return
        engine = self._wfmon_engine(
            reason=self.env._("Escalation: %s", step.name), automated=True, keep_deadlines=True
        )
        engine.write({"escalated_step_ids": [fields.Command.link(step.id)]})
        for case in engine:
            case.escalation_level += 1
        texts = []
        for case in self:
            texts.append(
                step.message
                or self.env._(
                    "Escalation '%(step)s' on %(case)s (%(status)s).",
                    step=step.name,
                    case=case.name,
                    status=dict(SLA_STATUSES).get(case.sla_status),
                )
            )
        self._run_step_action(step, engine, texts)
        self._log_batch(
            "escalate",
            new_values=[step.name] * len(self),
            reasons=texts,
            automated=True,
            step=step,
        )
        self.env["wfmon.publisher"]._publish("case.escalated", self)

    def _run_step_action(self, step, engine, texts):
        if step.action == "notify":
            for case, text in zip(self, texts, strict=True):
                target = case._step_target(step)
                case.message_post(
                    body=text,
                    partner_ids=target.partner_id.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
        elif step.action == "reassign_lead":
            by_lead = defaultdict(lambda: engine.browse())
            for case in engine.filtered("team_id.lead_id"):
                by_lead[case.team_id.lead_id] |= case
            for lead, cases in by_lead.items():
                cases.write({"user_id": lead.id})
        elif step.action == "reassign_user" and step.user_id:
            engine.write({"user_id": step.user_id.id})
        elif step.action == "raise_severity":
            by_next = defaultdict(lambda: engine.browse())
            for case in engine:
                by_next[next_severity(case.severity)] |= case
            for severity, cases in by_next.items():
                cases.write({"severity": severity})
        elif step.action == "activity":
            activity_type = step.activity_type_id or self.env.ref(
                "wfmon_core.mail_activity_type_wfmon_escalation"
            )
            for case, text in zip(self, texts, strict=True):
                target = case._step_target(step)
                if target:
                    case.activity_schedule(
                        activity_type_id=activity_type.id,
                        summary=step.name,
                        note=text,
                        user_id=target.id,
                    )
        elif step.action == "event":
            self.env["wfmon.publisher"]._publish(step.event_type or "case.escalated", self)

    def _step_target(self, step):
        self.ensure_one()
        target = {
            "owner": self.user_id,
            "lead": self.team_id.lead_id,
            "escalation": self.team_id.escalation_user_id or self.team_id.lead_id,
            "user": step.user_id,
        }.get(step.target or "lead")
        return target or self.team_id.lead_id
