from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

from ..tools.approval_matrix import DocumentFacts, PolicySpec, level_gaps, select_policy


class WfmonApprovalPolicy(models.Model):
    """One row of the approval matrix: which action of which model needs whose
    approval, for which documents (condition, amount band, scope)."""

    _name = "wfmon.approval.policy"
    _description = "Approval Policy"
    _order = "model_name, action_name, sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(
        default=10, help="Among equally specific policies, the lowest sequence wins."
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Empty: the policy applies in every company.",
    )
    model_id = fields.Many2one(
        "ir.model",
        string="Guarded Model",
        required=True,
        ondelete="cascade",
        domain=[("transient", "=", False)],
    )
    model_name = fields.Char(related="model_id.model", store=True, index=True, precompute=True)
    action_name = fields.Char(
        string="Guarded Action",
        required=True,
        help="Name of the method the approval guards, e.g. button_confirm.",
    )
    guarded_action = fields.Selection(
        selection="_selection_guarded_action",
        string="Action to Approve",
        compute="_compute_guarded_action",
        inverse="_inverse_guarded_action",
        help="The action of a document that waits for the approval, among those the "
        "installed modules can hold.",
    )
    condition_domain = fields.Char(
        string="Condition",
        default="[]",
        help="Only documents matching this domain need the approval.",
    )
    amount_field = fields.Char(
        string="Amount",
        help="The document's amount compared with the band (e.g. its total). "
        "Empty: the amount is 0.",
    )
    currency_field = fields.Char(
        string="Amount Currency",
        help="The currency of the document's amount. Amounts in another currency are "
        "converted into the policy's currency.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        help="Currency of the band and of the auto-approve limit.",
    )
    min_amount = fields.Monetary(
        string="From Amount", currency_field="currency_id", help="Included."
    )
    max_amount = fields.Monetary(
        string="Below Amount",
        currency_field="currency_id",
        help="Excluded. 0: no upper limit.",
    )
    auto_approve_limit = fields.Monetary(
        currency_field="currency_id",
        help="Documents below this amount are approved by the system at once "
        "(logged as an automatic approval). 0: never.",
    )
    site_id = fields.Many2one(
        "wfmon.site",
        string="Store / Warehouse",
        help="Only documents of this store or warehouse. Empty: all of them.",
    )
    case_type_id = fields.Many2one(
        "wfmon.case.type",
        string="Exception Type",
        help="Only documents linked to this exception type (e.g. a credit hold). Empty: any.",
    )
    reason_required_on_approve = fields.Boolean(
        help="Approvers must give a reason to approve (a reason is always required to reject)."
    )
    incompatible_group_ids = fields.Many2many(
        "res.groups",
        "wfmon_approval_policy_incompatible_group_rel",
        "policy_id",
        "group_id",
        string="Incompatible Groups",
        help="Segregation of duties: members of these groups never approve under this policy.",
    )
    deadline_hours = fields.Float(
        default=lambda self: self.env.company.wfmon_approval_deadline_hours,
        help="Working hours each level has to decide. 0: no deadline, no reminder.",
    )
    remind_ratio = fields.Float(
        default=lambda self: self.env.company.wfmon_approval_remind_ratio,
        help="Share of the deadline (0-1) after which the approvers are reminded once. "
        "0: no reminder.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        help="Calendar the deadline counts in. Empty: the company's monitoring hours.",
    )
    escalation_user_id = fields.Many2one(
        "res.users",
        string="Escalate To",
        help="Who takes over at breach when the level has no backup approver and the "
        "document's store has no manager.",
    )
    level_ids = fields.One2many("wfmon.approval.level", "policy_id", string="Levels", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    level_summary = fields.Char(string="Approvers", compute="_compute_level_count")
    request_count = fields.Integer(compute="_compute_request_count")
    level_warning = fields.Text(
        string="Levels That May Have Nobody",
        compute="_compute_level_warning",
        help="Levels that segregation of duties may leave with nobody eligible: such a "
        "level goes to the backup approver or the escalation contact, and an "
        "administrator is told.",
    )
    note = fields.Text(translate=True)

    # ------------------------------------------------------------------
    # Compute / constraints
    # ------------------------------------------------------------------
    @api.model
    def _selection_guarded_action(self):
        """Every action a model of the registry holds for approval
        (``_wfmon_guarded_actions`` of wfmon.approval.mixin), by its label and
        its model's name: ``"model/method"`` keys."""
        choices = []
        for name, Model in self.env.registry.items():
            actions = getattr(Model, "_wfmon_guarded_actions", None)
            if not actions or Model._abstract or Model._transient:
                continue
            description = self.env["ir.model"]._get(name).name or Model._description
            for method, label in actions.items():
                choices.append((f"{name}/{method}", f"{label} ({description})"))
        return sorted(choices, key=lambda choice: choice[1])

    @api.depends("model_name", "action_name")
    def _compute_guarded_action(self):
        keys = {key for key, _label in self._selection_guarded_action()}
        for policy in self:
            key = f"{policy.model_name}/{policy.action_name}"
            policy.guarded_action = key if key in keys else False

    def _inverse_guarded_action(self):
        for policy in self.filtered("guarded_action"):
            model_name, action_name = policy.guarded_action.split("/", 1)
            policy.model_id = self.env["ir.model"]._get(model_name)
            policy.action_name = action_name

    @api.onchange("guarded_action")
    def _onchange_guarded_action(self):
        # The form needs the model at once: the condition and the amount
        # fields are chosen among its fields.
        self._inverse_guarded_action()

    @api.depends("level_ids.sequence", "level_ids.display_name")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)
            policy.level_summary = " → ".join(policy.level_ids.mapped("display_name"))

    @api.depends(
        "level_ids.approver_kind",
        "level_ids.user_ids",
        "level_ids.group_id",
        "level_ids.backup_user_id",
        "level_ids.sequence",
        "incompatible_group_ids",
        "escalation_user_id",
    )
    def _compute_level_warning(self):
        for policy in self:
            levels = policy.level_ids.sorted(lambda lv: (lv.sequence, lv.id))
            # sudo: the members of the groups, whatever the editor may read.
            incompatible = policy.incompatible_group_ids.sudo().users.ids
            gaps = level_gaps([level._plan() for level in levels], incompatible)
            lines = [policy._gap_text(gap) for gap in gaps]
            if lines:
                lines.append(
                    self.env._(
                        "Such a level goes to %s, and an administrator is told.",
                        policy._fallback_text(),
                    )
                )
            policy.level_warning = "\n".join(lines) or False

    def _gap_text(self, gap):
        # sudo: names of the approvers the matrix names, for its editor.
        names = ", ".join(self.env["res.users"].sudo().browse(gap.users).mapped("name"))
        return {
            "empty": self.env._("Level '%s' names nobody.", gap.level),
            "incompatible": self.env._(
                "Level '%s': all its approvers are in an incompatible group.", gap.level
            ),
            "earlier": self.env._(
                "Level '%(level)s': its only approvers (%(names)s) also approve an earlier "
                "level, and a person who decided one level cannot decide the next.",
                level=gap.level,
                names=names,
            ),
            "document": self.env._(
                "Level '%s' asks a person named by the document, who may be missing or "
                "excluded, and has no backup approver.",
                gap.level,
            ),
        }[gap.reason]

    def _fallback_text(self):
        self.ensure_one()
        if self.escalation_user_id:
            return self.env._(
                "the store or warehouse manager, else %s (the escalation contact)",
                self.escalation_user_id.name,
            )
        return self.env._(
            "the store or warehouse manager, if the document has one (no escalation contact is set)"
        )

    def _compute_request_count(self):
        groups = self.env["wfmon.approval.request"]._read_group(
            [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]
        )
        counts = {policy.id: count for policy, count in groups}
        for policy in self:
            policy.request_count = counts.get(policy.id, 0)

    @api.constrains("model_id", "action_name", "amount_field", "currency_field", "condition_domain")
    def _check_guarded_fields(self):
        for policy in self:
            if policy.model_name not in self.env:
                continue
            Model = self.env[policy.model_name]
            if not callable(getattr(Model, policy.action_name or "", None)):
                raise ValidationError(
                    self.env._(
                        "%(model)s has no method %(action)s.",
                        model=policy.model_name,
                        action=policy.action_name,
                    )
                )
            for fname, types in (
                (policy.amount_field, ("float", "monetary", "integer")),
                (policy.currency_field, ("many2one",)),
            ):
                if fname and (fname not in Model._fields or Model._fields[fname].type not in types):
                    raise ValidationError(
                        self.env._(
                            "%(model)s has no field %(field)s of type %(types)s.",
                            model=policy.model_name,
                            field=fname,
                            types=", ".join(types),
                        )
                    )
            try:
                # sudo: only checks that the domain is valid on the model.
                Model.sudo().search_count(policy._condition(), limit=1)
            except Exception as exc:
                raise ValidationError(
                    self.env._(
                        "Invalid condition on %(policy)s: %(error)s", policy=policy.name, error=exc
                    )
                ) from exc

    @api.constrains("min_amount", "max_amount", "remind_ratio", "deadline_hours")
    def _check_band(self):
        for policy in self:
            if policy.max_amount and policy.max_amount <= policy.min_amount:
                raise ValidationError(
                    self.env._("The upper amount of %s must exceed its lower amount.", policy.name)
                )
            if not 0 <= policy.remind_ratio < 1 or policy.deadline_hours < 0:
                raise ValidationError(
                    self.env._("Reminder ratio must lie in [0, 1) and the deadline be positive.")
                )

    def _condition(self):
        self.ensure_one()
        domain = safe_eval(self.condition_domain or "[]")
        return domain if isinstance(domain, list) else []

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_approvals.wfmon_approval_request_action"
        )
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Selection (the thin shell around tools.approval_matrix.select_policy)
    # ------------------------------------------------------------------
    def _spec(self):
        self.ensure_one()
        return PolicySpec(
            key=self.id,
            name=self.name,
            model=self.model_name,
            action=self.action_name,
            sequence=self.sequence,
            company_id=self.company_id.id or None,
            site_id=self.site_id.id or None,
            case_type_id=self.case_type_id.id or None,
            min_amount=self.min_amount,
            max_amount=self.max_amount,
            has_condition=bool(self._condition()),
            extra_scopes=self._extra_scopes(),
        )

    def _extra_scopes(self):
        """Names of the additional scopes this policy restricts.

        Hook for modules adding scope fields (e.g. "credit hold" in distribution):
        return their names here. A scope holds on a document whose approval holds
        (``wfmon_approval_holds`` of ``wfmon.approval.mixin``, filled by the
        documents' ``_wfmon_approval_hold_names``) name it; a scope read another
        way is reported by extending :meth:`_extra_scopes_ok`.
        """
        return ()

    @api.model
    def _scope_labels(self):
        """``{scope name: label}`` of the scopes of :meth:`_extra_scopes`, for
        the screens: a document's signals are shown in words, not as names."""
        return {}

    @api.model
    def _scope_reasons(self):
        """``{scope name: why it holds on a document, in words}`` for the
        explanation of a request ("the customer is over its credit limit");
        by default the scope's label."""
        return {scope: label.lower() for scope, label in self._scope_labels().items()}

    def _extra_scopes_ok(self, records):
        """``{record id: {policy id: frozenset(names of extra scopes that hold)}}``:
        the approval holds of each record, for every policy with extra scopes."""
        scoped = self.filtered(lambda p: p._extra_scopes())
        if not scoped or "wfmon_approval_holds" not in records._fields:
            return {}
        # One batch computation of the documents' holds for all the records.
        result = {}
        for record in records:
            holds = frozenset((record.wfmon_approval_holds or "").split(",")) - {""}
            result[record.id] = {policy.id: holds for policy in scoped}
        return result

    @api.model
    def _select(self, records, action_name, site_field=None, case_type_field=None):
        """Choose the policy of each record for ``action_name``.

        Costs one query for the policies plus one per policy with a condition,
        whatever the number of records.

        :return: ``{record id: (policy, explanation, facts)}`` for the records a
            policy applies to
        """
        if not records:
            return {}
        # sudo: the matrix is configuration every requester must be checked
        # against, even people without access to the approval menus. Archived
        # policies never apply, whatever the caller's context says (active_test).
        policies = (
            self.sudo()
            .with_context(active_test=True)
            .search([("model_name", "=", records._name), ("action_name", "=", action_name)])
        )
        if not policies:
            return {}
        specs = {policy.id: policy._spec() for policy in policies}
        condition_ok = {}
        for policy in policies:
            domain = policy._condition()
            if domain:
                # sudo: the condition is evaluated on behalf of the policy, not the user.
                matching = records.sudo().search([("id", "in", records.ids), *domain])
                condition_ok[policy.id] = set(matching.ids)
        extra = policies._extra_scopes_ok(records)
        amounts = self._amounts(records, policies)
        site_field = site_field or getattr(records, "_wfmon_approval_site_field", None)
        type_field = case_type_field or getattr(records, "_wfmon_approval_case_type_field", None)
        result = {}
        # sudo: scope and amounts are read on behalf of the policy, not the user.
        scope_reasons = self._scope_reasons()
        action_label = self.env._(
            "%(action)s of a %(document)s",
            action=getattr(records, "_wfmon_guarded_actions", {}).get(action_name, action_name),
            document=records._description,
        )
        for record in records.sudo():
            site = record[site_field] if site_field else self.env["wfmon.site"]
            case_type = record[type_field] if type_field else self.env["wfmon.case.type"]
            facts = DocumentFacts(
                model=records._name,
                action=action_name,
                company_id=self._record_company(record).id,
                site_id=site.id or None,
                case_type_id=case_type.id or None,
                condition_ok=frozenset(
                    pid for pid, ids in condition_ok.items() if record.id in ids
                ),
                extra_ok=extra.get(record.id, {}),
                amounts=amounts[record.id],
                site_label=site.display_name or "",
                case_type_label=case_type.display_name or "",
                scope_reasons=scope_reasons,
                action_label=action_label,
            )
            selection = select_policy(specs.values(), facts)
            if selection.policy:
                policy = policies.browse(selection.policy.key).with_env(self.env)
                result[record.id] = (policy, selection.explanation, facts)
        return result

    @api.model
    def _record_company(self, record):
        # sudo: the company of a document the caller already acts on.
        company = record.sudo()["company_id"] if "company_id" in record._fields else False
        return company or self.env.company

    @api.model
    def _amounts(self, records, policies):
        """``{record id: {policy id: amount in the policy's currency}}``.

        Conversion rates are looked up once per (from, to, company) pair, so the
        cost does not grow with the number of records.
        """
        result = {rec.id: {} for rec in records}
        rate_cache = {}
        today = fields.Date.context_today(self)
        for policy in policies:
            # sudo: amounts are read on behalf of the policy, not the user.
            for record in records.sudo():
                amount = record[policy.amount_field] if policy.amount_field else 0.0
                currency = record[policy.currency_field] if policy.currency_field else False
                target = policy.currency_id
                if amount and currency and currency != target:
                    company = self._record_company(record)
                    key = (currency.id, target.id, company.id)
                    if key not in rate_cache:
                        rate_cache[key] = currency._get_conversion_rate(
                            currency, target, company, today
                        )
                    amount = target.round(amount * rate_cache[key])
                result[record.id][policy.id] = amount or 0.0
        return result
