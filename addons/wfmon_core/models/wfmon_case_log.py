from odoo import api, fields, models
from odoo.exceptions import AccessError

from .precompute import add_precomputed
from .wfmon_engine_mixin import ALL_FIELDS

LOG_ACTIONS = [
    ("open", "Opened"),
    ("state", "Status change"),
    ("assign", "Assignment"),
    ("team", "Team change"),
    ("severity", "Severity change"),
    ("sla", "SLA status"),
    ("escalate", "Escalation"),
    ("resolve", "Resolved"),
    ("auto_resolve", "Auto-resolved"),
    ("reopen", "Reopened"),
    ("override", "Override"),
    ("approval", "Approval decision"),
    ("retry", "Retry"),
    ("note", "Note"),
]


class WfmonCaseLog(models.Model):
    """Append-only audit trail: who did what to a case, when, and why.

    Nobody edits or deletes a line through the ORM, administrators included;
    lines are created by the engine only (:meth:`wfmon.case._log_batch`), on
    behalf of the acting user, with every value given: no ``default_*`` key of
    a caller's context fills in a date or a stamp.
    """

    _name = "wfmon.case.log"
    # The engine guard first, then the bulk insert (see wfmon_append_mixin.py).
    _inherit = ["wfmon.engine.mixin", "wfmon.append.mixin"]
    _description = "Case Audit Log"
    _order = "date desc, id desc"
    _rec_name = "action"
    _wfmon_engine_fields = ALL_FIELDS
    _wfmon_engine_create = True

    case_id = fields.Many2one("wfmon.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(
        related="case_id.company_id", store=True, index=True, precompute=True
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", required=True, default=lambda self: self.env.uid, readonly=True
    )
    action = fields.Selection(LOG_ACTIONS, required=True, readonly=True)
    old_value = fields.Char(readonly=True)
    new_value = fields.Char(readonly=True)
    reason = fields.Text(readonly=True)
    automated = fields.Boolean(
        readonly=True,
        help="Done by the system (scanner, detector, escalation) rather than a person.",
    )
    res_model = fields.Char(string="Related Model", readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", readonly=True)
    # What the screens show: the stored values are codes for the machines that
    # read the log (exports, events); people read the labels of those codes.
    old_label = fields.Char(string="From", compute="_compute_labels")
    new_label = fields.Char(string="To", compute="_compute_labels")

    #: the case field whose selection names the values of each action
    _VALUE_FIELDS = {
        "open": "state",
        "state": "state",
        "resolve": "state",
        "auto_resolve": "state",
        "reopen": "state",
        "sla": "sla_status",
    }

    @api.depends("action", "old_value", "new_value")
    def _compute_labels(self):
        Case = self.env["wfmon.case"]
        labels = {
            fname: dict(Case._fields[fname]._description_selection(self.env))
            for fname in set(self._VALUE_FIELDS.values())
        }
        for line in self:
            names = labels.get(self._VALUE_FIELDS.get(line.action), {})
            line.old_label = names.get(line.old_value, line.old_value)
            line.new_label = names.get(line.new_value, line.new_value)

    @api.model
    def _add_precomputed_values(self, vals_list):
        # The company of the batch's cases, read once (see precompute.py).
        add_precomputed(self, vals_list)
        return super()._add_precomputed_values(vals_list)

    def write(self, vals):
        if vals:
            raise AccessError(self.env._("Audit log lines cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("Audit log lines cannot be deleted."))
