from odoo import api, fields, models, tools
from odoo.exceptions import MissingError
from odoo.tools import SQL

from ..tools.severity import SEVERITIES
from .lookup_cache import ROUTING, lookup_changed


class WfmonCaseType(models.Model):
    _name = "wfmon.case.type"
    _description = "Exception Case Type"
    _order = "domain, sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical code detectors use, e.g. 'distribution.fulfillment_at_risk'.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    domain = fields.Selection(
        [
            ("retail", "Retail"),
            ("distribution", "Distribution"),
            ("integration", "Integration"),
            ("general", "General"),
        ],
        default="general",
        required=True,
    )
    company_id = fields.Many2one("res.company", index=True)
    default_severity = fields.Selection(SEVERITIES, default="medium", required=True)
    sla_policy_id = fields.Many2one("wfmon.sla.policy", string="SLA Policy")
    team_id = fields.Many2one("wfmon.team", string="Default Team")
    blocking = fields.Boolean(
        help="An open case of this type blocks the next step of its source "
        "document where the detector supports it.",
    )
    auto_resolve = fields.Boolean(
        default=True,
        help="Resolve the case by itself when its detector reports that the "
        "condition no longer holds.",
    )
    playbook = fields.Html(translate=True, help="What to do, shown on every case of this type.")
    description = fields.Text(translate=True)
    case_ids = fields.One2many("wfmon.case", "type_id")
    # Counts of the open cases the current user sees (record rules apply).
    open_case_count = fields.Integer(compute="_compute_case_stats")
    my_case_count = fields.Integer(compute="_compute_case_stats")
    at_risk_case_count = fields.Integer(compute="_compute_case_stats")
    breached_case_count = fields.Integer(compute="_compute_case_stats")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The case type code must be unique."),
    ]

    # ------------------------------------------------------------------
    # Lookup by code (what every detector call starts with)
    # ------------------------------------------------------------------
    @api.model
    @tools.ormcache()
    def _wfmon_ids_by_code(self):
        """``{code: id}`` of every case type, archived ones included, read
        once per registry (worker) and kept until a type is created, deleted
        or changes its code (see :meth:`_wfmon_lookup_changed`)."""
        self.flush_model(["code"])
        self.env.cr.execute(SQL("SELECT code, id FROM wfmon_case_type"))
        return dict(self.env.cr.fetchall())

    @api.model
    def _wfmon_by_code(self, code):
        """The case type of ``code`` (archived included, as superuser: every
        detector reads its type whoever triggered it), or an empty recordset;
        no query once the registry's lookup is warm and the type is in the
        transaction's cache."""
        # sudo: case types are configuration every detector must read, even
        # when triggered by a user outside the monitoring groups.
        Type = self.sudo().with_context(active_test=False)
        type_id = self._wfmon_ids_by_code().get(code)
        if type_id and self._wfmon_cached_type_holds(Type.browse(type_id), code):
            return Type.browse(type_id)
        found = Type.search([("code", "=", code)], limit=1)
        if found or type_id:
            self._wfmon_lookup_changed()
        return found

    @api.model
    def _wfmon_cached_type_holds(self, case_type, code):
        """Whether the type the registry's lookup gives still has ``code``
        (it may be gone: created in a savepoint rolled back since)."""
        try:
            return case_type.code == code
        except MissingError:
            return False

    @api.model
    def _wfmon_lookup_changed(self):
        self.env.registry.clear_cache()

    @api.model_create_multi
    def create(self, vals_list):
        types = super().create(vals_list)
        self._wfmon_lookup_changed()
        return types

    def write(self, vals):
        res = super().write(vals)
        if "code" in vals:
            self._wfmon_lookup_changed()
        if "active" in vals:
            # The teams' types in the routing table (wfmon.case._wfmon_routing_rows)
            # are the active ones.
            lookup_changed(self.env, ROUTING)
        return res

    def unlink(self):
        res = super().unlink()
        self._wfmon_lookup_changed()
        lookup_changed(self.env, ROUTING)
        return res

    @api.depends_context("uid")
    def _compute_case_stats(self):
        groups = self.env["wfmon.case"]._read_group(
            [("type_id", "in", self.ids), ("state", "in", self.env["wfmon.case"]._OPEN_STATES)],
            ["type_id", "sla_status", "user_id"],
            ["__count"],
        )
        counts, mine = {}, {}
        for case_type, status, user, count in groups:
            by_status = counts.setdefault(case_type.id, {})
            by_status[status] = by_status.get(status, 0) + count
            if user.id == self.env.uid:
                mine[case_type.id] = mine.get(case_type.id, 0) + count
        for case_type in self:
            by_status = counts.get(case_type.id, {})
            case_type.open_case_count = sum(by_status.values())
            case_type.my_case_count = mine.get(case_type.id, 0)
            case_type.at_risk_case_count = by_status.get("at_risk", 0)
            case_type.breached_case_count = by_status.get("breached", 0)

    def action_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("wfmon_core.wfmon_case_action")
        action["domain"] = [("type_id", "=", self.id)]
        action["context"] = {"default_type_id": self.id, "search_default_open": 1}
        return action
