import json
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

from odoo import fields
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

ALLOW_PRIVATE = "wfmon_integration.allow_private_destinations"


class Sink:
    """A webhook receiver on 127.0.0.1 (random port), in a thread.

    It records every request (path, headers, body) and answers from a script
    of ``(status, headers, body)`` responses, then with ``default``.
    """

    def __init__(self):
        self.requests = []
        self.script = deque()
        self.default = (204, {}, b"")
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                sink.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                status, headers, payload = sink.script.popleft() if sink.script else sink.default
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep the test log clean
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def respond(self, *responses):
        """Queue responses: each a status or ``(status, headers, body)``."""
        for response in responses:
            if isinstance(response, int):
                response = (response, {}, b"")
            self.script.append(response)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class WfmonIntegrationCase(TransactionCase):
    """Loopback allowed, a sink, an endpoint subscribed to everything, a case type."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.env["ir.config_parameter"].sudo().set_param(ALLOW_PRIVATE, "True")
        cls.sink = Sink()
        cls.addClassCleanup(cls.sink.stop)
        cls.company = cls.env.company
        cls.admin = new_test_user(
            cls.env,
            login="wfi_admin",
            name="Integration Admin",
            groups="wfmon_core.group_wfmon_admin,base.group_system",
        )
        cls.manager = new_test_user(
            cls.env,
            login="wfi_manager",
            name="Ops Manager",
            groups="wfmon_core.group_wfmon_manager",
        )
        cls.endpoint = cls.env["wfmon.webhook.endpoint"].create(
            {"name": "Sink", "url": cls.sink.url, "timeout": 5}
        )
        cls.case_type = cls.env["wfmon.case.type"].create(
            {"name": "Integration test", "code": "test.integration", "domain": "general"}
        )
        cls.Case = cls.env["wfmon.case"]
        cls.Delivery = cls.env["wfmon.webhook.delivery"]
        cls.partner = cls.env["res.partner"].create({"name": "Webhook Partner"})

    def setUp(self):
        super().setUp()
        self.sink.requests.clear()
        self.sink.script.clear()
        self.sink.default = (204, {}, b"")

    def _open_case(self, record=None):
        return self.Case._raise("test.integration", record or self.partner)

    def _deliveries(self, events):
        return self.Delivery.search([("event_id", "in", events.ids)])

    def _make_due(self, deliveries):
        """Let time pass: the deliveries' next attempt is now."""
        deliveries.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        deliveries.flush_recordset()

    def _dispatch(self):
        return self.Delivery._dispatch_due()

    def assertVerified(self, request, secret):
        """The request carries a valid Standard Webhooks signature for ``secret``."""
        headers = {k.lower(): v for k, v in request["headers"].items()}
        payload = Webhook(secret).verify(request["body"], headers)
        self.assertIn("type", payload)
        return payload


def signed_headers(secret, msg_id, body, timestamp=None):
    """Headers of a Standard Webhooks request, signed with the reference library."""
    ts = int(timestamp if timestamp is not None else time.time())
    signature = Webhook(secret).sign(
        msg_id, datetime.fromtimestamp(ts, tz=timezone.utc), body.decode()
    )
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }


def envelope(event_type, data):
    return json.dumps(
        {"type": event_type, "timestamp": "2026-11-23T10:00:00Z", "data": data}
    ).encode()
