import hmac
import logging
import time

from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from odoo import fields, http
from odoo.http import request

from ..models.res_config_settings import METRICS_TOKEN_PARAM
from ..tools.inbound import MAX_WEBHOOK_ID, header_bytes, printable, webhook_id
from ..tools.prometheus import CONTENT_TYPE, render
from ..tools.signing import DEFAULT_TOLERANCE, VerificationError, verify

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024


def _json(payload, status):
    return request.make_json_response(payload, status=status)


class WfmonIntegrationController(http.Controller):
    @http.route(
        "/wfmon/inbound/<string:token>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
        # Odoo must not parse the body as a form: the signature covers the raw
        # bytes, whatever the Content-Type (see models/ir_http.py).
        wfmon_raw_body=True,
        # Werkzeug versions that bound get_data() by it stop there; the
        # declared length is checked against MAX_BODY_BYTES before reading.
        max_content_length=MAX_BODY_BYTES,
    )
    def inbound(self, token, **_kwargs):
        """Standard Webhooks receiver: verify, store the raw bytes, acknowledge;
        processing runs after commit (cron trigger).

        Every refusal is a 4xx counted on the source (never a 5xx): 411 without
        a declared length, 413 over MAX_BODY_BYTES, 401 not authentic, 400 an
        authentic request whose ``webhook-id`` cannot be stored as sent."""
        httpreq = request.httprequest
        # sudo: no user on this route (auth="none"); the token only picks the
        # source, the signature checked below authenticates the request.
        source = (
            request.env["wfmon.inbound.source"]
            .sudo()
            .search([("token", "=", token), ("active", "=", True)], limit=1)
        )
        if not source or not token:
            # Not recorded: there is no source to charge it to, and recording
            # unknown URLs would let anyone fill the table.
            return _json({"error": "unknown source"}, 404)
        headers = httpreq.headers
        length = httpreq.content_length

        def refuse(reason, size, status, message):
            self._reject(source, reason, headers, httpreq.remote_addr, size)
            return _json({"error": message, "reason": reason}, status)

        if "Transfer-Encoding" in headers:
            # A chunked body has no length to check before reading it.
            return refuse("length_required", 0, 411, "send a Content-Length, not a chunked body")
        if length is not None and length > MAX_BODY_BYTES:
            return refuse("too_large", length, 413, "payload too large")
        try:
            body = httpreq.get_data(cache=True)
        except RequestEntityTooLarge:
            return refuse("too_large", length or 0, 413, "payload too large")
        except ClientDisconnected:
            return refuse("incomplete", length or 0, 400, "body shorter than its Content-Length")
        if len(body) > MAX_BODY_BYTES:
            return refuse("too_large", len(body), 413, "payload too large")
        # Header values arrive as latin-1 text (WSGI): check the signature over
        # the id's bytes as sent, so a UTF-8 id verifies as its sender signed it.
        raw_id = header_bytes(headers.get("webhook-id"))
        try:
            verify(
                source._wfmon_active_secrets(fields.Datetime.now()),
                {
                    "webhook-id": raw_id,
                    "webhook-timestamp": headers.get("webhook-timestamp"),
                    "webhook-signature": headers.get("webhook-signature"),
                },
                body,
                time.time(),
                tolerance=DEFAULT_TOLERANCE,
            )
        except VerificationError as exc:
            return refuse(exc.reason, len(body), 401, "invalid signature")
        msg_id = webhook_id(raw_id)
        if msg_id is None:
            return refuse(
                "bad_id",
                len(body),
                400,
                f"webhook-id must be 1 to {MAX_WEBHOOK_ID} characters of UTF-8 text "
                "without control characters",
            )
        event, duplicate = request.env["wfmon.inbound.event"]._receive(
            source,
            msg_id,
            int(headers.get("webhook-timestamp")),
            body,
            header_bytes(headers.get("Content-Type")),
            httpreq.remote_addr,
        )
        if duplicate:
            return _json({"status": "duplicate", "id": event.duplicate_of_id.id}, 200)
        event._trigger_processing()
        return _json({"status": "accepted", "id": event.id}, 202)

    def _reject(self, source, reason, headers, remote, size):
        """Count a refused request: metadata only (never the body)."""
        # sudo: unauthenticated route; rejections are the audit of refused calls.
        request.env["wfmon.inbound.rejection"].sudo()._record(
            source,
            reason,
            webhook_id=header_bytes(headers.get("webhook-id")),
            content_type=header_bytes(headers.get("Content-Type")),
            remote=remote,
            size=size,
        )
        _logger.info(
            "Inbound request to source %s refused: %s (webhook-id %s)",
            source.id,
            reason,
            printable(header_bytes(headers.get("webhook-id")), 80) or "-",
        )

    @http.route(
        "/wfmon/metrics", type="http", auth="none", methods=["GET"], csrf=False, save_session=False
    )
    def metrics(self, **_kwargs):
        """Prometheus text: open cases, deliveries, inbound events, approvals."""
        # sudo: the route has no user; a system parameter holds the token.
        expected = request.env["ir.config_parameter"].sudo().get_param(METRICS_TOKEN_PARAM) or ""
        given = request.httprequest.headers.get("Authorization", "")
        scheme, _sep, token = given.partition(" ")
        if (
            not expected
            or scheme.lower() != "bearer"
            or not hmac.compare_digest(token.strip().encode(), expected.encode())
        ):
            return request.make_response(
                "unauthorized\n",
                headers=[("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")],
                status=401,
            )
        # sudo: aggregate counts for monitoring, authorized by the bearer token.
        text = render(request.env["wfmon.event"].sudo()._metrics_families())
        return request.make_response(text, headers=[("Content-Type", CONTENT_TYPE)])
