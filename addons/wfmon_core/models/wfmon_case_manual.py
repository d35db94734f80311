from odoo import api, fields, models

# Which case types a site's kind makes someone's work: a store's staff report
# retail issues, a warehouse's distribution ones; everyone reports general ones.
DOMAINS_OF_SITE_KIND = {
    "store": ("retail",),
    "warehouse": ("distribution",),
    "office": (),
}


class WfmonCase(models.Model):
    """A case reported by hand: it starts at the reporter's own store, with the
    case types of their line of work offered first."""

    # One concern of the model per file (reporting by hand).
    _inherit = "wfmon.case"  # pylint: disable=consider-merging-classes-inherited

    reportable_type_ids = fields.Many2many(
        "wfmon.case.type",
        string="Types to Report",
        compute="_compute_reportable_type_ids",
        help="The case types offered when reporting by hand: general ones and those of the "
        "kind of site you work at (managers: every type).",
    )

    @api.depends_context("uid")
    def _compute_reportable_type_ids(self):
        types = self.env["wfmon.case.type"].search(
            [("domain", "in", self._reporter_domains(self.env.user))]
        )
        for case in self:
            case.reportable_type_ids = types | case.type_id

    @api.model
    def _reporter_sites(self, user):
        """The sites ``user`` works at (staff or manager), in site order."""
        return self.env["wfmon.site"].search(
            ["|", ("user_ids", "in", user.id), ("manager_id", "=", user.id)]
        )

    @api.model
    def _reporter_domains(self, user):
        """Case type domains ``user`` reports in by hand."""
        domain_field = self.env["wfmon.case.type"]._fields["domain"]
        every = [value for value, _label in domain_field._description_selection(self.env)]
        if user.has_group("wfmon_core.group_wfmon_manager"):
            return every
        domains = {"general"}
        for kind in set(self._reporter_sites(user).mapped("kind")):
            domains.update(DOMAINS_OF_SITE_KIND.get(kind, ()))
        return [value for value in every if value in domains]

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "site_id" in fields_list and not values.get("site_id"):
            values["site_id"] = self._reporter_sites(self.env.user)[:1].id or False
        if "type_id" in fields_list and not values.get("type_id"):
            manual = self.env.ref("wfmon_core.case_type_manual", raise_if_not_found=False)
            if manual and manual.active and manual.has_access("read"):
                values["type_id"] = manual.id
        return values

    def action_open_resolve(self):
        """Ask for the root cause and the resolution note in a small dialog."""
        self._check_open()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Resolve"),
            "res_model": "wfmon.case.resolve",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_ids": self.ids},
        }
