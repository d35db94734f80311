import json
import logging
import threading
import time
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import backoff
from ..tools.netguard import UnsafeDestination, check_destination
from ..tools.retry_after import parse_retry_after
from ..tools.signing import build_headers
from .wfmon_webhook_attempt import ERROR_EXCERPT

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "Pending"),
    ("sending", "Sending"),
    ("done", "Delivered"),
    ("failed", "Failed (retrying)"),
    ("dead", "Dead Letter"),
]
DUE_STATES = ("pending", "failed")
# A claimed delivery whose worker died is claimable again once its lease
# has run out: CLAIM_GRACE plus the time the worker may spend on its whole
# batch (batch size x the endpoint's timeout), so a slow but live worker
# never loses its rows to another one.
CLAIM_GRACE_SECONDS = 300
DISPATCH_BATCH = 20
USER_AGENT = "wfmon-webhooks/1.0 (+https://www.standardwebhooks.com/)"


class WfmonWebhookDelivery(models.Model):
    """One event to one endpoint: the unit of retry and of the dead letter."""

    _name = "wfmon.webhook.delivery"
    _description = "Webhook Delivery"
    _order = "id desc"
    _rec_name = "event_id"

    event_id = fields.Many2one(
        "wfmon.event", required=True, ondelete="cascade", index=True, readonly=True
    )
    endpoint_id = fields.Many2one(
        "wfmon.webhook.endpoint", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="event_id.company_id", store=True, index=True)
    event_type = fields.Char(related="event_id.event_type", store=True)
    state = fields.Selection(STATES, default="pending", required=True, index=True, readonly=True)
    attempt_count = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(index=True, readonly=True, default=fields.Datetime.now)
    claimed_at = fields.Datetime(readonly=True)
    done_at = fields.Datetime(string="Delivered At", readonly=True)
    last_status_code = fields.Integer(readonly=True)
    last_error = fields.Char(readonly=True)
    attempt_ids = fields.One2many("wfmon.webhook.attempt", "delivery_id", readonly=True)

    _sql_constraints = [
        (
            "event_endpoint_uniq",
            "unique(event_id, endpoint_id)",
            "An event is delivered once per endpoint.",
        ),
    ]

    def init(self):
        # The dispatcher's claim query: due rows by time.
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS wfmon_webhook_delivery_due_idx "
                "ON wfmon_webhook_delivery (next_attempt_at, id) "
                "WHERE state IN ('pending', 'failed', 'sending')"
            )
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_requeue(self):
        """Send again now: dead letters and failed deliveries (bulk-safe)."""
        requeue = self.filtered(lambda d: d.state in ("dead", "failed"))
        if not requeue:
            raise UserError(self.env._("Only failed or dead deliveries can be re-queued."))
        inactive = requeue.endpoint_id.filtered(lambda e: not e.active)
        if inactive:
            raise UserError(
                self.env._(
                    "Reactivate these endpoints first: %s", ", ".join(inactive.mapped("name"))
                )
            )
        # sudo: fields of the delivery are engine-managed (readonly); the
        # rights were checked above by the ACL on the button (write access).
        requeue.check_access("write")
        requeue.sudo().write(
            {
                "state": "pending",
                "attempt_count": 0,
                "next_attempt_at": fields.Datetime.now(),
                "last_error": False,
            }
        )
        requeue._trigger_dispatch()
        return True

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------
    @api.model
    def _trigger_dispatch(self, at=None):
        """Wake the dispatcher after commit (``ir.cron`` notifies the cron
        workers in a post-commit hook; a rollback drops the trigger too)."""
        cron = self.env.ref(
            "wfmon_integration.ir_cron_wfmon_webhook_dispatch", raise_if_not_found=False
        )
        if not cron:
            return
        if at is None:
            # One immediate trigger per transaction is enough.
            data = self.env.cr.precommit.data
            if data.get("wfmon_dispatch_triggered"):
                return
            data["wfmon_dispatch_triggered"] = True
        # sudo: any user publishing an event may wake the dispatcher.
        cron.sudo()._trigger(at)

    @api.model
    def _claim(self, limit=DISPATCH_BATCH, now=None):
        """Claim up to ``limit`` due deliveries for this worker.

        ``FOR NO KEY UPDATE SKIP LOCKED``: concurrent workers never claim the
        same row; claimed rows move to ``sending`` (visible once committed,
        reclaimable when their lease ran out because the worker died).
        """
        now = now or fields.Datetime.now()
        self.flush_model()
        self.env["wfmon.webhook.endpoint"].flush_model(["active"])
        self.env.cr.execute(
            SQL(
                """UPDATE wfmon_webhook_delivery SET state = 'sending', claimed_at = %(now)s
                    WHERE id IN (
                        SELECT d.id FROM wfmon_webhook_delivery d
                          JOIN wfmon_webhook_endpoint e ON e.id = d.endpoint_id AND e.active
                         WHERE (d.state IN %(due)s AND d.next_attempt_at <= %(now)s)
                            OR (d.state = 'sending' AND d.claimed_at < %(now)s
                                - make_interval(secs => %(grace)s + e.timeout * %(limit)s))
                      ORDER BY d.next_attempt_at, d.id
                         LIMIT %(limit)s
                           FOR NO KEY UPDATE OF d SKIP LOCKED)
                RETURNING id""",
                now=now,
                due=DUE_STATES,
                grace=CLAIM_GRACE_SECONDS,
                limit=limit,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        claimed = self.browse(sorted(ids))
        claimed.invalidate_recordset(["state", "claimed_at"])
        return claimed

    @api.model
    def _cron_dispatch(self, batch_size=DISPATCH_BATCH):
        """Scheduled action: send due deliveries, batch by batch."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        sent = self._dispatch_due(batch_size, auto_commit=auto_commit)
        remaining = self.search_count(
            [
                ("state", "in", DUE_STATES),
                ("next_attempt_at", "<=", fields.Datetime.now()),
                ("endpoint_id.active", "=", True),
            ]
        )
        self.env["ir.cron"]._notify_progress(done=sent, remaining=remaining)
        return sent

    @api.model
    def _dispatch_due(self, batch_size=DISPATCH_BATCH, auto_commit=False):
        """Claim and send one batch; return how many deliveries were attempted.

        With ``auto_commit`` the claim is committed before any request goes
        out and each result right after its request, so a crash never loses
        more than one attempt's bookkeeping (delivery is at least once).
        """
        claimed = self._claim(batch_size)
        if not claimed:
            return 0
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        allow_private = self.env["res.config.settings"]._wfmon_allow_private()
        with requests.Session() as session:
            # One session per batch: keep-alive connections to each endpoint.
            # Ignore HTTP(S)_PROXY from the environment: the SSRF guard checks
            # the endpoint's host, not a proxy's.
            session.trust_env = False
            for delivery in claimed:
                delivery._send(allow_private, session)
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        claimed.endpoint_id._check_health()
        return len(claimed)

    def _send(self, allow_private, session):
        """One HTTP attempt of this delivery, recorded whatever happens."""
        self.ensure_one()
        endpoint, event = self.endpoint_id, self.event_id
        now = fields.Datetime.now()
        body = (event.payload or "").encode("utf-8")
        status, error, retry_after = None, None, None
        # Database reads first: only the network part below may fail softly.
        url, timeout = endpoint.url, endpoint.timeout
        secrets = endpoint._signing_secrets(now)
        # sudo: custom headers (and secrets) are admin-only fields; the
        # dispatcher sends them whoever triggered it.
        raw_headers = endpoint.sudo().custom_headers
        started = time.monotonic()
        try:
            check_destination(url, allow_private=allow_private)
            headers = build_headers(
                secrets,
                event.name,
                int(time.time()),
                body,
                extra=json.loads(raw_headers) if raw_headers else None,
                user_agent=USER_AGENT,
            )
            response = session.post(
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
            try:
                status = response.status_code
                if not backoff.is_success(status):
                    excerpt = response.raw.read(ERROR_EXCERPT, decode_content=True) or b""
                    error = f"HTTP {status}: " + excerpt.decode("utf-8", "replace")
                    retry_after = parse_retry_after(
                        response.headers.get("Retry-After"), fields.Datetime.now()
                    )
            finally:
                response.close()
        except UnsafeDestination as exc:
            error = self.env._("Destination refused: %s", exc)
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # noqa: BLE001  # pylint: disable=broad-except
            # Anything else (no secret, malformed custom headers, an unusual
            # transport error) must end in a visible failed attempt, not in a
            # crashed batch: the delivery is retried and finally parked as dead.
            error = f"{type(exc).__name__}: {exc}"
        latency = int((time.monotonic() - started) * 1000)
        self._record_attempt(status, latency, error, retry_after)

    def _record_attempt(self, status, latency_ms, error, retry_after=None):
        self.ensure_one()
        now = fields.Datetime.now()
        attempt_no = self.attempt_count + 1
        outcome, delay = backoff.decide(
            status,
            attempt_no,
            max_attempts=self.endpoint_id.max_attempts,
            retry_after=retry_after,
        )
        vals = {
            "attempt_count": attempt_no,
            "last_status_code": status or 0,
            "last_error": (error or "")[:ERROR_EXCERPT] or False,
            "claimed_at": False,
        }
        retry_at = False
        if outcome == backoff.DONE:
            vals.update(state="done", done_at=now, next_attempt_at=False)
        elif outcome == backoff.RETRY:
            retry_at = now + timedelta(seconds=delay)
            vals.update(state="failed", next_attempt_at=retry_at)
        else:
            vals.update(state="dead", next_attempt_at=False)
        self.write(vals)
        self.env["wfmon.webhook.attempt"].create(
            {
                "delivery_id": self.id,
                "endpoint_id": self.endpoint_id.id,
                "attempt_no": attempt_no,
                "status_code": status or 0,
                "latency_ms": latency_ms,
                "success": outcome == backoff.DONE,
                "outcome": outcome,
                "error": (error or "")[:ERROR_EXCERPT] or False,
                "retry_at": retry_at,
            }
        )
        if outcome == backoff.GONE:
            self.endpoint_id._deactivate_gone(status)
        elif retry_at:
            self._trigger_dispatch(at=retry_at)
        return outcome
