import hmac
import logging
import time

from werkzeug.exceptions import RequestEntityTooLarge

from odoo import fields, http
from odoo.http import request

from ..models.res_config_settings import METRICS_TOKEN_PARAM
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
        # Hard stop for bodies without Content-Length (chunked); declared bodies
        # over MAX_BODY_BYTES are refused and counted below.
        max_content_length=4 * MAX_BODY_BYTES,
    )
    def inbound(self, token, **_kwargs):
        """Standard Webhooks receiver: verify, store verbatim, acknowledge;
        processing runs after commit (cron trigger)."""
        httpreq = request.httprequest
        # sudo: no user on this route (auth="none"); the token only picks the
        # source, the signature checked below authenticates the request.
        source = (
            request.env["wfmon.inbound.source"]
            .sudo()
            .search([("token", "=", token), ("active", "=", True)], limit=1)
        )
        if not source or not token:
            return _json({"error": "unknown source"}, 404)
        remote = httpreq.remote_addr
        length = httpreq.content_length
        if length is not None and length > MAX_BODY_BYTES:
            self._reject(source, "too_large", httpreq.headers, remote, length)
            return _json({"error": "payload too large"}, 413)
        try:
            # Bounded by the route's max_content_length: a chunked body without
            # Content-Length cannot make us buffer more than the cap either.
            body = httpreq.get_data(cache=True)
        except RequestEntityTooLarge:
            body = None
        if body is None or len(body) > MAX_BODY_BYTES:
            self._reject(source, "too_large", httpreq.headers, remote, len(body or b""))
            return _json({"error": "payload too large"}, 413)
        try:
            msg_id = verify(
                source._verification_secrets(fields.Datetime.now()),
                dict(httpreq.headers),
                body,
                time.time(),
                tolerance=DEFAULT_TOLERANCE,
            )
        except VerificationError as exc:
            self._reject(source, exc.reason, httpreq.headers, remote, len(body))
            return _json({"error": "invalid signature"}, 401)
        event, duplicate = request.env["wfmon.inbound.event"]._receive(
            source,
            msg_id[:200],
            int(httpreq.headers.get("webhook-timestamp")),
            body,
            httpreq.headers.get("Content-Type"),
            remote,
        )
        if duplicate:
            return _json({"status": "duplicate", "id": event.duplicate_of_id.id}, 200)
        event._trigger_processing()
        return _json({"status": "accepted", "id": event.id}, 202)

    def _reject(self, source, reason, headers, remote, size):
        """Count a refused request: metadata only (never the body)."""
        # sudo: unauthenticated route; rejections are the audit of refused calls.
        request.env["wfmon.inbound.rejection"].sudo().create(
            {
                "source_id": source.id,
                "reason": reason,
                "webhook_id": (headers.get("webhook-id") or "")[:200] or False,
                "remote_addr": remote,
                "body_size": size or 0,
            }
        )
        _logger.info("Inbound request to source %s refused: %s", source.id, reason)

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
