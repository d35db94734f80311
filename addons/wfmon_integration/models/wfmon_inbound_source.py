import secrets as pysecrets
from datetime import timedelta

from odoo import api, fields, models


class WfmonInboundSource(models.Model):
    """A system that sends us signed events (carrier, supplier portal,
    marketplace, n8n).  The URL token only routes; the signature authenticates."""

    _name = "wfmon.inbound.source"
    _description = "Inbound Webhook Source"
    _inherit = ["mail.thread", "wfmon.secret.mixin"]
    _order = "name, id"
    # An empty secret locks the source: every request is refused.
    _wfmon_secret_required = False

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    token = fields.Char(
        required=True,
        copy=False,
        readonly=True,
        index=True,
        default=lambda self: pysecrets.token_urlsafe(32),
        help="Unguessable part of the URL.",
    )
    url = fields.Char(string="Inbound URL", compute="_compute_url")
    # The shared secret (wfmon.secret.mixin).
    secret = fields.Char(
        help="Shared Standard Webhooks secret (whsec_ + base64). Without it every "
        "request is refused."
    )
    allowed_type_ids = fields.Many2many(
        "wfmon.event.type",
        string="Allowed Event Types",
        domain=[("direction", "=", "inbound")],
        help="Empty: every type a handler is registered for.",
    )
    allowed_model_ids = fields.Many2many(
        "ir.model",
        string="Allowed Models",
        help="Models this source may reference when it opens cases. Empty: none.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Process As",
        required=True,
        default=lambda self: self.env.user,
        help="Events are processed with this user's access rights.",
    )
    review_threshold = fields.Float(
        default=0.7,
        help="Recommendations with a lower confidence put their case up for manual review.",
    )
    max_quarantine_24h = fields.Integer(
        string="Failing After",
        default=10,
        help="Quarantined events waiting for a fix after which an integration case is opened.",
    )
    event_ids = fields.One2many("wfmon.inbound.event", "source_id", readonly=True)
    received_count_24h = fields.Integer(string="Received (24 h)", compute="_compute_stats")
    processed_count_24h = fields.Integer(string="Processed (24 h)", compute="_compute_stats")
    quarantined_count = fields.Integer(compute="_compute_stats")
    pending_count = fields.Integer(compute="_compute_stats")
    rejected_count_24h = fields.Integer(string="Rejected (24 h)", compute="_compute_stats")
    last_received_at = fields.Datetime(compute="_compute_stats")
    last_rejected_at = fields.Datetime(compute="_compute_stats")

    _sql_constraints = [("token_uniq", "unique(token)", "Inbound tokens are unique.")]

    @api.depends("token")
    def _compute_url(self):
        # sudo: web.base.url is a system parameter; the URL is shown to managers.
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for source in self:
            source.url = f"{base}/wfmon/inbound/{source.token}" if source.token else False

    def _compute_stats(self):
        since = fields.Datetime.now() - timedelta(hours=24)
        # sudo: aggregate counters only; managers see health without reading bodies.
        Event = self.env["wfmon.inbound.event"].sudo()
        recent = {
            (source.id, state): (count, last)
            for source, state, count, last in Event._read_group(
                [("source_id", "in", self.ids), ("create_date", ">=", since)],
                ["source_id", "state"],
                ["__count", "create_date:max"],
            )
        }
        open_counts = {
            (source.id, state): count
            for source, state, count in Event._read_group(
                [("source_id", "in", self.ids), ("state", "in", ("received", "quarantined"))],
                ["source_id", "state"],
                ["__count"],
            )
        }
        # sudo: counts of refused requests, same reason as above.
        rejected = {
            source.id: (count, last)
            for source, count, last in self.env["wfmon.inbound.rejection"]
            .sudo()
            ._read_group(
                [("source_id", "in", self.ids), ("last_seen", ">=", since)],
                ["source_id"],
                ["request_count:sum", "last_seen:max"],
            )
        }
        for source in self:
            states = {s: v for (sid, s), v in recent.items() if sid == source.id}
            source.received_count_24h = sum(c for c, _l in states.values())
            source.processed_count_24h = states.get("processed", (0, None))[0]
            source.last_received_at = max(
                (last for _c, last in states.values() if last), default=False
            )
            source.quarantined_count = open_counts.get((source.id, "quarantined"), 0)
            source.pending_count = open_counts.get((source.id, "received"), 0)
            source.rejected_count_24h, source.last_rejected_at = rejected.get(source.id, (0, False))

    def _wfmon_secret_texts(self, until=None):
        return {
            "rotated": self.env._(
                "Shared secret rotated; the previous one is accepted until %s (UTC).", until
            ),
            "displayed": self.env._("Shared secret displayed."),
            "already_displayed": self.env._(
                "This secret was already displayed. Rotate it to get a new one; the "
                "current one stays accepted during the overlap."
            ),
        }

    def action_regenerate_token(self):
        self.ensure_one()
        self._wfmon_check_secret_admin()
        self.token = pysecrets.token_urlsafe(32)
        self.message_post(body=self.env._("Inbound URL changed; the old URL answers 404."))
        return True

    def action_view_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_integration.wfmon_inbound_event_action"
        )
        action["domain"] = [("source_id", "=", self.id)]
        action["context"] = {}
        return action

    def _check_health(self):
        """An integration case while too many events wait in quarantine;
        resolved once none is left."""
        if not self:
            return
        self.invalidate_recordset(["quarantined_count"])
        failing = self.filtered(
            lambda s: s.max_quarantine_24h and s.quarantined_count >= s.max_quarantine_24h
        )
        Case = self.env["wfmon.case"]
        if failing:
            Case._raise(
                "integration.inbound_failing",
                failing,
                summary={s.id: self.env._("Inbound source failing: %s", s.name) for s in failing},
                details={
                    s.id: self.env._(
                        "%(count)s quarantined events waiting for a fix.",
                        count=s.quarantined_count,
                    )
                    for s in failing
                },
                bump=False,
            )
        recovered = (self - failing).filtered(lambda s: not s.quarantined_count)
        if recovered:
            Case._clear(
                "integration.inbound_failing",
                recovered,
                reason=self.env._("No quarantined events left."),
            )
