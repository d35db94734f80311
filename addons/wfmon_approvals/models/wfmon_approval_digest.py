"""Digests for approvers: the request's own history, and the approval
decisions shown in the digest of a case about the same document."""

from collections import defaultdict

from odoo import models

#: decisions that are someone's (or the engine's) verdict, not bookkeeping
VERDICTS = {"approve", "reject", "auto", "cancel", "expire"}


def _decision_events(env, decisions, with_request=False):
    """Digest events of approval decisions, in the order given."""
    labels = dict(decisions._fields["decision"]._description_selection(env))
    events = []
    for line in decisions:
        request = line.request_id
        label = labels.get(line.decision, line.decision)
        if with_request:
            label = f"{request.name}: {label}"
        event = {
            "date": line.date,
            "kind": f"approval.{line.decision}",
            "label": label,
            "author": None if line.automated else line.user_id.name,
            "automated": line.automated,
            "text": line.reason or None,
            "on_behalf_of": line.on_behalf_of_id.name or None,
        }
        if line.level_sequence:
            event["label"] = env._(
                "%(label)s (level %(level)s)", label=label, level=line.level_sequence
            )
        if line.decision in VERDICTS:
            event["decision"] = labels.get(line.decision, line.decision).lower()
            event["closes"] = f"approval-{request.id}"
        if line.decision == "submit":
            event["opens"] = f"approval-{request.id}"
            event["open_label"] = env._(
                "Approval %(request)s of %(document)s",
                request=request.name,
                document=request.source_name or request.res_model,
            )
            if request.amount:
                event["amount"] = request.amount
                event["currency"] = request.currency_id.name or None
            if request.deadline:
                event["deadline"] = request.deadline
                event["deadline_label"] = env._("Decision on %s", request.name)
        events.append(event)
    return events


class WfmonApprovalRequest(models.Model):
    _name = "wfmon.approval.request"
    _inherit = ["wfmon.approval.request", "wfmon.digest.mixin"]

    def _wfmon_digest_events(self):
        result = super()._wfmon_digest_events()
        if not self.ids:
            return result
        decisions = self.env["wfmon.approval.decision"].search(
            [("request_id", "in", self.ids)], order="date, id"
        )
        by_request = defaultdict(lambda: self.env["wfmon.approval.decision"])
        for line in decisions:
            by_request[line.request_id.id] |= line
        for request_id, lines in by_request.items():
            result[request_id].extend(_decision_events(self.env, lines))
        return result

    def _wfmon_digest_activity_domain(self):
        # The approvers' to-dos are the pending level, listed once as such.
        approval = self.env.ref(
            "wfmon_approvals.mail_activity_type_wfmon_approval", raise_if_not_found=False
        )
        domain = super()._wfmon_digest_activity_domain()
        return [*domain, ("activity_type_id", "!=", approval.id)] if approval else domain

    def _wfmon_digest_open_items(self):
        result = super()._wfmon_digest_open_items()
        for request in self.filtered(lambda r: r.state == "pending"):
            result[request.id].append(
                {
                    "key": f"approval-{request.id}",
                    "label": self.env._(
                        "Level %(level)s: waiting for %(who)s",
                        level=request.level_sequence or 1,
                        who=request.waiting_for or self.env._("an approver"),
                    ),
                    "since": request.level_started or request.date_requested,
                    "deadline": request.deadline or None,
                }
            )
        return result


class WfmonCase(models.Model):
    _inherit = "wfmon.case"

    def _wfmon_digest_events(self):
        """A case shows who decided what on the approvals of its document, and
        on approvals of the case itself (a case can be a guarded document)."""
        result = super()._wfmon_digest_events()
        documents = defaultdict(set)  # (model, id) -> case ids
        for case in self:
            documents[(self._name, case.id)].add(case.id)
            if case.res_model and case.res_id:
                documents[(case.res_model, case.res_id)].add(case.id)
        if not self.ids:
            return result
        ids_by_model = defaultdict(list)
        for model, res_id in documents:
            ids_by_model[model].append(res_id)
        domain = []
        for model, ids in ids_by_model.items():
            clause = ["&", ("res_model", "=", model), ("res_id", "in", ids)]
            domain = ["|", *domain, *clause] if domain else clause
        # The requests the reader may see; one they may not read stays out.
        requests = self.env["wfmon.approval.request"].search(domain)
        if not requests:
            return result
        decisions = self.env["wfmon.approval.decision"].search(
            [("request_id", "in", requests.ids)], order="date, id"
        )
        by_document = defaultdict(lambda: self.env["wfmon.approval.decision"])
        for line in decisions:
            by_document[(line.request_id.res_model, line.request_id.res_id)] |= line
        for document, lines in by_document.items():
            for case_id in documents.get(document, ()):
                result[case_id].extend(_decision_events(self.env, lines, with_request=True))
        return result
