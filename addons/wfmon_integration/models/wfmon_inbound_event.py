import base64
import json
import logging
import threading
from datetime import datetime, timezone

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, format_datetime

from odoo.addons.wfmon_core.tools.severity import SEVERITY_ORDER

from ..tools.inbound import pg_text, printable, unstorable_text

_logger = logging.getLogger(__name__)

STATES = [
    ("received", "Received"),
    ("processed", "Processed"),
    ("quarantined", "Quarantined"),
    ("duplicate", "Duplicate"),
]
PROCESS_BATCH = 100
REASON_MAX = 2000
MAX_RECORD_ID = 2**31 - 1  # PostgreSQL integer: a larger id in a query is an SQL error


def _inbound_datetime(value):
    """A naive UTC datetime from an ISO text (``Z`` or an offset converted), or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def _is_record_id(value):
    return not isinstance(value, bool) and isinstance(value, int) and 0 < value <= MAX_RECORD_ID


class InboundError(Exception):
    """The event cannot be processed as sent: quarantine it with this reason."""


class WfmonInboundEvent(models.Model):
    """A verified inbound request, stored byte for byte before any processing."""

    _name = "wfmon.inbound.event"
    _description = "Inbound Event"
    _order = "id desc"
    _rec_name = "webhook_id"

    source_id = fields.Many2one(
        "wfmon.inbound.source", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="source_id.company_id", store=True, index=True)
    webhook_id = fields.Char(string="Webhook ID", required=True, readonly=True, index=True)
    webhook_timestamp = fields.Integer(readonly=True)
    event_type = fields.Char(string="Type", readonly=True, index=True)
    state = fields.Selection(STATES, default="received", required=True, index=True, readonly=True)
    # bytea column (no attachment): the exact bytes, NUL or not, whatever the
    # Content-Type; only processing reads them as UTF-8 JSON.
    raw_body = fields.Binary(
        attachment=False, readonly=True, help="The request body exactly as received."
    )
    body_size = fields.Integer(readonly=True, help="Size of the received body in bytes.")
    body = fields.Text(
        compute="_compute_body",
        help="The body read as UTF-8 text (bytes that are not UTF-8 shown as \\xNN).",
    )
    content_type = fields.Char(readonly=True)
    remote_addr = fields.Char(string="Sender Address", readonly=True)
    reason = fields.Text(string="Quarantine Reason", readonly=True)
    processed_at = fields.Datetime(readonly=True)
    process_count = fields.Integer(readonly=True)
    duplicate_of_id = fields.Many2one("wfmon.inbound.event", readonly=True, index=True)
    case_id = fields.Many2one("wfmon.case", string="Case", readonly=True, index="btree_not_null")
    recommendation_id = fields.Many2one("wfmon.recommendation", readonly=True)

    def init(self):
        # One original per (source, webhook-id): a repeated id is stored as a
        # duplicate, never processed twice, even when two requests race.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS wfmon_inbound_event_webhook_uniq "
                "ON wfmon_inbound_event (source_id, webhook_id) WHERE duplicate_of_id IS NULL"
            )
        )

    @api.depends("webhook_id", "source_id", "create_date")
    @api.depends_context("uid")
    def _compute_display_name(self):
        # The sender's message id is the integrators' key: administrators read
        # it; the others read which source sent it and when.
        technical = self.env.user.has_group("wfmon_core.group_wfmon_admin")
        for event in self:
            if technical or not event.create_date:
                event.display_name = event.webhook_id
            else:
                event.display_name = self.env._(
                    "%(source)s, %(when)s",
                    source=event.source_id.sudo().name,
                    when=format_datetime(self.env, event.create_date),
                )

    @api.depends("raw_body")
    def _compute_body(self):
        for event in self:
            event.body = event._body_bytes().decode("utf-8", "backslashreplace") or False

    def _body_bytes(self):
        """The body exactly as received (``b""`` when empty)."""
        self.ensure_one()
        raw = self.with_context(bin_size=False).raw_body
        return base64.b64decode(raw) if raw else b""

    # ------------------------------------------------------------------
    # Receiving (called by the controller)
    # ------------------------------------------------------------------
    @api.model
    def _receive(self, source, msg_id, timestamp, body_bytes, content_type, remote_addr):
        """Store a verified request; return ``(event, is_duplicate)``.

        The body is stored as bytes before anything reads it: processing
        (after commit) quarantines what it cannot read, so an acknowledged
        request is never lost.  ``msg_id`` must be a valid id
        (:func:`..tools.inbound.webhook_id`): it is stored as given.
        """
        # sudo: called from an unauthenticated (signature-verified) request.
        Event = self.sudo()
        body_bytes = bytes(body_bytes or b"")
        vals = {
            "source_id": source.id,
            "webhook_id": msg_id,
            "webhook_timestamp": timestamp,
            "content_type": printable(content_type, 200) or False,
            "remote_addr": remote_addr,
            "body_size": len(body_bytes),
        }
        raw = base64.b64encode(body_bytes) if body_bytes else False
        original = Event._original(source, msg_id)
        if not original:
            try:
                with self.env.cr.savepoint():
                    event = Event.create({**vals, "raw_body": raw, "state": "received"})
                    event.flush_recordset()
                return event, False
            except psycopg2.errors.UniqueViolation:
                # A concurrent request stored the same id first.
                original = Event._original(source, msg_id)
        duplicate_vals = {**vals, "state": "duplicate", "duplicate_of_id": original.id}
        if original._body_bytes() != body_bytes:
            # Same id, other content: acknowledged like any duplicate (the id is
            # the sender's idempotency key) but kept, so nothing sent is lost.
            duplicate_vals.update(
                raw_body=raw,
                reason=self.env._(
                    "Same webhook-id as an earlier event but a different body; kept, not processed."
                ),
            )
        return Event.create(duplicate_vals), True

    @api.model
    def _original(self, source, msg_id):
        return self.search(
            [
                ("source_id", "=", source.id),
                ("webhook_id", "=", msg_id),
                ("duplicate_of_id", "=", False),
            ],
            limit=1,
        )

    @api.model
    def _trigger_processing(self):
        cron = self.env.ref(
            "wfmon_integration.ir_cron_wfmon_inbound_process", raise_if_not_found=False
        )
        if cron:
            # sudo: the (unauthenticated) receiver wakes the processor after commit.
            cron.sudo()._trigger()

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------
    @api.model
    def _cron_process(self, batch_size=PROCESS_BATCH):
        """Scheduled action: process received events one by one.

        Each event is claimed with ``FOR NO KEY UPDATE SKIP LOCKED`` right
        before it is processed and committed right after, so concurrent
        workers never process the same event (a lock taken for a whole batch
        would be released by the first commit)."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        events = self.browse()
        for _i in range(batch_size):
            event = self._claim_one(exclude=events.ids)
            if not event:
                break
            event._process()
            events |= event
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        events.source_id._check_health()
        remaining = self.search_count([("state", "=", "received")]) if events else 0
        self.env["ir.cron"]._notify_progress(done=len(events), remaining=remaining)
        return len(events)

    @api.model
    def _claim_one(self, exclude=()):
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM wfmon_inbound_event
                    WHERE state = 'received' AND id != ALL(%s)
                    ORDER BY id LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED""",
                list(exclude),
            )
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    @api.model
    def _inbound_handlers(self):
        """Event type → handler method name.  Modules register their own::

            def _inbound_handlers(self):
                return {**super()._inbound_handlers(),
                        "carrier.exception": "_handle_carrier_exception"}

        A handler ``_handle_x(self, data, env)`` runs with ``env`` bound to the
        source's "process as" user and company, returns the record it produced
        (or nothing) and raises :class:`InboundError` (or a UserError) to
        quarantine the event with a reason.
        """
        return {
            "case.open": "_handle_case_open",
            "recommendation": "_handle_recommendation",
        }

    def _process(self):
        """Parse, route and run the handler of each received event.  Every
        failure ends in ``quarantined`` with its reason, never in a log line only."""
        for event in self.filtered(lambda e: e.state == "received"):
            try:
                event_type, data = event._parse()
                with self.env.cr.savepoint():
                    result = event._run_handler(event_type, data)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise  # the whole job is retried, nothing to record
            except (InboundError, UserError, ValidationError, AccessError, MissingError) as exc:
                event._quarantine(str(exc))
                continue
            except Exception as exc:  # pylint: disable=broad-exception-caught
                # Whatever a handler trips on (a bad value, a database error
                # rolled back with the savepoint), one event must not block the
                # queue: it waits in quarantine with the error as its reason.
                _logger.info("Inbound event %s failed in its handler", event.id, exc_info=True)
                event._quarantine(f"{type(exc).__name__}: {exc}")
                continue
            vals = {
                "state": "processed",
                "processed_at": fields.Datetime.now(),
                "process_count": event.process_count + 1,
                "reason": False,
            }
            if result and result._name == "wfmon.case":
                vals["case_id"] = result.id
            elif result and result._name == "wfmon.recommendation":
                vals.update(recommendation_id=result.id, case_id=result.case_id.id)
            event.write(vals)
        return True

    def _quarantine(self, reason):
        reason = pg_text((reason or "")[:REASON_MAX])
        _logger.info("Inbound event %s quarantined: %s", self.id, reason)
        self.write(
            {
                "state": "quarantined",
                "reason": reason,
                "process_count": self.process_count + 1,
            }
        )

    def _parse(self):
        """``(type, data)`` of the stored body; the type is recorded at once."""
        self.ensure_one()
        try:
            text = self._body_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InboundError(self.env._("The body is not UTF-8 text: %s", exc)) from exc
        try:
            payload = json.loads(text)
        except RecursionError as exc:
            raise InboundError(self.env._("The JSON body is nested too deeply.")) from exc
        except ValueError as exc:
            raise InboundError(self.env._("Malformed JSON: %s", exc)) from exc
        unstorable = unstorable_text(payload)
        if unstorable:
            raise InboundError(
                self.env._("The JSON body holds %s, which the database cannot store.", unstorable)
            )
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            raise InboundError(self.env._('The body must be a JSON object with a "type".'))
        event_type = payload["type"][:200]
        self.event_type = event_type
        data = payload.get("data")
        if not isinstance(data, dict):
            raise InboundError(self.env._('"data" must be a JSON object.'))
        return event_type, data

    def _run_handler(self, event_type, data):
        self.ensure_one()
        source = self.source_id
        if source.allowed_type_ids and event_type not in source.allowed_type_ids.mapped("code"):
            raise InboundError(
                self.env._("Event type %s is not allowed for this source.", event_type)
            )
        method = self._inbound_handlers().get(event_type)
        if not method or not method.startswith("_handle_") or not hasattr(self, method):
            raise InboundError(self.env._("No handler for event type %s.", event_type))
        env = self.env(
            user=source.user_id.id,
            su=False,
            context=dict(
                self.env.context,
                allowed_company_ids=[source.company_id.id],
                wfmon_inbound_source_id=source.id,
            ),
        )
        return getattr(self, method)(data, env)

    # ------------------------------------------------------------------
    # Generic handlers
    # ------------------------------------------------------------------
    def _find_record(self, env, model, record_id=None, reference=None):
        source = self.source_id
        if model not in source.allowed_model_ids.mapped("model"):
            raise InboundError(self.env._("Model %s is not allowed for this source.", model))
        if model not in env:
            raise InboundError(self.env._("Unknown model %s.", model))
        Model = env[model]
        if record_id is not None:
            if not _is_record_id(record_id):
                raise InboundError(self.env._('"id" must be a positive integer record id.'))
            records = Model.search([("id", "=", record_id)], limit=1)
        elif reference:
            field = Model._rec_name or "name"
            records = Model.search([(field, "=", str(reference))], limit=2)
            if len(records) > 1:
                raise InboundError(
                    self.env._(
                        "Reference %(ref)s matches several %(model)s records.",
                        ref=reference,
                        model=model,
                    )
                )
        else:
            raise InboundError(self.env._('Give the record as "id" or "reference".'))
        if not records:
            raise InboundError(
                self.env._(
                    "No %(model)s record %(ref)s visible to the source's user.",
                    model=model,
                    ref=record_id if record_id is not None else reference,
                )
            )
        return records

    def _handle_case_open(self, data, env):
        """``case.open``: open (or bump) a case of ``case_type`` on a record.

        data: ``case_type`` (code), ``model``, ``id`` or ``reference``;
        optional ``severity``, ``summary``, ``details``, ``impact``, ``key``.
        """
        case_type = data.get("case_type")
        if not case_type or not isinstance(case_type, str):
            raise InboundError(self.env._('"case_type" is required.'))
        record = self._find_record(env, data.get("model"), data.get("id"), data.get("reference"))
        severity = data.get("severity")
        if severity is not None and severity not in SEVERITY_ORDER:
            raise InboundError(self.env._("Unknown severity %s.", severity))
        impact = data.get("impact")
        if impact is not None and (isinstance(impact, bool) or not isinstance(impact, int | float)):
            raise InboundError(self.env._('"impact" must be a number.'))
        details = data.get("details")
        return env["wfmon.case"]._raise(
            case_type,
            record,
            severity=severity,
            impact=impact,
            details=str(details)[:5000] if details is not None else None,
            summary=str(data["summary"])[:250] if data.get("summary") else None,
            key=str(data["key"])[:100] if data.get("key") else None,
        )

    def _handle_recommendation(self, data, env):
        """``recommendation``: attach advisory advice with its confidence to a case.

        data: ``case`` (reference, e.g. EXC-000012) or ``case_id``; ``text``;
        ``confidence`` (0..1); optional ``suggested_action``, ``model``,
        ``external_id``, ``kind`` (advice, category, summary, priority),
        ``value`` (what it proposes), ``inputs`` (what it read) and
        ``advised_at`` (ISO date-time).  Never executes anything; a confidence
        under the source's threshold puts the case up for manual review.
        """
        Case = env["wfmon.case"]
        if data.get("case_id") is not None:
            if not _is_record_id(data["case_id"]):
                raise InboundError(self.env._('"case_id" must be a positive integer record id.'))
            case = Case.search([("id", "=", data["case_id"])], limit=1)
        elif data.get("case"):
            case = Case.search([("name", "=", str(data["case"]))], limit=1)
        else:
            raise InboundError(self.env._('Give the case as "case" or "case_id".'))
        if not case:
            raise InboundError(self.env._("No case visible to the source's user matches."))
        text = data.get("text")
        if not text or not isinstance(text, str):
            raise InboundError(self.env._('"text" is required.'))
        confidence = data.get("confidence")
        if isinstance(confidence, bool) or not isinstance(confidence, int | float):
            raise InboundError(self.env._('"confidence" must be a number from 0 to 1.'))
        if not 0 <= confidence <= 1:
            raise InboundError(self.env._('"confidence" must be a number from 0 to 1.'))
        kind = data.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise InboundError(self.env._('"kind" must be a text.'))
        advised_at = data.get("advised_at")
        if advised_at is not None:
            advised_at = _inbound_datetime(advised_at)
            if advised_at is None:
                raise InboundError(self.env._('"advised_at" must be an ISO date-time.'))
        return env["wfmon.recommendation"]._attach(
            case,
            self.source_id,
            text=text,
            confidence=float(confidence),
            suggested_action=data.get("suggested_action"),
            model_name=data.get("model"),
            external_id=data.get("external_id"),
            inbound_event=self,
            kind=kind,
            proposed_value=data.get("value"),
            inputs_ref=data.get("inputs"),
            advised_at=advised_at,
        )

    @api.autovacuum
    def _gc_done_events(self):
        """Drop processed and duplicate events after the retention period;
        received and quarantined ones stay until someone deals with them."""
        days = self.env["wfmon.event"]._retention_days()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """DELETE FROM wfmon_inbound_event
                    WHERE state IN ('processed', 'duplicate')
                      AND create_date < now() at time zone 'UTC' - make_interval(days => %s)""",
                days,
            )
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_reprocess(self):
        """Process quarantined events again (after a fix of data or config)."""
        events = self.filtered(lambda e: e.state == "quarantined")
        if not events:
            raise UserError(self.env._("Only quarantined events can be reprocessed."))
        events.check_access("write")
        # sudo: state is engine-managed (readonly in views); rights checked above.
        events.sudo().write({"state": "received", "reason": False})
        events.sudo()._process()
        events.source_id.sudo()._check_health()
        return True


class WfmonInboundRejection(models.Model):
    """Refused inbound requests, one line per source, reason and hour.

    Metadata only, never the body.  Counting into one line per hour keeps the
    table bounded whatever the rate of refused requests (at most sources x
    reasons x 24 x retention days lines) while every refusal is counted; the
    line keeps what the last refused request looked like.  Unknown URLs are not
    recorded at all (no source to charge them to): they answer 404.
    """

    _name = "wfmon.inbound.rejection"
    _description = "Refused Inbound Requests"
    _order = "last_seen desc, id desc"

    source_id = fields.Many2one(
        "wfmon.inbound.source", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="source_id.company_id", store=True)
    reason = fields.Selection(
        [
            ("no_secret", "No secret configured"),
            ("missing_headers", "Missing webhook headers"),
            ("bad_timestamp", "Unreadable timestamp"),
            ("stale", "Timestamp outside the window"),
            ("bad_signature", "Bad signature"),
            ("bad_id", "Unusable webhook-id"),
            ("too_large", "Body too large"),
            ("length_required", "No Content-Length"),
            ("incomplete", "Body shorter than announced"),
        ],
        required=True,
        readonly=True,
    )
    period_start = fields.Datetime(
        string="Hour", required=True, readonly=True, index=True, help="Start of the hour (UTC)."
    )
    request_count = fields.Integer(string="Requests", readonly=True, aggregator="sum")
    last_seen = fields.Datetime(readonly=True)
    webhook_id = fields.Char(string="Last Webhook ID", readonly=True)
    content_type = fields.Char(string="Last Content-Type", readonly=True)
    remote_addr = fields.Char(string="Last Sender Address", readonly=True)
    body_size = fields.Integer(string="Last Body Size", readonly=True)

    _sql_constraints = [
        (
            "source_reason_hour_uniq",
            "unique(source_id, reason, period_start)",
            "One line per source, reason and hour.",
        )
    ]

    @api.model
    def _record(self, source, reason, webhook_id=None, content_type=None, remote=None, size=0):
        """Count one refused request of ``source`` (an upsert, no ORM create).

        ``webhook_id`` and ``content_type`` are untrusted header values (text
        or bytes): stored as printable excerpts.  Under a flood several workers
        may count into the same line at once; PostgreSQL then refuses all but
        one (repeatable read), and the others are logged instead of counted so
        the caller still answers its 4xx: the count is a lower bound then.
        """
        now = fields.Datetime.now()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                INSERT INTO wfmon_inbound_rejection AS r
                    (source_id, company_id, reason, period_start, request_count, last_seen,
                     webhook_id, content_type, remote_addr, body_size,
                     create_uid, create_date, write_uid, write_date)
                VALUES (%(source)s, %(company)s, %(reason)s, %(period)s, 1, %(now)s,
                        %(webhook_id)s, %(content_type)s, %(remote)s, %(size)s,
                        %(uid)s, %(now)s, %(uid)s, %(now)s)
                ON CONFLICT (source_id, reason, period_start) DO UPDATE SET
                    request_count = r.request_count + 1,
                    last_seen = EXCLUDED.last_seen,
                    webhook_id = EXCLUDED.webhook_id,
                    content_type = EXCLUDED.content_type,
                    remote_addr = EXCLUDED.remote_addr,
                    body_size = EXCLUDED.body_size,
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                        """,
                        source=source.id,
                        company=source.company_id.id,
                        reason=reason,
                        period=now.replace(minute=0, second=0, microsecond=0),
                        now=now,
                        webhook_id=printable(webhook_id, 200) or None,
                        content_type=printable(content_type, 200) or None,
                        remote=printable(remote, 100) or None,
                        size=min(int(size or 0), 2**31 - 1),
                        uid=self.env.uid,
                    )
                )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info(
                "Refused inbound request to source %s (%s) not counted: concurrent update",
                source.id,
                reason,
            )
        self.invalidate_model()

    @api.autovacuum
    def _gc_old_rejections(self):
        self.env.cr.execute(
            SQL(
                "DELETE FROM wfmon_inbound_rejection "
                "WHERE period_start < now() at time zone 'UTC' - interval '30 days'"
            )
        )
