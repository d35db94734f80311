import json
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.wfmon_core.models.lookup_cache import ENDPOINTS, lookup_cached

from ..tools.health import Thresholds, recovery_streak, verdict
from ..tools.netguard import UnsafeDestination, check_url_syntax
from ..tools.signing import RESERVED_HEADERS
from .wfmon_secret_mixin import ADMIN_GROUP

FAILING_CASE_TYPE = "integration.endpoint_failing"
#: the type of the event "Send Test Event" sends
TEST_EVENT_TYPE = "ping"
HEALTH_FIELDS = [
    "pending_count",
    "dead_count",
    "attempt_count_24h",
    "success_rate_24h",
    "recent_success_rate",
    "p95_latency_ms",
    "consecutive_failures",
    "last_success_at",
    "last_failure_at",
    "health",
]


#: the fields that decide which events an endpoint gets (see _wfmon_routes)
ROUTE_FIELDS = frozenset({"active", "company_id", "event_filter", "event_type_ids"})


class WfmonWebhookEndpoint(models.Model):
    _name = "wfmon.webhook.endpoint"
    _description = "Webhook Endpoint"
    # The endpoints the outbox sends to (_wfmon_routes) are kept in the
    # registry's cache: what decides which events an endpoint gets clears it.
    _inherit = ["mail.thread", "wfmon.secret.mixin", "wfmon.lookup.source"]
    _wfmon_lookups = (ENDPOINTS,)
    _wfmon_lookup_fields = ROUTE_FIELDS
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    url = fields.Char(string="URL", required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Only events of this company are sent. Empty: events of every company.",
    )
    # The signing secret (wfmon.secret.mixin).
    secret = fields.Char(help="Signing secret (whsec_ + base64). Readable by administrators only.")
    previous_secret_until = fields.Datetime(
        help="Until then deliveries carry a signature with the previous secret too."
    )
    rotation_overlap_hours = fields.Integer(
        help="How long the previous secret keeps signing after a rotation."
    )
    event_filter = fields.Selection(
        [("all", "All events"), ("selected", "Selected event types")],
        default="all",
        required=True,
    )
    event_type_ids = fields.Many2many(
        "wfmon.event.type",
        string="Event Types",
        domain=[("direction", "=", "outbound")],
    )
    custom_headers = fields.Text(
        help='Extra request headers as a JSON object, e.g. {"Authorization": "Bearer …"}. '
        "They never replace the webhook-* or Content-Type headers.",
        groups=ADMIN_GROUP,
    )
    timeout = fields.Integer(string="Timeout (s)", default=10, required=True)
    parallel_requests = fields.Integer(
        default=1,
        required=True,
        help="How many requests the dispatcher sends to this endpoint at the same time "
        "(1 to 16). With 1, events go out one after the other.",
    )
    max_attempts = fields.Integer(default=8, required=True)
    failure_threshold = fields.Integer(
        string="Failing After",
        default=5,
        help="Consecutive failed attempts after which an integration case is opened.",
    )
    deactivated_reason = fields.Char(readonly=True, copy=False)
    delivery_ids = fields.One2many("wfmon.webhook.delivery", "endpoint_id", readonly=True)

    # Health (computed in a few grouped queries for the whole recordset)
    pending_count = fields.Integer(compute="_compute_health")
    dead_count = fields.Integer(compute="_compute_health")
    attempt_count_24h = fields.Integer(string="Attempts (24 h)", compute="_compute_health")
    success_rate_24h = fields.Float(string="Success Rate (24 h, %)", compute="_compute_health")
    recent_success_rate = fields.Float(
        string="Recent Success Rate (%)",
        compute="_compute_health",
        help="Over the last 20 attempts of the last 24 h: under 50 % (with at least 10 "
        "attempts) the endpoint is failing.",
    )
    p95_latency_ms = fields.Integer(string="p95 Latency (ms, 24 h)", compute="_compute_health")
    consecutive_failures = fields.Integer(compute="_compute_health")
    last_success_at = fields.Datetime(compute="_compute_health")
    last_failure_at = fields.Datetime(compute="_compute_health")
    health = fields.Selection(
        [("ok", "Healthy"), ("failing", "Failing"), ("idle", "No traffic")],
        compute="_compute_health",
    )

    @api.constrains("custom_headers")
    def _check_custom_headers(self):
        # sudo: custom_headers is an admin-only field; the check must read it
        # whoever saves the endpoint.
        for endpoint in self.sudo():
            if not endpoint.custom_headers:
                continue
            try:
                headers = json.loads(endpoint.custom_headers)
            except ValueError as exc:
                raise ValidationError(
                    self.env._("Custom headers must be a JSON object: %s", exc)
                ) from exc
            if not isinstance(headers, dict) or not all(
                isinstance(k, str) and isinstance(v, str | int | float) for k, v in headers.items()
            ):
                raise ValidationError(
                    self.env._("Custom headers must be a JSON object of names to text values.")
                )
            reserved = sorted(k for k in headers if k.lower() in RESERVED_HEADERS)
            if reserved:
                raise ValidationError(
                    self.env._("These headers are set by the sender: %s", ", ".join(reserved))
                )

    @api.constrains("url")
    def _check_url(self):
        allow = self.env["res.config.settings"]._wfmon_allow_private()
        for endpoint in self:
            try:
                check_url_syntax(endpoint.url, allow_private=allow)
            except UnsafeDestination as exc:
                raise ValidationError(str(exc)) from exc

    @api.constrains("timeout", "max_attempts", "parallel_requests")
    def _check_limits(self):
        for endpoint in self:
            if not 1 <= endpoint.timeout <= 60:
                raise ValidationError(self.env._("The timeout must be 1 to 60 seconds."))
            if not 1 <= endpoint.max_attempts <= 20:
                raise ValidationError(self.env._("Allow 1 to 20 attempts."))
            if not 1 <= endpoint.parallel_requests <= 16:
                raise ValidationError(self.env._("Allow 1 to 16 parallel requests."))

    def _compute_health(self):
        stats = self._health_stats()
        thresholds = {e.id: Thresholds(max_consecutive_failures=e.failure_threshold) for e in self}
        for endpoint in self:
            row = stats.get(endpoint.id, {})
            attempts = row.get("attempts", 0)
            recent = row.get("recent", 0)
            endpoint.pending_count = row.get("pending", 0)
            endpoint.dead_count = row.get("dead", 0)
            endpoint.attempt_count_24h = attempts
            endpoint.success_rate_24h = (
                round(row.get("successes", 0) * 100.0 / attempts, 1) if attempts else 0.0
            )
            endpoint.recent_success_rate = (
                round(row.get("recent_successes", 0) * 100.0 / recent, 1) if recent else 0.0
            )
            endpoint.p95_latency_ms = int(row.get("p95") or 0)
            endpoint.consecutive_failures = row.get("consecutive", 0)
            endpoint.last_success_at = row.get("last_success")
            endpoint.last_failure_at = row.get("last_failure")
            failing, _reason = verdict(
                endpoint.consecutive_failures,
                recent,
                row.get("recent_successes", 0),
                thresholds[endpoint.id],
            )
            endpoint.health = "failing" if failing else ("ok" if attempts else "idle")

    def _health_stats(self):
        """``{endpoint_id: {...}}``: queue depth, 24 h attempts, successes,
        p95 latency, the most recent attempts and their successes, consecutive
        failures, last success/failure: three queries for the whole recordset,
        never a loop of queries."""
        ids = tuple(self.ids)
        if not ids:
            return {}
        stats = {i: {} for i in ids}
        # sudo: queue depth is an aggregate shown to whoever may read the
        # endpoint; a shared endpoint counts the deliveries of every company.
        Delivery = self.env["wfmon.webhook.delivery"].sudo()
        for endpoint, state, count in Delivery._read_group(
            [("endpoint_id", "in", ids), ("state", "in", ("pending", "failed", "dead"))],
            ["endpoint_id", "state"],
            ["__count"],
        ):
            key = "dead" if state == "dead" else "pending"
            stats[endpoint.id][key] = stats[endpoint.id].get(key, 0) + count
        self.env["wfmon.webhook.attempt"].flush_model()
        since = fields.Datetime.now() - timedelta(hours=24)
        self.env.cr.execute(
            SQL(
                """SELECT endpoint_id, count(*), count(*) FILTER (WHERE success),
                          percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
                     FROM wfmon_webhook_attempt
                    WHERE endpoint_id IN %s AND create_date >= %s
                 GROUP BY endpoint_id""",
                ids,
                since,
            )
        )
        for endpoint_id, attempts, successes, p95 in self.env.cr.fetchall():
            stats[endpoint_id].update(attempts=attempts, successes=successes, p95=p95)
        # Per endpoint, along the (endpoint_id, id) index: the last success,
        # the last failure, the failures since the last success, and the
        # window of most recent attempts the health verdict reads.
        self.env.cr.execute(
            SQL(
                """SELECT e.id, s.create_date, f.create_date,
                          (SELECT count(*) FROM wfmon_webhook_attempt c
                            WHERE c.endpoint_id = e.id AND c.id > COALESCE(s.id, 0)),
                          w.attempts, w.successes
                     FROM unnest(%(ids)s::int[]) AS e(id)
                LEFT JOIN LATERAL (SELECT id, create_date FROM wfmon_webhook_attempt
                                    WHERE endpoint_id = e.id AND success
                                 ORDER BY id DESC LIMIT 1) s ON TRUE
                LEFT JOIN LATERAL (SELECT id, create_date FROM wfmon_webhook_attempt
                                    WHERE endpoint_id = e.id AND NOT success
                                 ORDER BY id DESC LIMIT 1) f ON TRUE
               CROSS JOIN LATERAL (SELECT count(*) AS attempts,
                                          count(*) FILTER (WHERE r.success) AS successes
                                     FROM (SELECT success FROM wfmon_webhook_attempt
                                            WHERE endpoint_id = e.id AND create_date >= %(since)s
                                         ORDER BY id DESC LIMIT %(window)s) r) w""",
                ids=list(ids),
                since=since,
                window=Thresholds.window,
            )
        )
        for row in self.env.cr.fetchall():
            endpoint_id, last_success, last_failure, consecutive, recent, recent_ok = row
            stats[endpoint_id].update(
                last_success=last_success,
                last_failure=last_failure,
                consecutive=consecutive,
                recent=recent,
                recent_successes=recent_ok,
            )
        return stats

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_integration.wfmon_webhook_delivery_action"
        )
        action["domain"] = [("endpoint_id", "=", self.id)]
        action["context"] = {"search_default_failed": 1}
        return action

    def action_view_attempts(self):
        """The delivery log: every request sent to this endpoint, newest first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "wfmon_integration.wfmon_webhook_attempt_action"
        )
        action["domain"] = [("endpoint_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_send_test_event(self):
        """Send a signed ``ping`` event to this endpoint now, through the
        dispatcher's path, and show what was sent and what came back."""
        self.ensure_one()
        self.check_access("write")
        if not self.active:
            raise UserError(self.env._("Reactivate the endpoint to send it a test event."))
        attempt = self._send_test_event()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Test Event"),
            "res_model": "wfmon.webhook.attempt",
            "res_id": attempt.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _send_test_event(self):
        """Publish a ``ping`` event for this endpoint only (no other endpoint
        receives it), send it at once and return the attempt.  Like any
        delivery, a failed one is retried by the dispatcher."""
        self.ensure_one()
        now = fields.Datetime.now()
        Event = self.env["wfmon.event"]
        event_type = self.env["wfmon.event.type"]._ensure([TEST_EVENT_TYPE])[TEST_EVENT_TYPE]
        data = {
            "endpoint": self.name,
            "message": self.env._("Test event sent from Odoo by %s.", self.env.user.name),
            "sent_by": self.env.user.login,
        }
        vals = Event._prepare_event_vals(TEST_EVENT_TYPE, event_type, self, data, now)
        # sudo: the outbox and the deliveries are system data, created by the
        # engine only (nobody has create rights); the caller may write the endpoint.
        event = Event.sudo().create(vals)
        delivery = (
            self.env["wfmon.webhook.delivery"]
            .sudo()
            .create({"event_id": event.id, "endpoint_id": self.id, "next_attempt_at": now})
        )
        # As the caller: the attempt is stamped with who sent it.
        delivery.with_env(self.env)._send_now()
        attempt = delivery.with_env(self.env).attempt_ids[:1]
        if not attempt:
            raise UserError(self.env._("The test event could not be sent; try again."))
        return attempt

    def action_requeue_dead(self):
        dead = self.env["wfmon.webhook.delivery"].search(
            [("endpoint_id", "in", self.ids), ("state", "=", "dead")]
        )
        dead.action_requeue()
        return True

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _wfmon_routes(self):
        """``((endpoint id, company id, type ids), ...)`` of the active
        endpoints: an event goes to an endpoint when the endpoint has no company
        or the event's, and ``type ids`` is ``None`` (all events) or holds the
        event's type. Kept in the registry's cache until an endpoint or an
        event type changes (see ``wfmon_core``'s ``lookup_cache``): the outbox
        reads it on every publish."""
        if lookup_cached(self.env, ENDPOINTS):
            return self._wfmon_cached_routes()
        return self._wfmon_read_routes()

    @api.model
    @tools.ormcache()
    def _wfmon_cached_routes(self):
        return self._wfmon_read_routes()

    @api.model
    def _wfmon_read_routes(self):
        # sudo: the outbox is system data, fanned out whoever published the event.
        endpoints = self.sudo().search_fetch(
            [("active", "=", True)], ["company_id", "event_filter", "event_type_ids"]
        )
        return tuple(
            (
                endpoint.id,
                endpoint.company_id.id,
                None if endpoint.event_filter == "all" else frozenset(endpoint.event_type_ids.ids),
            )
            for endpoint in endpoints
        )

    def _deactivate_gone(self, status):
        reason = self.env._("The receiver answered HTTP %s (Gone): endpoint deactivated.", status)
        self.write({"active": False, "deactivated_reason": reason})
        for endpoint in self:
            endpoint.message_post(body=reason)

    def _check_health(self):
        """Open (or keep) an integration case for failing endpoints, resolve it
        for recovered ones.  Runs once at the end of each dispatcher run."""
        if not self:
            return
        self.invalidate_recordset(HEALTH_FIELDS)
        failing = self.filtered(lambda e: e.health == "failing")
        healthy = self - failing
        Case = self.env["wfmon.case"]
        if failing:
            details = {
                e.id: self.env._(
                    "%(name)s (%(url)s): %(failures)s consecutive failed attempts, "
                    "%(recent)s%% success over the recent attempts, %(rate)s%% over 24 h, "
                    "%(dead)s dead deliveries. The case resolves by itself after "
                    "%(streak)s successful attempts in a row.",
                    name=e.name,
                    url=e.url,
                    failures=e.consecutive_failures,
                    recent=e.recent_success_rate,
                    rate=e.success_rate_24h,
                    dead=e.dead_count,
                    streak=recovery_streak(),
                )
                for e in failing
            }
            Case._raise(
                FAILING_CASE_TYPE,
                failing,
                details=details,
                summary={e.id: self.env._("Webhook endpoint failing: %s", e.name) for e in failing},
                bump=False,
            )
        recovered = healthy.filtered(lambda e: e.health == "ok")
        if recovered:
            Case._clear(
                FAILING_CASE_TYPE,
                recovered,
                reason=self.env._("The endpoint accepts deliveries again."),
            )
