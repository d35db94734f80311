import json

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_amount, formatLang

from ..tools.approval_matrix import NoApprover, route_level
from .wfmon_approval_request import PROTECTED_FIELDS


class WfmonApprovalRequest(models.Model):
    """What people read on a request (kept apart from the engine): the values
    the approval was given on, in the document's own words."""

    _inherit = "wfmon.approval.request"
    _wfmon_engine_fields = frozenset(PROTECTED_FIELDS | {"successor_id", "expiry_reason"})

    successor_id = fields.Many2one(
        "wfmon.approval.request",
        string="Replaced By",
        readonly=True,
        index="btree_not_null",
        help="The request that replaced this one when it expired (the document changed).",
    )
    expiry_reason = fields.Text(string="Why It Expired", readonly=True)

    snapshot_html = fields.Html(
        string="Values Approved",
        compute="_compute_snapshot_html",
        sanitize=True,
        help="The values of the document the approval was asked on; a change of any of "
        "them after the approval asks for a new one.",
    )

    action_label = fields.Char(
        string="Action",
        compute="_compute_action_label",
        help="What the document waits to do until it is approved.",
    )

    routing_warning = fields.Text(
        string="Later Levels Without Approver",
        compute="_compute_routing_warning",
        help="The later levels of this request that nobody may be eligible to decide once "
        "the current one is decided, and where they will go instead.",
    )

    @api.depends("state", "level_id", "assignment_ids.state", "decision_ids")
    def _compute_routing_warning(self):
        for request in self:
            request.routing_warning = (
                request._later_level_gaps() if request.state == "pending" else False
            )

    def _later_level_gaps(self):
        """What the request form says before anyone decides: the later levels
        segregation of duties may leave with nobody, once the people asked now
        (and those who decided before) are out of them."""
        self.ensure_one()
        # sudo: the routing of the request, read for whoever may see it.
        request = self.sudo()
        current = request.level_id
        if not current:
            return False
        later = request.policy_id.level_ids.filtered(
            lambda lv: (lv.sequence, lv.id) > (current.sequence, current.id)
        ).sorted(lambda lv: (lv.sequence, lv.id))
        document = self.env[request.res_model].browse(request.res_id).sudo().exists()
        if not later or not document:
            return False
        day = fields.Date.context_today(self)
        delegations = self.env["wfmon.approval.delegation"]._active_specs(day)
        # Whoever decides now or decided before is out of the later levels.
        deciders = set(
            request.decision_ids.filtered(lambda d: d.decision in ("approve", "reject")).user_id.ids
        ) | set(request.assignment_ids.filtered(lambda a: a.state == "pending").user_id.ids)
        incompatible = request.policy_id.incompatible_group_ids.users.ids
        lines = []
        for level in later:
            raw = level._raw_approvers(document).get(document.id, [])
            try:
                route_level(
                    raw,
                    requester=request.requester_id.id,
                    decided=deciders,
                    incompatible=incompatible,
                    delegations=delegations,
                    day=day,
                    backup=level.backup_user_id.id or None,
                )
            except NoApprover as exc:
                names = {
                    u.id: u.name
                    for u in self.env["res.users"]
                    .sudo()
                    .browse([user for user, _why in exc.excluded])
                }
                who = ", ".join(
                    dict.fromkeys(names.get(user, "") for user, _why in exc.excluded)
                ) or self.env._("nobody is named")
                lines.append(
                    self.env._(
                        "Level '%(level)s' will have nobody eligible to decide it (%(who)s: "
                        "a person who decided one level cannot decide the next, nor the "
                        "requester). It will go to %(fallback)s, and an administrator "
                        "will be told.",
                        level=level.name,
                        who=who,
                        fallback=request.policy_id._fallback_text(),
                    )
                )
            deciders |= set(raw)
        return "\n".join(lines) or False

    @api.depends("res_model", "action_name")
    def _compute_action_label(self):
        for request in self:
            Model = self.env.get(request.res_model)
            actions = getattr(Model, "_wfmon_guarded_actions", None) or {}
            request.action_label = actions.get(request.action_name) or request.action_name

    @api.depends("snapshot", "res_model", "policy_id", "currency_id")
    def _compute_snapshot_html(self):
        for request in self:
            rows = request._snapshot_rows()
            request.snapshot_html = (
                Markup('<table class="table table-sm o_wfmon_snapshot"><tbody>%s</tbody></table>')
                % Markup().join(
                    Markup("<tr><th>%s</th><td>%s</td></tr>") % (label, value)
                    for label, value in rows
                )
                if rows
                else False
            )

    def _snapshot_rows(self):
        """``[(label, value)]`` of the snapshot: field labels of the document's
        model, names of linked records, amounts in the request's currency."""
        self.ensure_one()
        try:
            values = json.loads(self.snapshot or "{}")
        except ValueError:
            return []
        Model = self.env.get(self.res_model)
        if Model is None:
            return []
        amount_field = self.policy_id.amount_field
        rows = []
        for fname, value in values.items():
            if fname == "policy":
                rows.append((self.env._("Policy"), self.policy_id.display_name))
                continue
            field = Model._fields.get(fname)
            if field is None:
                continue
            rows.append(
                (
                    field._description_string(self.env),
                    self._snapshot_value(field, value, fname == amount_field),
                )
            )
        return rows

    def _snapshot_value(self, field, value, is_amount):
        if field.relational:
            ids = value if isinstance(value, list) else [value] if value else []
            # sudo: names only, of the records the approval was given on; the
            # reader may see the request but not every linked record.
            names = self.env[field.comodel_name].sudo().browse(ids).exists().mapped("display_name")
            return ", ".join(names) or self.env._("None")
        if field.type == "char" and value:
            # A document's signals (e.g. "credit_hold,margin_or_discount") by
            # the labels of the matrix's scopes.
            names = self.env["wfmon.approval.policy"]._scope_labels()
            Model = self.env.get(self.res_model)
            if Model is not None and hasattr(Model, "_wfmon_code_labels"):
                names = {**names, **Model._wfmon_code_labels(field.name)}
            codes = value.split(",")
            if all(code in names for code in codes):
                return ", ".join(names[code] for code in codes)
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if is_amount and self.currency_id:
                return format_amount(self.env, value, self.currency_id)
            return formatLang(self.env, value)
        return value if value not in (None, False, "") else self.env._("None")

    def _snapshot_labels(self, keys):
        """The labels of the snapshot keys ``keys`` (fields of the document's
        model; ``policy`` is the policy), for the reason a request expired."""
        self.ensure_one()
        Model = self.env.get(self.res_model)
        labels = []
        for key in keys:
            if key == "policy":
                labels.append(self.env._("the policy"))
            elif Model is not None and key in Model._fields:
                labels.append(Model._fields[key]._description_string(self.env))
            else:
                labels.append(key)
        return labels

    def _link_successors(self, created):
        """These expired requests were replaced by ``created`` (the new requests
        of the same documents and actions): each names its successor."""
        new_of = {(r.res_model, r.res_id, r.action_name): r for r in created}
        bodies = {}
        for request in self:
            successor = new_of.get((request.res_model, request.res_id, request.action_name))
            if not successor:
                continue
            reason = self.env._(
                "%(reason)s Replaced by %(name)s.",
                reason=request.expiry_reason or "",
                name=successor.name,
            ).strip()
            request._engine().write({"successor_id": successor.id, "expiry_reason": reason})
            bodies[request.id] = Markup("<p>%s</p>") % self.env._("Replaced by %s.", successor.name)
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies=bodies)
