from odoo import api, fields, models

from .lookup_cache import ROUTING


class WfmonTeam(models.Model):
    _name = "wfmon.team"
    _description = "Monitoring Team"
    # The routing table of the detection API is kept in the registry's cache
    # (wfmon.case._wfmon_routing_rows): every change of a team may change it.
    _inherit = ["mail.thread", "wfmon.lookup.source"]
    _wfmon_lookups = (ROUTING,)
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    lead_id = fields.Many2one("res.users", string="Team Lead", tracking=True)
    member_ids = fields.Many2many(
        "res.users",
        "wfmon_team_res_users_rel",
        "team_id",
        "user_id",
        string="Members",
    )
    escalation_user_id = fields.Many2one(
        "res.users",
        string="Escalation Contact",
        help="Who escalation steps notify beyond the team lead, e.g. the regional manager.",
    )
    site_ids = fields.Many2many(
        "wfmon.site",
        "wfmon_team_site_rel",
        "team_id",
        "site_id",
        string="Stores / Warehouses",
        help="Sites this team serves. A case at one of them is routed here when "
        "the team also handles the case's type (or any type).",
    )
    type_ids = fields.Many2many(
        "wfmon.case.type",
        "wfmon_team_case_type_rel",
        "team_id",
        "type_id",
        string="Case Types",
        help="Case types this team handles at its sites. Empty: all types.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        help="Working hours the team's SLA clocks count in. Empty: the company's.",
    )
    assignment = fields.Selection(
        [("queue", "Leave in the team queue"), ("lead", "Assign to the team lead")],
        default="queue",
        required=True,
        help="Who owns a new case routed to this team.",
    )
    case_ids = fields.One2many("wfmon.case", "team_id", string="Cases")
    open_case_count = fields.Integer(compute="_compute_case_counts")
    at_risk_case_count = fields.Integer(compute="_compute_case_counts")
    breached_case_count = fields.Integer(compute="_compute_case_counts")

    @api.depends("case_ids.state", "case_ids.sla_status")
    def _compute_case_counts(self):
        groups = self.env["wfmon.case"]._read_group(
            [("team_id", "in", self.ids), ("state", "in", self.env["wfmon.case"]._OPEN_STATES)],
            ["team_id", "sla_status"],
            ["__count"],
        )
        counts = {}
        for team, status, count in groups:
            counts.setdefault(team.id, {}).setdefault(status, 0)
            counts[team.id][status] += count
        for team in self:
            by_status = counts.get(team.id, {})
            team.open_case_count = sum(by_status.values())
            team.at_risk_case_count = by_status.get("at_risk", 0)
            team.breached_case_count = by_status.get("breached", 0)

    def action_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("wfmon_core.wfmon_case_action")
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id, "search_default_open": 1}
        return action
