import json
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.wfmon_core.tools.sla_clock import WorkSchedule, add_working_hours

from ..tools.approval_matrix import NoApprover, route_level


class WfmonApprovalRequest(models.Model):
    """Submission of requests and routing of their levels: who is asked
    (``tools.approval_matrix.route_level``: delegations, segregation of duties,
    the backup approver), their assignments and activities, and by when the
    level must be decided (in working hours of the policy's calendar).
    """

    # One concern of the model per file (its lifecycle is in the file named after it).
    _inherit = "wfmon.approval.request"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _submit(self, items, now=None):
        """Create requests in batch and route their first level.

        ``items``: dicts with ``record``, ``action``, ``policy``, ``explanation``,
        ``amount``, ``snapshot`` (dict), ``fingerprint``, ``site`` and ``auto``
        (auto-approved). Costs a bounded number of queries per batch: one INSERT
        per table, one activity batch, one notification per approver.
        """
        if not items:
            return self.browse()
        # sudo (below): levels are configuration, checked whoever requests.
        empty = {item["policy"] for item in items if not item.get("auto")} - {
            item["policy"] for item in items if item["policy"].sudo().level_ids
        }
        if empty:
            raise UserError(
                self.env._(
                    "Approval policy %s has no approval levels: ask an administrator to "
                    "complete the approval matrix.",
                    ", ".join(p.name for p in empty),
                )
            )
        now = now or fields.Datetime.now()
        analyses = self._analyses(items)
        vals_list = []
        for item in items:
            record, policy = item["record"], item["policy"]
            vals_list.append(
                {
                    "res_model": record._name,
                    "res_id": record.id,
                    # sudo: the name of the document the requester acts on.
                    "source_name": item.get("source_name") or record.sudo().display_name,
                    "action_name": item["action"],
                    "policy_id": policy.id,
                    "explanation": item["explanation"],
                    "analysis": analyses.get((record._name, record.id)) or False,
                    "amount": item.get("amount") or 0.0,
                    "currency_id": policy.currency_id.id,
                    "requester_id": self.env.uid,
                    "company_id": item["company"].id,
                    "site_id": item["site"].id if item.get("site") else False,
                    "snapshot": json.dumps(item["snapshot"], sort_keys=True, default=str),
                    "fingerprint": item["fingerprint"],
                    "date_requested": now,
                    "state": "approved" if item.get("auto") else "pending",
                    "date_decided": now if item.get("auto") else False,
                    "consumed": bool(item.get("auto")),
                    "consumed_date": now if item.get("auto") else False,
                }
            )
        # The requests these replace were expired in this transaction: write
        # that first, the unique index of open requests checks it.
        self.flush_model(["state", "consumed"])
        requests = (
            self._engine()
            .with_context(tracking_disable=True, mail_create_nolog=True)
            .create(vals_list)
        )
        auto = requests.filtered(lambda r: r.state == "approved")
        pending = requests - auto
        bodies = {
            request.id: Markup("<p>%s</p><p>%s</p>")
            % (
                self.env._("Approval requested for %s.", request.source_name),
                request.explanation,
            )
            for request in requests
        }
        requests._message_log_batch(bodies=bodies)
        self.env["mail.followers"]._insert_followers(
            self._name, requests.ids, self.env.user.partner_id.ids, check_existing=True
        )
        if auto:
            auto._log_decisions(
                "auto",
                reason=self.env._("Below the auto-approve limit of the policy."),
                automated=True,
                now=now,
            )
        pending._log_decisions("submit", now=now, automated=False)
        if pending:
            first_levels = {
                request.id: request.policy_id.level_ids.sorted(lambda lv: (lv.sequence, lv.id))[:1]
                for request in pending
            }
            pending._start_levels(first_levels, now)
            self.env["wfmon.publisher"]._publish("approval.requested", pending)
        if auto:
            self.env["wfmon.publisher"]._publish("approval.approved", auto)
        return requests.with_env(self.env)

    @api.model
    def _analyses(self, items):
        """``{(model, id): html}`` from the documents' ``_wfmon_approval_analysis``
        hook, called once per model and action for the whole batch."""
        groups = defaultdict(list)
        for item in items:
            if not item.get("auto"):
                groups[(item["record"]._name, item["action"])].append(item["record"].id)
        result = {}
        for (model, action), ids in groups.items():
            records = self.env[model].browse(ids)
            if hasattr(records, "_wfmon_approval_analysis"):
                for rec_id, html in records._wfmon_approval_analysis(action).items():
                    result[(model, rec_id)] = html
        return result

    def _schedules(self, now):
        calendars = self.env["resource.calendar"]
        for request in self:
            calendars |= request._calendar()
        by_calendar = calendars._wfmon_schedules(now - timedelta(days=31), horizon_days=800)
        always = WorkSchedule.always()
        result = {}
        for request in self:
            schedule = by_calendar.get(request._calendar().id)
            result[request.id] = schedule if schedule and schedule.attendances else always
        return result

    def _calendar(self):
        self.ensure_one()
        return self.policy_id.calendar_id or self.company_id._wfmon_calendar()

    @api.model
    def _plan_clock(self, cache, schedule, now, hours, ratio):
        """``(deadline, reminder)`` of a level starting ``now``: ``hours`` working
        hours of ``schedule``, the reminder at ``ratio`` of them; memoised in
        ``cache`` since a batch shares its start and few (calendar, hours) pairs."""
        key = (id(schedule), hours, ratio)
        if key not in cache:
            deadline = add_working_hours(schedule, now, hours) if hours else False
            remind = add_working_hours(schedule, now, hours * ratio) if hours and ratio else False
            cache[key] = (deadline, remind)
        return cache[key]

    def _start_levels(self, levels, now):
        """Route ``levels`` (``{request id: level}``) for these requests: approvers,
        assignments, activities, deadlines. A request without a level left is
        approved."""
        engine = self._engine()
        requests = engine.browse(self.ids)
        finished = requests.filtered(lambda r: not levels.get(r.id))
        routing_requests = requests - finished
        documents = routing_requests._source_records()
        delegations = self.env["wfmon.approval.delegation"]._active_specs(
            fields.Date.context_today(self, now)
        )
        day = fields.Date.context_today(self, now)
        by_level = defaultdict(lambda: engine.browse())
        for request in routing_requests:
            by_level[levels[request.id]] |= request
        raw = {}
        for level, reqs in by_level.items():
            docs = self.env[level.policy_id.model_name].browse(
                [documents[r.id].id for r in reqs if documents[r.id]]
            )
            per_record = level._raw_approvers(docs) if docs else {}
            for request in reqs:
                doc = documents[request.id]
                raw[request.id] = per_record.get(doc.id, []) if doc else []
        schedules = routing_requests._schedules(now) if routing_requests else {}
        clocks = {}
        assignment_vals = []
        nobody = {}
        for request in routing_requests:
            level = levels[request.id]
            policy = request.policy_id
            decided = {
                d.user_id.id for d in request.decision_ids if d.decision in ("approve", "reject")
            }
            incompatible = policy.incompatible_group_ids.users.ids
            try:
                routing = route_level(
                    raw[request.id],
                    mode=level.mode,
                    n=level.min_approvals,
                    requester=request.requester_id.id,
                    decided=decided,
                    incompatible=incompatible,
                    delegations=delegations,
                    day=day,
                    backup=level.backup_user_id.id or None,
                )
            except NoApprover as exc:
                # Nobody eligible after the segregation rules: the decisions
                # already given stand (no error, no rollback); the level goes to
                # whoever takes over at a deadline, and an administrator is told.
                routing = None
                nobody[request.id] = exc.excluded
            deadline, remind = self._plan_clock(
                clocks, schedules[request.id], now, policy.deadline_hours, policy.remind_ratio
            )
            request.write(
                {
                    "level_id": level.id,
                    "level_sequence": request.level_sequence + 1,
                    "required_approvals": routing.required if routing else 1,
                    "level_started": now,
                    "deadline": deadline,
                    "remind_date": remind,
                    "reminded": False,
                    "escalated": False,
                }
            )
            for assignment in routing.assignments if routing else ():
                assignment_vals.append(
                    {
                        "request_id": request.id,
                        "level_id": level.id,
                        "level_sequence": request.level_sequence,
                        "user_id": assignment.user,
                        "on_behalf_of_id": assignment.on_behalf_of or False,
                    }
                )
        # sudo: assignments are engine records (see _engine).
        assignments = (
            self.env["wfmon.approval.assignment"].sudo()._wfmon_engine().create(assignment_vals)
        )
        assignments._schedule_activities()
        if nobody:
            requests.browse(list(nobody))._route_to_fallback(nobody, documents)
        if finished:
            finished._finish_approved(now)

    def _route_to_fallback(self, excluded, documents):
        """The levels of these requests have nobody eligible (``excluded``:
        ``{request id: ((user id, why), ...)}``): hand each to whoever takes over
        at a deadline (the level's backup, the store manager, the policy's
        escalation contact, see ``_escalation_user``), and tell the
        administrators at once. With nobody to take over the request waits; the
        deadline hands it over once the matrix names someone."""
        # sudo: names of the excluded users, whatever the deciding user may read.
        names = {
            user.id: user.name
            for user in self.env["res.users"]
            .sudo()
            .browse({user for pairs in excluded.values() for user, _why in pairs})
        }
        why_words = {
            "requester": self.env._("the requester"),
            "decided an earlier level": self.env._("decided an earlier level"),
            "incompatible group": self.env._("in an incompatible group"),
        }
        vals, bodies, todos = [], {}, {}
        for request in self:
            who = ", ".join(
                f"{names.get(user, user)} ({why_words.get(why, why)})"
                for user, why in excluded[request.id]
            ) or self.env._("the level names nobody")
            user = request._escalation_user(documents.get(request.id))
            if user:
                vals.append(
                    {
                        "request_id": request.id,
                        "level_id": request.level_id.id,
                        "level_sequence": request.level_sequence,
                        "user_id": user.id,
                        "escalated": True,
                    }
                )
                outcome = self.env._("It went to %s instead.", user.name)
            else:
                outcome = self.env._(
                    "Nobody takes over (no backup approver, store manager or escalation "
                    "contact): the request waits until the matrix names someone."
                )
            text = self.env._(
                "Nobody can approve level '%(level)s' of policy '%(policy)s' for %(doc)s: "
                "%(who)s. %(outcome)s",
                level=request.level_id.name,
                policy=request.policy_id.name,
                doc=request.source_name,
                who=who,
                outcome=outcome,
            )
            bodies[request.id] = Markup("<p>%s</p>") % text
            todos[request.id] = text
        self._message_log_batch(bodies=bodies)
        # sudo: assignments are engine records (see _engine).
        assignments = self.env["wfmon.approval.assignment"].sudo()._wfmon_engine().create(vals)
        assignments._schedule_activities(escalation=True)
        self._tell_administrators(todos)

    def _tell_administrators(self, texts):
        """A to-do for each Operations Monitor administrator on each request of
        ``texts`` (``{request id: what to fix}``)."""
        admins = (
            self.env.ref("wfmon_core.group_wfmon_admin")
            .sudo()
            .users.filtered(lambda u: u.active and not u.share)
        )
        # sudo: the engine schedules the administrators' to-dos whoever decided.
        for request in self.sudo():
            for admin in admins:
                request.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=admin.id,
                    summary=self.env._("Nobody can approve level '%s'", request.level_id.name),
                    note=texts[request.id],
                )
