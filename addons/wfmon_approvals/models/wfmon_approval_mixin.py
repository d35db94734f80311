from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.wfmon_core.models.wfmon_detector import detectors_off
from odoo.addons.wfmon_core.tools.engine import flag, with_flags

from ..tools.approval_matrix import OpenRequest, guard_verdict, snapshot_fingerprint

# Context key (a server flag) telling a guarded action which records run under
# an approval: {"<model>.<action>": {record id: request id}}.
CONSUMED_KEY = "wfmon_approval_consumed"
# Context key (a server flag) of the records a guard let through:
# {"<model>.<action>": set of record ids}. Only they may enter the action's
# guarded states, and a second call of the same guard on them (another module's
# override of the same action) lets them through as decided.
PASSED_KEY = "wfmon_guard_passed"
# Context key (a server flag) of the rest of the guard's verdict in a call chain:
# {"<model>.<action>": {"held": set of record ids, "response": client action}}.
# It travels with the records the guard lets through, so an override reached
# through ``super()`` with only those still learns which records are held.
VERDICT_KEY = "wfmon_guard_verdict"


class WfmonApprovalMixin(models.AbstractModel):
    """Guard action methods of a model behind the approval matrix.

    A model opts in by inheriting this mixin and setting class attributes::

        class PurchaseOrder(models.Model):
            _inherit = ["purchase.order", "wfmon.approval.mixin"]
            _wfmon_guarded_actions = {"button_confirm": "Confirm order"}
            _wfmon_approval_site_field = None          # or "site_id"
            _wfmon_approval_case_type_field = None     # or "case_type_id"
            _wfmon_approval_snapshot_fields = ("partner_id",)
            _wfmon_guarded_states = {"button_confirm": ("state", ("purchase",))}

            def button_confirm(self):
                allowed, response = self._wfmon_approval_guard("button_confirm")
                res = super(PurchaseOrder, allowed).button_confirm() if allowed else True
                return response or res

    The guard lets through the records no policy applies to and those with a
    valid, unused approval (consuming it); it opens (or reuses) a request for
    the others. When the last level approves, the engine calls the action again
    as the requester, and the guard lets it through exactly once.

    **Once per action.** The guard decides once per records and action and
    remembers its whole verdict in the call chain (server flags on the records
    it lets through, never a client key): when two modules override the same
    action and both call the guard, the second call (reached through ``super()``
    with the records the first let through) decides nothing again, and
    :meth:`_wfmon_approval_held` gives it every record the first call held, so
    each module sees the held records whatever their order. An override of an
    action other modules may guard too calls ``super()`` even when nothing is
    allowed (the others' overrides still see the held records)::

        allowed, response = self._wfmon_approval_guard("action_confirm")
        held = self._wfmon_approval_held("action_confirm", allowed)
        ...  # this module's work on the held records
        result = super(SaleOrder, allowed).action_confirm()
        return response or result

    The declaration of a guarded action (its class attributes) is the same in
    every module guarding it; each adds policy scopes through
    :meth:`_wfmon_approval_hold_names` and ``wfmon.approval.policy._extra_scopes``.

    **Guarded states.** A ``write`` (or ``create``) putting a record into a
    state of ``_wfmon_guarded_states`` is refused unless the guard let the
    record through or the matrix does not hold it (no policy selects it, no
    request is open on it). Models whose outcome is not a plain state write
    override :meth:`_wfmon_guarded_transitions`, or call
    :meth:`_wfmon_approval_require_passed` from the method that does the work
    (e.g. the posting of an entry reached by other paths than the button).
    """

    _name = "wfmon.approval.mixin"
    _description = "Approval-guarded document"

    #: ``{method name: label}`` of the guarded actions
    _wfmon_guarded_actions = {}
    #: field (many2one to wfmon.site) scoping policies by store / warehouse
    _wfmon_approval_site_field = None
    #: field (many2one to wfmon.case.type) scoping policies by exception type
    _wfmon_approval_case_type_field = None
    #: extra fields whose change after approval invalidates it
    _wfmon_approval_snapshot_fields = ()
    #: ``{action: (state field, states)}``: the states only the guarded action
    #: moves a record into, where the matrix holds the record
    _wfmon_guarded_states = {}

    wfmon_approval_request_ids = fields.One2many(
        "wfmon.approval.request",
        "res_id",
        string="Approval Requests",
        domain=lambda self: [("res_model", "=", self._name)],
        readonly=True,
    )
    wfmon_approval_state = fields.Selection(
        [
            ("none", "No approval"),
            ("pending", "Waiting for approval"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        string="Approval",
        compute="_compute_wfmon_approval",
    )
    wfmon_approval_banner = fields.Html(
        string="Approval Status", compute="_compute_wfmon_approval", sanitize=False
    )
    wfmon_approval_holds = fields.Char(
        string="Approval Holds",
        compute="_compute_wfmon_approval_holds",
        help="The signals of the document that approval policies can be scoped on "
        "(comma-separated), as the modules report them.",
    )

    @api.depends_context("uid")
    def _compute_wfmon_approval(self):
        # Per user: the banner names the open cases the reader may see.
        # sudo: the banner shows the approval status of a document the user can
        # already read, even when they may not read the requests themselves.
        requests = (
            self.env["wfmon.approval.request"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                order="id desc",
            )
        )
        latest = {}
        for request in requests:
            latest.setdefault(request.res_id, request)
        pending = self.browse([rid for rid, req in latest.items() if req.state == "pending"])
        cases = pending._wfmon_approval_case_names()
        for record in self:
            request = latest.get(record.id)
            if not request or request.state in ("cancelled", "expired") or request.consumed:
                record.wfmon_approval_state = "none"
                record.wfmon_approval_banner = False
                continue
            if request.state == "pending":
                record.wfmon_approval_state = "pending"
                record.wfmon_approval_banner = record._wfmon_held_banner(
                    request, cases.get(record.id)
                )
            elif request.state == "approved":
                record.wfmon_approval_state = "approved"
                record.wfmon_approval_banner = Markup(
                    '<div class="alert alert-success mb-0" role="status">%s</div>'
                ) % self.env._("Approved (%s): the action can run once.", request.name)
            else:
                last = request.decision_ids.filtered(lambda d: d.decision == "reject")[:1]
                record.wfmon_approval_state = "rejected"
                record.wfmon_approval_banner = Markup(
                    '<div class="alert alert-danger mb-0" role="status">%s</div>'
                ) % self.env._(
                    "Rejected by %(who)s (%(name)s): %(reason)s",
                    who=last.user_id.name or "",
                    name=request.name,
                    reason=last.reason or "",
                )

    def _wfmon_approval_case_names(self):
        """``{record id: names}`` of the open cases on these documents the user
        may see, for the one banner of a held document (documents that have no
        cases, or a user who works no cases: nothing)."""
        if (
            not self
            or "wfmon_case_names" not in self._fields
            or not self.env.user.has_group("wfmon_core.group_wfmon_user")
        ):
            return {}
        return {record.id: record.wfmon_case_names for record in self if record.wfmon_case_names}

    def _wfmon_held_banner(self, request, case_names=None):
        """The one banner of a document held for approval: what holds it (the
        policy, the open cases), whom it waits for, and that the action runs by
        itself once approved; the document's own case banner stays hidden."""
        self.ensure_one()
        # sudo: the policy's name and the level, for whoever may read the document.
        held = request.sudo()
        action = self._wfmon_guarded_actions.get(held.action_name) or held.action_label
        parts = [
            Markup("<strong>%s</strong>")
            % self.env._(
                "Held for approval: %(policy)s.",
                policy=held.policy_id.name or held.name,
            ),
            escape(request._waiting_text()),
            escape(
                self.env._(
                    "%(action)s runs by itself once it is approved; nothing to do until then.",
                    action=action,
                )
            ),
        ]
        if case_names:
            parts.append(escape(self.env._("Also open on it: %s.", case_names)))
        return Markup('<div class="alert alert-warning mb-0" role="status">%s</div>') % Markup(
            " "
        ).join(parts)

    @api.model
    def _wfmon_code_labels(self, fname):
        """``{code: label}`` of the codes a character field ``fname`` of the
        document holds (comma-separated), so that the approved values show them
        in words. Extend it for a field of your module."""
        return {}

    def _compute_wfmon_approval_holds(self):
        holds = self._wfmon_approval_hold_names()
        for record in self:
            record.wfmon_approval_holds = ",".join(sorted(holds.get(record.id, ())))

    # ------------------------------------------------------------------
    # Only the guarded action enters its states
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if not self.env.su:
            for action, (fname, states) in self._wfmon_guarded_states.items():
                created = records.filtered(lambda r, f=fname, s=states: r[f] in s)
                if created._wfmon_approval_guarded(action):
                    records._wfmon_refuse_guarded_state(action, fname)
        return records

    def write(self, vals):
        for action, entering in self._wfmon_guarded_transitions(vals).items():
            entering._wfmon_approval_require_passed(
                action, fname=self._wfmon_guarded_states.get(action, (None,))[0]
            )
        return super().write(vals)

    def _wfmon_guarded_transitions(self, vals):
        """``{action: records}``: the records of ``self`` that writing ``vals``
        would move to where only ``action`` may take them. Reads
        ``_wfmon_guarded_states``; override for an outcome that is not one state
        field (and keep the result empty for the others)."""
        result = {}
        for action, (fname, states) in self._wfmon_guarded_states.items():
            if vals.get(fname) not in states:
                continue
            entering = self.filtered(lambda r, f=fname, s=states: r[f] not in s)
            if entering:
                result[action] = entering
        return result

    def _wfmon_approval_require_passed(self, action_name, fname=None):
        """Refuse the records of ``self`` that did not go through the guard of
        ``action_name`` while the matrix holds them. Call it where the action's
        work is done when other paths than the guarded method reach it."""
        passed = self._wfmon_passed_ids(self, action_name)
        unpassed = self.filtered(lambda r: r.id not in passed)
        if unpassed._wfmon_approval_guarded(action_name):
            self._wfmon_refuse_guarded_state(action_name, fname)

    def _wfmon_approval_guarded(self, action_name):
        """The records of ``self`` the matrix holds for ``action_name``: a policy
        selects them, or a request is open on them (pending, or approved and not
        used). Server code running without the detectors holds nothing."""
        if not self or detectors_off(self.env):
            return self.browse()
        selected = self.env["wfmon.approval.policy"]._select(
            self,
            action_name,
            site_field=self._wfmon_approval_site_field,
            case_type_field=self._wfmon_approval_case_type_field,
        )
        held = set(self._wfmon_open_requests(self, action_name).mapped("res_id"))
        return self.filtered(lambda r: r.id in selected or r.id in held)

    def _wfmon_refuse_guarded_state(self, action, fname=None):
        label = self._wfmon_guarded_actions.get(action, action)
        if fname:
            message = self.env._(
                "%(model)s: only %(action)s sets this %(field)s; it asks for approval "
                "where a policy applies.",
                model=self._description,
                action=label,
                field=self._fields[fname].string,
            )
        else:
            message = self.env._(
                "%(model)s: only %(action)s does this; it asks for approval where a "
                "policy applies.",
                model=self._description,
                action=label,
            )
        raise AccessError(message)

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------
    def _wfmon_approval_applicable(self, action_name):
        """Records the guarded action would really act on (e.g. drafts only).
        The others are let through untouched: the action itself skips them."""
        return self

    def _wfmon_approval_analysis(self, action_name):
        """``{record id: html}``: what the approvers decide on, stored on each
        new request of ``action_name`` (e.g. a margin analysis). Called once per
        batch of new requests; return ``{}`` for nothing. Modules adding to the
        same document join their part to ``super()``'s."""
        return {}

    def _wfmon_approval_hold_names(self):
        """``{record id: set of names}``: the signals of these records that
        policies can be scoped on (``wfmon.approval.policy._extra_scopes``), e.g.
        ``credit_hold``. Extend it: add your names to ``super()``'s."""
        return {}

    def _wfmon_approval_consumed(self, action_name):
        """``{record id: approval request}`` of the records of ``self`` that the
        guard let through under an approval (which it used up)."""
        # A server flag set by the guard: a client's context cannot claim one.
        consumed = (flag(self.env.context, CONSUMED_KEY) or {}).get(
            f"{self._name}.{action_name}", {}
        )
        Request = self.env["wfmon.approval.request"]
        return {
            rec_id: Request.browse(consumed[rec_id]) for rec_id in self.ids if rec_id in consumed
        }

    def _wfmon_approval_snapshot(self, policy):
        """Guarded values of this record under ``policy``: a change of any of
        them after the approval invalidates it. Extend to add computed values."""
        self.ensure_one()
        return self._wfmon_default_snapshot(self, policy)

    # ------------------------------------------------------------------
    # The guard
    # ------------------------------------------------------------------
    def _wfmon_approval_guard(self, action_name):
        """Split ``self`` into records allowed to run ``action_name`` now and
        records waiting for an approval; see :meth:`_wfmon_guard`.

        :return: ``(allowed, response)``
        """
        return self._wfmon_guard(self, action_name)

    @api.model
    def _wfmon_guard(self, records, action_name, site_field=None, case_type_field=None):
        """Split ``records`` into those allowed to run ``action_name`` now and
        those waiting for an approval. Works for any model: models inheriting
        the mixin configure it with class attributes, others call it as
        ``env["wfmon.approval.mixin"]._wfmon_guard(records, action, ...)``.

        Records no policy applies to pass (their stale open requests expire);
        records with a valid, unused approval pass and consume it (so the action
        runs once per approval); the others get a new request (or keep their
        pending one). Auto-approved records pass with an approved request. An
        approval whose guarded values changed since expires. What happens to
        each record is ``tools.approval_matrix.guard_verdict``. Records this
        guard already let through in the calling chain pass as they are.

        Cost: a fixed number of queries per batch (policies, conditions, open
        requests, inserts), whatever ``len(records)``.

        :return: ``(allowed, response)``: ``allowed`` the records to act on;
            ``response`` ``None`` when nothing waits, else a client action telling
            the user approval was requested (return it from the action)
        :raise UserError: when records wait for an approval already requested and
            nothing new was requested (so nothing is lost by the rollback)
        """
        # Decided earlier in this call chain (another module's override of the
        # same action): the verdict stands, held records included.
        passed_ids = self._wfmon_passed_ids(records, action_name)
        earlier = self._wfmon_verdict(records, action_name)
        already = records.filtered(lambda r: r.id in passed_ids)
        records -= already | records.filtered(lambda r: r.id in earlier["held"])
        if not records:
            return already, earlier["response"]
        Request = self.env["wfmon.approval.request"]
        applicable = (
            records._wfmon_approval_applicable(action_name)
            if hasattr(records, "_wfmon_approval_applicable")
            else records
        )
        allowed = (records - applicable) | already
        if not applicable:
            return self._wfmon_passed(allowed, action_name), earlier["response"]
        site_field = site_field or getattr(records, "_wfmon_approval_site_field", None)
        case_type_field = case_type_field or getattr(
            records, "_wfmon_approval_case_type_field", None
        )
        now = fields.Datetime.now()
        decided = self._wfmon_guard_decide(applicable, action_name, site_field, case_type_field)
        allowed |= decided["allowed"]
        by_reason = defaultdict(lambda: Request.sudo())
        for request, reason in decided["stale"].items():
            by_reason[reason] |= request
        for reason, stale in by_reason.items():
            stale._expire(reason)
        consume = decided["consume"]
        if consume:
            consume._engine().write({"consumed": True, "consumed_date": now})
        created = Request._submit(decided["items"], now=now)
        # An expired request names the request that replaced it.
        Request.sudo().browse([r.id for r in decided["stale"]])._link_successors(created)
        # The caller learns which records run under an approval now (e.g. to
        # close the hold case they were waiting on): a server flag, so that no
        # client can claim an approval (see _wfmon_approval_consumed).
        key = f"{records._name}.{action_name}"
        consumed = dict(flag(self.env.context, CONSUMED_KEY) or {})
        consumed[key] = {
            **consumed.get(key, {}),
            **{request.res_id: request.id for request in consume},
        }
        allowed = self._wfmon_passed(with_flags(allowed, **{CONSUMED_KEY: consumed}), action_name)
        waiting = decided["waiting"]
        new_pending = created.filtered(lambda r: r.state == "pending")
        if waiting and not new_pending:
            raise UserError(
                "\n".join(f"{req.source_name}: {req._waiting_text()}" for req in waiting)
            )
        response = earlier["response"]
        if new_pending:
            response = self._wfmon_guard_notification(records, action_name, waiting | new_pending)
        held = set(applicable.ids) - set(decided["allowed"].ids)
        return self._wfmon_remember_verdict(allowed, action_name, held, response), response

    @api.model
    def _wfmon_guard_decide(self, records, action_name, site_field, case_type_field):
        """What the guard does with each of ``records`` (``guard_verdict``): the
        records allowed now, the requests to use up, to wait on and to expire
        (with their reason), and the new requests to make."""
        Request = self.env["wfmon.approval.request"].sudo()
        Policy = self.env["wfmon.approval.policy"]
        selections = Policy._select(
            records, action_name, site_field=site_field, case_type_field=case_type_field
        )
        by_record = {}
        for request in self._wfmon_open_requests(records, action_name):
            by_record.setdefault(request.res_id, request)
        result = {
            "allowed": records.browse(),
            "consume": Request,
            "waiting": Request,
            "stale": {},
            "items": [],
        }
        for record in records:
            request = by_record.get(record.id)
            selected = selections.get(record.id)
            policy = explanation = snapshot = fingerprint = None
            amount = 0.0
            if selected:
                policy, explanation, facts = selected
                snapshot = (
                    record._wfmon_approval_snapshot(policy)
                    if hasattr(record, "_wfmon_approval_snapshot")
                    else self._wfmon_default_snapshot(record, policy, (site_field, case_type_field))
                )
                fingerprint = snapshot_fingerprint(snapshot)
                amount = facts.amount_for(policy._spec())
            verdict = guard_verdict(
                bool(selected),
                OpenRequest(request.state == "approved", request.fingerprint) if request else None,
                fingerprint,
                amount,
                policy.auto_approve_limit if policy else 0.0,
            )
            if verdict.expire == "no_policy":
                result["stale"][request] = self.env._("No approval policy applies any more.")
            elif verdict.expire == "changed":
                result["stale"][request] = self.env._(
                    "The document changed after the request (%s): a new approval is needed.",
                    ", ".join(request._snapshot_labels(request._snapshot_changes(snapshot)))
                    or self.env._("guarded values"),
                )
            if verdict.allowed:
                result["allowed"] |= record
            if verdict.action == "consume":
                result["consume"] |= request
            elif verdict.action == "wait":
                result["waiting"] |= request
            elif verdict.action in ("request", "auto"):
                result["items"].append(
                    {
                        "record": record,
                        "action": action_name,
                        "policy": policy,
                        "explanation": explanation,
                        "amount": amount,
                        "company": Policy._record_company(record),
                        "site": record.sudo()[site_field] if site_field else False,
                        "snapshot": snapshot,
                        "fingerprint": fingerprint,
                        "auto": verdict.action == "auto",
                    }
                )
        return result

    @api.model
    def _wfmon_guard_notification(self, records, action_name, requests):
        """The client action telling the user that ``requests`` wait for approval."""
        label = getattr(records, "_wfmon_guarded_actions", {}).get(action_name) or action_name
        shown = requests[:20]
        lines = [f"{req.source_name}: {req._waiting_text()}" for req in shown]
        more = len(requests) - len(shown)
        if more:
            lines.append(self.env._("… and %s more", more))
        message = self.env._(
            "%(action)s needs approval; it will run by itself once approved.\n%(lines)s",
            action=label,
            lines="\n".join(lines),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Approval requested"),
                "message": message,
                "type": "warning",
                "sticky": True,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _wfmon_open_requests(self, records, action_name):
        """The requests of ``action_name`` still open on ``records`` (pending,
        or approved and not used), newest first."""
        # sudo: the guard must see every open request on these documents, not
        # only those the acting user may read.
        return (
            self.env["wfmon.approval.request"]
            .sudo()
            .search(
                [
                    ("res_model", "=", records._name),
                    ("res_id", "in", records.ids),
                    ("action_name", "=", action_name),
                    ("state", "in", ("pending", "approved")),
                    ("consumed", "=", False),
                ],
                order="id desc",
            )
        )

    @api.model
    def _wfmon_passed(self, records, action_name):
        """``records`` marked as let through by the guard of ``action_name``
        (server code that runs the action without its guard uses it too)."""
        key = f"{records._name}.{action_name}"
        passed = {k: set(v) for k, v in (flag(records.env.context, PASSED_KEY) or {}).items()}
        passed[key] = passed.get(key, set()) | set(records.ids)
        return with_flags(records, **{PASSED_KEY: passed})

    @api.model
    def _wfmon_verdict(self, records, action_name):
        """What the guard of ``action_name`` held in this call chain, as the
        server flag of ``records``' context says: ``{"held": ids, "response":
        client action or None}``."""
        verdicts = flag(records.env.context, VERDICT_KEY) or {}
        return verdicts.get(
            f"{records._name}.{action_name}", {"held": frozenset(), "response": None}
        )

    @api.model
    def _wfmon_remember_verdict(self, allowed, action_name, held, response):
        """``allowed`` carrying the whole verdict of this guard call, added to
        what the chain decided before: the records held and the response."""
        key = f"{allowed._name}.{action_name}"
        verdicts = dict(flag(allowed.env.context, VERDICT_KEY) or {})
        earlier = verdicts.get(key, {"held": frozenset(), "response": None})
        verdicts[key] = {
            "held": frozenset(earlier["held"]) | frozenset(held),
            "response": response or earlier["response"],
        }
        return with_flags(allowed, **{VERDICT_KEY: verdicts})

    def _wfmon_approval_held(self, action_name, allowed):
        """The records the guard of ``action_name`` holds in this call chain:
        those of ``self`` it did not let through (``allowed``, as it returned
        them) and those an outer override of the same action held before
        calling ``super()`` with the others (they travel with ``allowed``)."""
        held_ids = self._wfmon_verdict(allowed, action_name)["held"]
        return (self - allowed) | self.browse(sorted(held_ids))

    @api.model
    def _wfmon_passed_ids(self, records, action_name):
        """Ids of the records of ``records``' model the guard of ``action_name``
        let through in this call chain (a server flag of their context)."""
        passed = flag(records.env.context, PASSED_KEY) or {}
        return passed.get(f"{records._name}.{action_name}", ())

    @api.model
    def _wfmon_default_snapshot(self, record, policy, scope_fields=None):
        """The policy, its amount and currency, the scope fields and the model's
        ``_wfmon_approval_snapshot_fields`` of ``record``."""
        record = record.sudo()
        if scope_fields is None:
            scope_fields = (
                getattr(record, "_wfmon_approval_site_field", None),
                getattr(record, "_wfmon_approval_case_type_field", None),
            )
        names = [
            policy.amount_field,
            policy.currency_field,
            *scope_fields,
            *getattr(record, "_wfmon_approval_snapshot_fields", ()),
        ]
        values = {"policy": policy.id}
        for fname in filter(None, names):
            field = record._fields[fname]
            if fname in scope_fields and field.related:
                # A derived scope (the site of the order's warehouse): what a
                # person sets is the first field of its path. The mapping filled
                # in later (a warehouse given its site) changes nothing approved.
                fname = field.related.split(".")[0]
            value = record[fname]
            if isinstance(value, models.BaseModel):
                value = value.ids
            values[fname] = value
        return values

    def action_wfmon_view_approvals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_approvals.wfmon_approval_request_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        requests = self.env["wfmon.approval.request"].search(action["domain"], limit=2)
        if len(requests) == 1:
            # The one request of the document: straight to it.
            action.update({"res_id": requests.id, "view_mode": "form", "views": [(False, "form")]})
        return action

    @api.model
    def _wfmon_guarded(self, action_name):
        """Whether ``action_name`` is guarded on this model."""
        return action_name in self._wfmon_guarded_actions
