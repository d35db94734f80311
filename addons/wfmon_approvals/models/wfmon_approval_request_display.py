import json

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_amount, formatLang


class WfmonApprovalRequest(models.Model):
    """What people read on a request (kept apart from the engine): the values
    the approval was given on, in the document's own words."""

    _inherit = "wfmon.approval.request"

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
