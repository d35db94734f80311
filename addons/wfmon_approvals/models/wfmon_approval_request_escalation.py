from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_datetime

from ..tools.approval_matrix import substitute_of

#: requests the reminder scan loads per batch
CRON_BATCH = 200


class WfmonApprovalRequest(models.Model):
    """Reminders and escalation of pending requests: the approvers are reminded
    at the reminder date, and at the deadline the level's backup, the store
    manager or the policy's escalation contact takes over; each once per level.
    """

    # One concern of the model per file (its lifecycle is in the file named after it).
    _inherit = "wfmon.approval.request"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_remind_escalate(self, batch_size=CRON_BATCH):
        """Remind the approvers at the reminder date and escalate at the deadline,
        each once per level; in batches, with a bounded number of queries."""
        now = fields.Datetime.now()
        domain = [("state", "=", "pending"), ("next_check", "!=", False), ("next_check", "<=", now)]
        requests = self._engine().search(domain, limit=batch_size, order="next_check, id")
        gone = requests._without_source()
        if gone:
            gone._expire(self.env._("The document no longer exists."))
            requests -= gone
        to_remind = requests.filtered(
            lambda r: (
                r.remind_date
                and not r.reminded
                and r.remind_date <= now
                and not (r.deadline and r.deadline <= now)
            )
        )
        to_escalate = requests.filtered(
            lambda r: r.deadline and not r.escalated and r.deadline <= now
        )
        # A request whose reminder was skipped because it is already past its
        # deadline only escalates.
        (requests - to_remind - to_escalate).write({"reminded": True})
        to_remind._remind(now)
        to_escalate._escalate(now)
        done = len(requests) + len(gone)
        remaining = self._engine().search_count(domain) if done == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _remind(self, now):
        """Remind the pending approvers: one note per request (one batch) and one
        notification per approver for the whole batch."""
        if not self:
            return
        bodies = {
            request.id: Markup("<p>%s</p>")
            % self.env._(
                "Reminder sent to %(who)s: waiting since %(since)s, deadline %(deadline)s.",
                who=request.waiting_for,
                since=format_datetime(self.env, request.level_started),
                deadline=format_datetime(self.env, request.deadline),
            )
            for request in self
        }
        self._message_log_batch(bodies=bodies)
        pending = self.assignment_ids.filtered(lambda a: a.state == "pending")
        self._notify_approvers(pending, self.env._("Reminder: %s approval(s) wait for you"))
        self.write({"reminded": True})
        self._log_decisions("remind", automated=True, now=now, user=self.env.ref("base.user_root"))
        self.env["wfmon.publisher"]._publish("approval.reminded", self)

    def _notify_approvers(self, assignments, subject):
        """One notification per approver listing their requests."""
        by_user = defaultdict(list)
        for assignment in assignments:
            by_user[assignment.user_id].append(assignment.request_id)
        for user, requests in by_user.items():
            names = ", ".join(r.source_name for r in requests[:10])
            if len(requests) > 10:
                names += self.env._(" and %s more", len(requests) - 10)
            # sudo: notifications go to approvers the acting user may not read.
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=user.partner_id.ids,
                subject=subject % len(requests),
                body=self.env._("Waiting for your approval: %s", names),
                model=self._name,
                res_id=requests[0].id,
            )

    def _escalation_user(self, document):
        """Who takes over at breach: the level's backup, else the store manager,
        else the policy's escalation contact. Extension point (e.g. an HR bridge
        can return the requester's manager)."""
        self.ensure_one()
        candidates = [
            self.level_id.backup_user_id,
            self.site_id.manager_id,
            self.policy_id.escalation_user_id,
        ]
        excluded = {self.requester_id} | set(
            self.decision_ids.filtered(
                lambda d: (
                    d.decision in ("approve", "reject") and d.level_sequence != self.level_sequence
                )
            ).user_id
        )
        excluded |= set(self.assignment_ids.filtered(lambda a: a.state == "pending").user_id)
        for user in candidates:
            if (
                user
                and user not in excluded
                and not (self.policy_id.incompatible_group_ids & user.groups_id)
            ):
                return user
        return self.env["res.users"]

    def _escalate(self, now):
        if not self:
            return
        documents = self._source_records()
        day = fields.Date.context_today(self, now)
        delegations = self.env["wfmon.approval.delegation"]._active_specs(day)
        vals, escalated, nobody = [], self.browse(), {}
        for request in self:
            user = request._escalation_user(documents.get(request.id))
            behalf = False
            if user:
                actor = substitute_of(user.id, delegations, day)
                if actor != user.id and actor != request.requester_id.id:
                    user, behalf = self.env["res.users"].browse(actor), user.id
            if not user:
                nobody[request.id] = Markup("<p>%s</p>") % self.env._(
                    "Deadline passed and nobody is configured to take over "
                    "(backup approver, store manager or escalation contact)."
                )
                continue
            escalated |= request
            vals.append(
                {
                    "request_id": request.id,
                    "level_id": request.level_id.id,
                    "level_sequence": request.level_sequence,
                    "user_id": user.id,
                    "on_behalf_of_id": behalf,
                    "escalated": True,
                }
            )
        if nobody:
            self.browse(list(nobody))._message_log_batch(bodies=nobody)
        self.write({"escalated": True, "reminded": True})
        # sudo: assignments are engine records (see _engine).
        assignments = self.env["wfmon.approval.assignment"].sudo()._wfmon_engine().create(vals)
        assignments._schedule_activities(escalation=True)
        escalated._log_decisions(
            "escalate",
            reasons={
                a.request_id.id: self.env._("Deadline passed: escalated to %s.", a.user_id.name)
                for a in assignments
            },
            automated=True,
            now=now,
            user=self.env.ref("base.user_root"),
        )
        if escalated:
            self.env["wfmon.publisher"]._publish("approval.escalated", escalated)
