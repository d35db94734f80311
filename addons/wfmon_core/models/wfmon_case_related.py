from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.osv import expression

#: the document a case concerns, set by the engine only (see _wfmon_link_document)
RELATED_FIELDS = {"related_model", "related_res_id", "related_name"}


class WfmonCase(models.Model):
    """Related cases: a case may concern a document other than its source (a
    customer complaint on a ticket concerns a delivery). Cases about the same
    document find each other through it, whatever module opened them:

    - a case concerning document D shows the open cases whose source is D, and
      the other open cases concerning D;
    - a case whose source is D shows the open cases concerning D.

    No module needs to know another: the link is a model name and an id.
    """

    # One concern of the model per file (its lifecycle is in the file named after it).
    _inherit = "wfmon.case"  # pylint: disable=consider-merging-classes-inherited

    related_model = fields.Char(string="Concerns Model", index=True, readonly=True, copy=False)
    related_res_id = fields.Many2oneReference(
        string="Concerns ID", model_field="related_model", index=True, readonly=True, copy=False
    )
    related_name = fields.Char(
        string="Concerns Document",
        readonly=True,
        copy=False,
        help="The document this case is about when it is not its source, e.g. the "
        "delivery a customer complaint concerns.",
    )
    related_case_ids = fields.Many2many(
        "wfmon.case",
        compute="_compute_related_cases",
        string="Related Cases",
        help="Open cases about the same document (those you may see).",
    )
    related_case_count = fields.Integer(compute="_compute_related_cases")
    related_case_note = fields.Text(
        compute="_compute_related_cases",
        string="Related Cases (all)",
        help="Every open case about the same document, by reference, type, state and "
        "team, including those you may not open.",
    )

    @api.model
    def _wfmon_engine_field_names(self):
        return super()._wfmon_engine_field_names() | RELATED_FIELDS

    def _related_case_domain(self):
        """Domain of the open cases related to any case of ``self`` (or False)."""
        own = defaultdict(set)
        concerned = defaultdict(set)
        for case in self:
            if case.res_model and case.res_id:
                own[case.res_model].add(case.res_id)
            if case.related_model and case.related_res_id:
                concerned[case.related_model].add(case.related_res_id)
        parts = []
        for model, ids in concerned.items():
            parts.append([("res_model", "=", model), ("res_id", "in", sorted(ids))])
            parts.append([("related_model", "=", model), ("related_res_id", "in", sorted(ids))])
        for model, ids in own.items():
            parts.append([("related_model", "=", model), ("related_res_id", "in", sorted(ids))])
        if not parts:
            return False
        return expression.AND([[("is_open", "=", True)], expression.OR(parts)])

    @api.depends("res_model", "res_id", "related_model", "related_res_id")
    def _compute_related_cases(self):
        domain = self._related_case_domain()
        fnames = ["name", "res_model", "res_id", "related_model", "related_res_id"]
        fnames += ["type_id", "state", "team_id"]
        # sudo: the note names every related case (reference, type, state, team) so
        # that someone handling a complaint knows the delivery has its own case
        # and who owns it, even without the right to open it; the records
        # themselves (related_case_ids) are those the user may read.
        everyone = self.sudo().search_fetch(domain, fnames) if domain else self.browse()
        visible = set(self.search(domain).ids) if domain else set()
        states = dict(self._fields["state"]._description_selection(self.env))
        for case in self:
            mine = (case.res_model, case.res_id)
            about = (case.related_model, case.related_res_id) if case.related_model else None
            related = everyone.filtered(
                lambda c, mine=mine, about=about, me=case.id: (
                    c.id != me
                    and (
                        (about and ((c.res_model, c.res_id) == about))
                        or (about and (c.related_model, c.related_res_id) == about)
                        or (c.related_model, c.related_res_id) == mine
                    )
                )
            )
            case.related_case_ids = [(6, 0, [c.id for c in related if c.id in visible])]
            case.related_case_count = len(related)
            case.related_case_note = (
                "\n".join(
                    " · ".join(
                        filter(
                            None,
                            [c.name, c.type_id.name, states.get(c.state), c.team_id.name],
                        )
                    )
                    for c in related
                )
                or False
            )

    def _wfmon_link_document(self, document):
        """Say that these cases concern ``document`` (a record, or an empty
        recordset / False to clear the link); the open cases on the document
        get a note naming them. Engine write, logged on each case."""
        cases = self.filtered(
            lambda c: (
                (c.related_model, c.related_res_id)
                != ((document._name, document.id) if document else (False, 0))
            )
        )
        if not cases:
            return self
        if document:
            vals = {
                "related_model": document._name,
                "related_res_id": document.id,
                "related_name": document.display_name,
            }
        else:
            vals = {"related_model": False, "related_res_id": False, "related_name": False}
        cases._wfmon_engine().write(vals)
        # Other cases' related lists depend on this link too.
        self.invalidate_model(["related_case_ids", "related_case_count", "related_case_note"])
        cases._log_batch(
            "note",
            reasons=self.env._("Concerns %s", vals["related_name"])
            if document
            else self.env._("No longer concerns a document"),
        )
        if document:
            # sudo: the cases on the document may belong to another team; they are
            # told of the complaint whoever filed it.
            on_document = (
                self.sudo()
                .search(
                    [
                        ("res_model", "=", document._name),
                        ("res_id", "=", document.id),
                        ("is_open", "=", True),
                    ]
                )
                .filtered(lambda c: c not in cases)
            )
            for target in on_document:
                target.message_post(
                    body=Markup("<p>%s</p>")
                    % self.env._(
                        "Related case: %(names)s concerns this case's document.",
                        names=", ".join(cases.mapped("name")),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return self

    def action_view_related_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("wfmon_core.wfmon_case_action")
        action["domain"] = [("id", "in", self.related_case_ids.ids)]
        action["context"] = {"create": False}
        return action
