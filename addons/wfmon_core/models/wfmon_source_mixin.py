from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError


class WfmonSourceMixin(models.AbstractModel):
    """Records about one document of any model: its model and id, a link to it,
    its name when the record was made.

    Inherited by exception cases (the document a detector flagged) and approval
    requests (the document whose action waits). The source is kept as a model
    name and an id, not a foreign key, so that a record survives its document.
    """

    _name = "wfmon.source.mixin"
    _description = "Records about a source document"

    res_model = fields.Char(string="Source Model", index=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Source ID", model_field="res_model", index=True, readonly=True
    )
    source_ref = fields.Reference(
        selection="_selection_source_ref", compute="_compute_source_ref", string="Source"
    )
    source_name = fields.Char(string="Source Document", readonly=True)

    @api.model
    def _selection_source_ref(self):
        # sudo: the list of models is technical metadata every user may see.
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("res_model", "res_id")
    def _compute_source_ref(self):
        for record in self:
            if record.res_model and record.res_id and record.res_model in self.env:
                record.source_ref = f"{record.res_model},{record.res_id}"
            else:
                record.source_ref = False

    def action_open_source(self):
        self.ensure_one()
        if not self.source_ref:
            raise UserError(
                self.env._("The source document of %s no longer exists.", self.display_name)
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }

    def _source_records(self):
        """``{record id: source record or None}``, browsed once per model so that
        reading them prefetches together."""
        by_model = defaultdict(list)
        for record in self:
            by_model[record.res_model].append(record.res_id)
        docs = {}
        for model, ids in by_model.items():
            if model in self.env:
                for doc in self.env[model].browse(ids):
                    docs[(model, doc.id)] = doc
        return {record.id: docs.get((record.res_model, record.res_id)) for record in self}

    def _without_source(self):
        """The records whose source document was deleted (one query per model)."""
        by_model = defaultdict(set)
        for record in self:
            by_model[record.res_model].add(record.res_id)
        alive = set()
        for model, ids in by_model.items():
            if model in self.env:
                # sudo: an existence check, whatever the caller may read.
                alive |= {
                    (model, rid) for rid in self.env[model].sudo().browse(sorted(ids)).exists().ids
                }
        return self.filtered(lambda r: (r.res_model, r.res_id) not in alive)
