from odoo import api, fields, models

from ..tools.severity import SEVERITIES


class IrActionsServer(models.Model):
    """A server action type "Raise / resolve an exception case".

    It appears in the standard Server Actions and Automation Rules forms, so
    an administrator turns any Automation Rule into a monitor without code.
    """

    _inherit = "ir.actions.server"

    state = fields.Selection(
        selection_add=[("wfmon_case", "Exception Case")],
        ondelete={"wfmon_case": "cascade"},
    )
    wfmon_case_type_id = fields.Many2one("wfmon.case.type", string="Case Type", ondelete="restrict")
    wfmon_mode = fields.Selection(
        [("raise", "Open (or bump) a case"), ("clear", "Resolve the open case")],
        string="Case Action",
        default="raise",
    )
    wfmon_severity = fields.Selection(
        SEVERITIES, string="Case Severity", help="Empty: the case type's default."
    )
    wfmon_impact_field_id = fields.Many2one(
        "ir.model.fields",
        string="Impact Field",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('monetary', 'float', 'integer'))]",
        help="Numeric field of the record used as the case's business impact.",
    )
    wfmon_reason = fields.Char(
        string="Resolution Reason", translate=True, help="Logged when the case is resolved."
    )

    @api.depends(
        # base_automation's dependencies, plus ours
        "state",
        "update_field_id",
        "crud_model_id",
        "value",
        "evaluation_type",
        "template_id",
        "partner_ids",
        "activity_summary",
        "sms_template_id",
        "webhook_url",
        "wfmon_case_type_id",
        "wfmon_mode",
    )
    def _compute_name(self):
        result = super()._compute_name()
        # Like base_automation: only actions of an automation rule get a name.
        for action in self.filtered(
            lambda a: a.state == "wfmon_case" and a.wfmon_case_type_id and a.base_automation_id
        ):
            verb = (
                self.env._("Open case")
                if action.wfmon_mode == "raise"
                else self.env._("Resolve case")
            )
            action.name = f"{verb}: {action.wfmon_case_type_id.name}"
        return result

    def _run_action_wfmon_case_multi(self, eval_context=None):
        eval_context = eval_context or {}
        records = eval_context.get("records") or eval_context.get("record")
        if not records or not self.wfmon_case_type_id:
            return False
        Case = self.env["wfmon.case"]
        code = self.wfmon_case_type_id.code
        if self.wfmon_mode == "clear":
            Case._clear(
                code,
                records,
                reason=self.wfmon_reason or self.env._("Cleared by '%s'.", self.name),
            )
            return False
        impact = None
        if self.wfmon_impact_field_id:
            fname = self.wfmon_impact_field_id.name
            impact = {rec.id: rec[fname] for rec in records}
        Case._raise(code, records, severity=self.wfmon_severity or None, impact=impact)
        return False
