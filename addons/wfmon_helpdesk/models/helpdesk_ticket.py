from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.wfmon_core.models.wfmon_case import TRANSITIONS
from odoo.addons.wfmon_core.tools.engine import flag, with_flags

from ..tools.documents import document_tokens
from ..tools.routing import pick_assignee, pick_team, severity_for, state_path

#: server flag of the engine's own writes between a ticket and its case (a
#: client sending {"wfmon_helpdesk_sync": true} changes nothing: tools/engine.py)
SYNC_KEY = "wfmon_helpdesk_sync"
#: documents a complaint can concern, when their module is installed; helpdesk
#: imports none of them
DOCUMENT_MODELS = ("stock.picking", "sale.order", "account.move", "pos.order")


def _synced(records):
    return with_flags(records, **{SYNC_KEY: True})


def is_synced(env):
    """Whether the write comes from the ticket/case synchronisation itself."""
    return bool(flag(env.context, SYNC_KEY))


class HelpdeskTicket(models.Model):
    """A helpdesk ticket from any channel (mail alias, portal, staff entry)
    opens a governed case: the ticket is where customer and agent work, the
    case carries the SLA clock, the escalation ladder and the audit trail."""

    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "wfmon.case.mixin"]

    wfmon_case_id = fields.Many2one(
        "wfmon.case",
        string="Case",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="wfmon_core.group_wfmon_user",
    )
    wfmon_case_state = fields.Selection(
        related="wfmon_case_id.state", string="Case State", groups="wfmon_core.group_wfmon_user"
    )
    wfmon_sla_status = fields.Selection(
        related="wfmon_case_id.sla_status", string="SLA", groups="wfmon_core.group_wfmon_user"
    )
    wfmon_resolution_deadline = fields.Datetime(
        related="wfmon_case_id.resolution_deadline",
        string="Resolve Before",
        groups="wfmon_core.group_wfmon_user",
    )
    wfmon_escalation_level = fields.Integer(
        related="wfmon_case_id.escalation_level",
        string="Escalation Level",
        groups="wfmon_core.group_wfmon_user",
    )
    wfmon_needs_review = fields.Boolean(
        related="wfmon_case_id.needs_review",
        string="Manual Review",
        groups="wfmon_core.group_wfmon_user",
    )
    wfmon_related_case_note = fields.Text(
        related="wfmon_case_id.related_case_note",
        string="Related Cases",
        groups="wfmon_core.group_wfmon_user",
    )
    wfmon_site_id = fields.Many2one(
        "wfmon.site",
        string="Store",
        compute="_compute_wfmon_site_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        groups="base.group_user",
        help="The customer's store (from the contact's home store): the ticket goes "
        "to the team serving it or its region.",
    )
    wfmon_document_ref = fields.Reference(
        selection="_selection_wfmon_document",
        string="Concerns",
        groups="base.group_user",
        help="The order, delivery or refund the complaint is about. Its own open "
        "cases show on the ticket's case, and they show this complaint.",
    )
    wfmon_root_cause_id = fields.Many2one(
        "wfmon.root.cause",
        string="Root Cause",
        groups="base.group_user",
        help="Why the customer complained; needed to close the ticket.",
    )
    wfmon_proposal_id = fields.Many2one(
        "wfmon.recommendation",
        string="Proposed Category",
        compute="_compute_wfmon_proposal_id",
        groups="wfmon_core.group_wfmon_user",
    )
    wfmon_proposed_category_id = fields.Many2one(
        "helpdesk.ticket.category",
        compute="_compute_wfmon_proposal_id",
        string="Category Proposed",
        groups="wfmon_core.group_wfmon_user",
    )
    wfmon_proposal_confidence = fields.Integer(
        compute="_compute_wfmon_proposal_id",
        string="Confidence (%)",
        groups="wfmon_core.group_wfmon_user",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.model
    def _selection_wfmon_document(self):
        # sudo: model names are technical metadata every user may see.
        models_ = self.env["ir.model"].sudo().search([("model", "in", DOCUMENT_MODELS)])
        return [(m.model, m.name) for m in models_ if m.model in self.env]

    @api.depends("partner_id")
    def _compute_wfmon_site_id(self):
        for ticket in self:
            partner = ticket.partner_id
            site = partner.wfmon_site_id or partner.commercial_partner_id.wfmon_site_id
            if site or not ticket.wfmon_site_id:
                ticket.wfmon_site_id = site

    @api.depends("wfmon_case_id")
    def _compute_wfmon_proposal_id(self):
        cases = self.wfmon_case_id
        proposals = {}
        if cases:
            found = self.env["wfmon.recommendation"].search_fetch(
                [
                    ("case_id", "in", cases.ids),
                    ("state", "=", "new"),
                    ("low_confidence", "=", False),
                    ("helpdesk_category_id", "!=", False),
                ],
                ["case_id", "helpdesk_category_id", "confidence"],
                order="id desc",
            )
            for rec in found:
                proposals.setdefault(rec.case_id.id, rec)
        for ticket in self:
            proposal = proposals.get(ticket.wfmon_case_id.id, self.env["wfmon.recommendation"])
            ticket.wfmon_proposal_id = proposal
            ticket.wfmon_proposed_category_id = proposal.helpdesk_category_id
            ticket.wfmon_proposal_confidence = round(proposal.confidence * 100)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "wfmon_case_id" in vals and not is_synced(self.env):
                raise AccessError(self.env._("A ticket's case is opened by the monitor only."))
        tickets = super().create(vals_list)
        # sudo: a ticket may come from a customer (portal) or the mail gateway;
        # its routing, assignment and case are the system's doing, not theirs.
        engine = _synced(tickets.sudo())
        engine._wfmon_route()
        engine._wfmon_open_cases()
        return tickets

    def write(self, vals):
        if "wfmon_case_id" in vals and not is_synced(self.env):
            raise AccessError(self.env._("A ticket's case is opened by the monitor only."))
        if vals.get("stage_id"):
            self._wfmon_check_closing(vals)
        before = {ticket.id: ticket.sudo().wfmon_case_id.state for ticket in self}
        res = super().write(vals)
        if set(vals) - {"wfmon_case_id"}:
            # sudo: the case mirrors the ticket; the user's right to change the
            # ticket was checked by the write above, and the case may belong to
            # a monitoring team the agent is not a member of.
            _synced(self.sudo())._wfmon_sync_case(vals, before)
        return res

    def _wfmon_check_closing(self, vals):
        """Closing a ticket resolves its case: refuse without a root cause."""
        stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
        if stage.wfmon_case_state != "resolved" or self.env.user.share:
            # A customer closing their own ticket from the portal knows no root
            # cause: the case is resolved saying so; staff must give one.
            return
        root_cause = vals.get("wfmon_root_cause_id")
        missing = self.filtered(
            lambda t: (
                t.sudo().wfmon_case_id.is_open
                and not (root_cause if "wfmon_root_cause_id" in vals else t.wfmon_root_cause_id)
            )
        )
        if missing:
            raise UserError(
                self.env._(
                    "Give the root cause of %s before closing: closing the ticket "
                    "resolves its case with that root cause.",
                    ", ".join(missing.mapped("number")),
                )
            )

    # ------------------------------------------------------------------
    # Routing and the case
    # ------------------------------------------------------------------
    def _wfmon_route(self):
        """Move tickets from a front-door team (or none) to the team serving the
        customer's store, else its region, and assign them as that team says."""
        teams = self.env["helpdesk.ticket.team"].search([])
        for ticket in self:
            company_teams = teams.filtered(
                lambda t, c=ticket.company_id: not t.company_id or t.company_id == c
            )
            site = ticket.wfmon_site_id
            team_id = pick_team(
                company_teams._wfmon_team_specs(),
                site_id=site.id,
                region=(site.region or "").strip() or None,
                current=ticket.team_id.id or None,
            )
            team = teams.browse(team_id)
            vals = {}
            if team and team != ticket.team_id:
                vals["team_id"] = team.id
            if team and (not ticket.user_id or ticket.user_id not in team.user_ids):
                user_id = pick_assignee(
                    team.wfmon_assignment,
                    leader_id=team.user_id.id,
                    store_manager_id=site.manager_id.id,
                    member_ids=team.user_ids.ids,
                )
                if user_id:
                    vals["user_id"] = user_id
            if not vals:
                continue
            ticket.write(vals)
            if "team_id" in vals:
                ticket.message_post(
                    body=Markup("<p>%s</p>")
                    % self.env._(
                        "Routed to %(team)s, the team serving %(where)s.",
                        team=team.display_name,
                        where=site.display_name or self.env._("the customer"),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _wfmon_case_type(self):
        self.ensure_one()
        case_type = self.category_id._wfmon_case_type() if self.category_id else False
        return case_type or self.env.ref("wfmon_helpdesk.case_type_complaint")

    def _wfmon_event_payload(self):
        self.ensure_one()
        return {
            "ticket": {
                "id": self.id,
                "number": self.number,
                "title": self.name,
                "channel": self.channel_id.name or None,
                "category": self.category_id.complete_name or None,
                "team": self.team_id.complete_name or None,
                "stage": self.stage_id.name or None,
                "priority": self.priority,
                "customer_id": self.partner_id.id or None,
                "store": self.wfmon_site_id.code or self.wfmon_site_id.name or None,
                "concerns": {
                    "model": self.wfmon_document_ref._name,
                    "id": self.wfmon_document_ref.id,
                    "name": self.wfmon_document_ref.display_name,
                }
                if self.wfmon_document_ref
                else None,
            }
        }

    def _wfmon_open_cases(self):
        """One case per ticket, of the type of its category."""
        by_type = defaultdict(lambda: self.browse())
        for ticket in self.filtered(lambda t: not t.wfmon_case_id):
            by_type[ticket._wfmon_case_type()] |= ticket
        Detector = self.env["wfmon.detector"]
        for case_type, tickets in by_type.items():
            cases = Detector._detect(
                case_type.code,
                tickets,
                payloads={t.id: t._wfmon_event_payload() for t in tickets},
                severity={t.id: severity_for(t.priority) for t in tickets},
                site={t.id: t.wfmon_site_id.id for t in tickets},
                summary={t.id: f"{t.number}: {t.name}" for t in tickets},
            )
            if not cases:
                continue  # the type is archived: its detector is switched off
            for ticket, case in zip(tickets, cases, strict=True):
                ticket.write({"wfmon_case_id": case.id})
                case._wfmon_engine().write(
                    {"helpdesk_ticket_id": ticket.id, "helpdesk_team_id": ticket.team_id.id}
                )
                ticket._wfmon_case_owner_vals(case)
                if ticket.wfmon_document_ref:
                    case._wfmon_link_document(ticket.wfmon_document_ref)

    def _wfmon_case_owner_vals(self, case):
        """Team and owner of the case from the ticket's."""
        vals = {}
        team = self.team_id.wfmon_team_id
        if team and case.team_id != team:
            vals["team_id"] = team.id
        if case.user_id != self.user_id:
            vals["user_id"] = self.user_id.id
        if vals:
            case.write(vals)

    def _wfmon_sync_case(self, vals, before):
        """Carry a ticket change over to its case."""
        now = fields.Datetime.now()
        closed, reopened = self.browse(), self.browse()
        for ticket in self.filtered("wfmon_case_id"):
            case = ticket.wfmon_case_id
            if "category_id" in vals:
                case_type = ticket._wfmon_case_type()
                if case_type != case.type_id:
                    old = case.type_id.display_name
                    case.write({"type_id": case_type.id})
                    case._sla_stamp(now)
                    case._log_batch(
                        "note",
                        reasons=self.env._(
                            "Ticket category %(category)s: type %(old)s → %(new)s",
                            category=ticket.category_id.display_name,
                            old=old,
                            new=case_type.display_name,
                        ),
                    )
            if "priority" in vals and case.is_open:
                severity = severity_for(ticket.priority)
                if severity != case.severity:
                    case.write({"severity": severity})
            if "team_id" in vals:
                case._wfmon_engine().write({"helpdesk_team_id": ticket.team_id.id})
            if {"team_id", "user_id"} & set(vals):
                ticket._wfmon_case_owner_vals(case)
            if {"partner_id", "wfmon_site_id"} & set(vals) and case.site_id != ticket.wfmon_site_id:
                case.write({"site_id": ticket.wfmon_site_id.id})
            if "wfmon_document_ref" in vals:
                case._wfmon_link_document(ticket.wfmon_document_ref)
            if "wfmon_root_cause_id" in vals and case.root_cause_id != ticket.wfmon_root_cause_id:
                case.write({"root_cause_id": ticket.wfmon_root_cause_id.id})
            if "stage_id" in vals:
                was_closed = before.get(ticket.id) in ("resolved", "cancelled")
                ticket._wfmon_follow_stage(case)
                if case.state == "resolved" and not was_closed:
                    closed |= ticket
                elif was_closed and case.is_open:
                    reopened |= ticket
        Publisher = self.env["wfmon.publisher"]
        for event, tickets in (
            ("helpdesk.ticket_closed", closed),
            ("helpdesk.ticket_reopened", reopened),
        ):
            if tickets:
                Publisher._publish(
                    event,
                    tickets,
                    [
                        {
                            **t._wfmon_event_payload(),
                            "case": t.wfmon_case_id._wfmon_event_data()[0],
                        }
                        for t in tickets
                    ],
                )

    def _wfmon_follow_stage(self, case):
        """Move the case through the states the ticket's new stage asks for."""
        self.ensure_one()
        reason = self.env._(
            "Ticket %(ticket)s moved to %(stage)s", ticket=self.number, stage=self.stage_id.name
        )
        for state in state_path(case.state, self.stage_id.wfmon_case_state, TRANSITIONS):
            if state == "resolved":
                case.write(
                    {
                        "root_cause_id": self.wfmon_root_cause_id.id,
                        "resolution_note": self.env._(
                            "Ticket %(ticket)s closed in stage %(stage)s. Root cause: %(cause)s.",
                            ticket=self.number,
                            stage=self.stage_id.name,
                            cause=self.wfmon_root_cause_id.display_name
                            or self.env._("none given (closed by the customer)"),
                        ),
                    }
                )
            case._transition(state, reason=reason)

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------
    @api.model
    def message_new(self, msg, custom_values=None):
        """An email to a team's alias: the e-mail channel, and the document the
        complaint names (an order, delivery or refund number in the subject or
        body), when one is found."""
        values = dict(custom_values or {})
        channel = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email", False)
        if channel and not values.get("channel_id"):
            values["channel_id"] = channel.id
        if "wfmon_document_ref" not in values:
            document = self._wfmon_find_document(
                f"{msg.get('subject') or ''}\n{msg.get('body') or ''}"
            )
            if document:
                values["wfmon_document_ref"] = f"{document._name},{document.id}"
        return super().message_new(msg, custom_values=values)

    def message_update(self, msg, update_vals=None):
        """The customer answered by email: a ticket waiting on them goes back to
        work (its team's first "in progress" stage), and the SLA clock runs again."""
        res = super().message_update(msg, update_vals=update_vals)
        for ticket in self.filtered(lambda t: t.stage_id.wfmon_case_state == "waiting"):
            stage = ticket.team_id._get_applicable_stages().filtered(
                lambda s: s.wfmon_case_state == "in_progress"
            )[:1]
            if stage:
                ticket.write({"stage_id": stage.id})
                ticket.message_post(
                    body=Markup("<p>%s</p>")
                    % self.env._(
                        "The customer answered: back to %s, the SLA clock runs again.",
                        stage.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return res

    @api.model
    def _wfmon_find_document(self, text):
        """The first document of :data:`DOCUMENT_MODELS` whose number appears in
        ``text`` (one search per installed model), or None."""
        tokens = document_tokens(text)
        if not tokens:
            return None
        for model in DOCUMENT_MODELS:
            if model not in self.env:
                continue
            found = self.env[model].search([("name", "in", tokens)], limit=1)
            if found:
                return found
        return None

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_wfmon_case(self):
        self.ensure_one()
        if not self.wfmon_case_id:
            raise UserError(self.env._("Ticket %s has no case.", self.number))
        return {
            "type": "ir.actions.act_window",
            "res_model": "wfmon.case",
            "res_id": self.wfmon_case_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_wfmon_accept_proposal(self, reason=None):
        """The agent accepts the proposed category, with a reason (the dialog
        asks for it): the recommendation records the decision and the case
        sets the category on the ticket with the agent's own rights."""
        self.ensure_one()
        if not self.wfmon_proposal_id:
            raise UserError(self.env._("Ticket %s has no category proposal.", self.number))
        return self.wfmon_proposal_id.action_accept(reason)

    def action_wfmon_dismiss_proposal(self, reason=None):
        self.ensure_one()
        if not self.wfmon_proposal_id:
            raise UserError(self.env._("Ticket %s has no category proposal.", self.number))
        return self.wfmon_proposal_id.action_dismiss(reason)
