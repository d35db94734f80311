from odoo import fields, models

from ..tools.routing import TeamSpec


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    wfmon_site_ids = fields.Many2many(
        "wfmon.site",
        "helpdesk_team_wfmon_site_rel",
        "team_id",
        "site_id",
        string="Stores Served",
        help="Tickets of customers of these stores are routed to this team.",
    )
    wfmon_region = fields.Char(
        string="Region Served",
        help="Tickets of customers of a store in this region are routed here when no "
        "team serves the store itself. A team serving no store and no region is a "
        "front door: its tickets move on to the team serving the customer.",
    )
    wfmon_team_id = fields.Many2one(
        "wfmon.team",
        string="Monitoring Team",
        help="The team owning the cases of this team's tickets (SLA, escalation "
        "ladder, team lead). Empty: the case type's routing.",
    )
    wfmon_assignment = fields.Selection(
        [
            ("queue", "Leave in the team queue"),
            ("leader", "Assign to the team leader"),
            ("store_manager", "Assign to the store manager"),
        ],
        string="Assignment",
        default="queue",
        required=True,
        help="Who owns a new ticket routed to this team. The store manager must be a "
        "member of the team; otherwise the team leader gets the ticket.",
    )

    def _wfmon_team_specs(self):
        return [
            TeamSpec(
                team.id,
                frozenset(team.wfmon_site_ids.ids),
                frozenset({team.wfmon_region.strip()}) if team.wfmon_region else frozenset(),
            )
            for team in self
        ]
