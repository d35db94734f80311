from odoo import api, fields, models


class WfmonCaseResolve(models.TransientModel):
    """What was done and why it happened: asked when a case is resolved."""

    _name = "wfmon.case.resolve"
    _description = "Resolve a Case"

    case_ids = fields.Many2many("wfmon.case", string="Cases", required=True)
    summary = fields.Char(compute="_compute_summary")
    root_cause_id = fields.Many2one(
        "wfmon.root.cause",
        string="Root Cause",
        compute="_compute_from_cases",
        store=True,
        readonly=False,
    )
    resolution_note = fields.Text(
        string="What Was Done",
        compute="_compute_from_cases",
        store=True,
        readonly=False,
        required=True,
    )

    @api.depends("case_ids")
    def _compute_summary(self):
        for wizard in self:
            wizard.summary = ", ".join(wizard.case_ids.mapped("summary"))

    @api.depends("case_ids")
    def _compute_from_cases(self):
        for wizard in self:
            cases = wizard.case_ids
            # What the cases already say (one case, or the same on all).
            causes = cases.root_cause_id
            notes = set(cases.mapped("resolution_note")) - {False, ""}
            wizard.root_cause_id = causes if len(causes) == 1 else wizard.root_cause_id
            wizard.resolution_note = notes.pop() if len(notes) == 1 else wizard.resolution_note

    def action_resolve(self):
        self.ensure_one()
        values = {"resolution_note": self.resolution_note}
        if self.root_cause_id:
            values["root_cause_id"] = self.root_cause_id.id
        self.case_ids.write(values)
        self.case_ids.action_resolve()
        return {"type": "ir.actions.act_window_close"}
