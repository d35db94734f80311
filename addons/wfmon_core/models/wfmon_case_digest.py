"""The digest of a case: its audit log, its chatter, its deadlines and to-dos."""

from odoo import models

#: audit actions that are a person's (or the system's) decision on the case
DECISION_ACTIONS = {
    "resolve": "resolved",
    "auto_resolve": "resolved",
    "reopen": "reopened",
    "override": "overridden",
    "approval": None,  # the decision is the line's new value
}


class WfmonCase(models.Model):
    _name = "wfmon.case"
    _inherit = ["wfmon.case", "wfmon.digest.mixin"]

    def _wfmon_digest_events(self):
        result = super()._wfmon_digest_events()
        if not self.ids:
            return result
        Log = self.env["wfmon.case.log"]
        labels = dict(Log._fields["action"]._description_selection(self.env))
        states = dict(self._fields["state"]._description_selection(self.env))
        sla = dict(self._fields["sla_status"]._description_selection(self.env))
        lines = Log.search([("case_id", "in", self.ids)], order="date, id")
        by_case = {case.id: case for case in self}
        for line in lines:
            case = by_case[line.case_id.id]
            values = states if line.action in ("open", "state", "resolve", "reopen") else {}
            if line.action == "sla":
                values = sla
            event = {
                "date": line.date,
                "kind": line.action,
                "label": labels.get(line.action, line.action),
                "author": None if line.automated else line.user_id.name,
                "automated": line.automated,
                "old": values.get(line.old_value, line.old_value) or None,
                "new": values.get(line.new_value, line.new_value) or None,
                "text": line.reason or None,
            }
            if line.action == "open":
                event["opens"] = "case"
                event["open_label"] = case.summary
                if case.impact_amount:
                    event["amount"] = case.impact_amount
                    event["currency"] = case.currency_id.name
            if line.action == "state" and line.new_value == "cancelled":
                event["closes"] = "case"
            if line.action in DECISION_ACTIONS:
                event["decision"] = DECISION_ACTIONS[line.action] or line.new_value or "decided"
                if line.action in ("resolve", "auto_resolve"):
                    event["closes"] = "case"
                    event["text"] = line.reason or case.resolution_note or None
                elif line.action == "reopen":
                    event["opens"] = "case"
                    event["open_label"] = case.summary
            result[case.id].append(event)
        return result

    def _wfmon_digest_open_items(self):
        result = super()._wfmon_digest_open_items()
        _ = self.env._
        for case in self.filtered("is_open"):
            if case.response_deadline and not case.responded_at:
                result[case.id].append(
                    {
                        "key": "response",
                        "label": _("First response"),
                        "since": case.sla_start,
                        "by": case.user_id.name or case.team_id.name or None,
                        "deadline": case.response_deadline,
                    }
                )
            result[case.id].append(
                {
                    "key": "case",
                    "label": _("Resolution of %s", case.summary),
                    "since": case.first_seen,
                    "by": case.user_id.name or case.team_id.name or None,
                    "deadline": case.resolution_deadline or None,
                }
            )
        return result
