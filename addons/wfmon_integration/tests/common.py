import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

ALLOW_PRIVATE = "wfmon_integration.allow_private_destinations"


class Sink:
    """A webhook receiver on 127.0.0.1 (random port), in a thread.

    It records every request (path, headers, body) and answers from a script
    of ``(status, headers, body)`` responses, then with ``default``, after
    ``delay`` seconds; ``max_active`` is the most requests it held at once.
    """

    def __init__(self):
        self.requests = []
        self.script = deque()
        self.default = (204, {}, b"")
        self.delay = 0
        self.active = self.max_active = 0
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with sink.lock:
                    sink.requests.append(
                        {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                    )
                    sink.active += 1
                    sink.max_active = max(sink.max_active, sink.active)
                    response = sink.script.popleft() if sink.script else sink.default
                if sink.delay:
                    time.sleep(sink.delay)
                with sink.lock:
                    sink.active -= 1
                status, headers, payload = response
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep the test log clean
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A client that goes away mid-request (a killed worker) is not an error here.
        self.server.handle_error = lambda request, client_address: None
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
        self.sink.delay = 0
        self.sink.max_active = 0

    def _open_case(self, record=None):
        return self.Case._raise("test.integration", record or self.partner)

    def _deliveries(self, events):
        return self.Delivery.search([("event_id", "in", events.ids)])

    def _make_due(self, deliveries):
        """Let time pass: the deliveries' next attempt is now."""
        # real clock: the dispatcher compares it with its own clock, in this process
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
    # real clock: the endpoint checks the timestamp against its own clock
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


def raw_signature(secret, msg_id, timestamp, body):
    """``v1,<base64>`` over the exact bytes given (id, timestamp and body as bytes):
    an oracle independent of the code under test, for bodies and ids that are
    not text."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, b"%s.%s.%s" % (msg_id, timestamp, body), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


class InboundHttpCase(HttpCase):
    """An inbound source processed as a manager robot, a case type, a partner;
    helpers that POST to the source's URL over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.robot = new_test_user(
            cls.env,
            login="wfi_n8n",
            name="n8n robot",
            groups="wfmon_core.group_wfmon_manager,base.group_partner_manager",
        )
        cls.source = cls.env["wfmon.inbound.source"].create(
            {
                "name": "n8n",
                "user_id": cls.robot.id,
                "allowed_model_ids": [(6, 0, cls.env.ref("base.model_res_partner").ids)],
                "review_threshold": 0.7,
            }
        )
        cls.secret = cls.source.secret
        cls.case_type = cls.env["wfmon.case.type"].create(
            {"name": "Carrier exception", "code": "test.carrier_exception", "domain": "general"}
        )
        cls.partner = cls.env["res.partner"].create({"name": "ACME Carrier Ltd"})
        cls.Event = cls.env["wfmon.inbound.event"]
        cls.Rejection = cls.env["wfmon.inbound.rejection"]

    def _post(self, body, headers=None, token=None, secret=None, msg_id=None, timestamp=None):
        msg_id = msg_id or f"msg_{time.monotonic_ns()}"
        if headers is None:
            headers = signed_headers(secret or self.secret, msg_id, body, timestamp)
        return self.url_open(
            f"/wfmon/inbound/{token or self.source.token}", data=body, headers=headers
        )

    def _send(self, body, headers, token=None, timeout=30):
        """POST exactly ``body`` (even empty) with ``headers`` (values may be bytes)."""
        return self.opener.post(
            f"{self.base_url()}/wfmon/inbound/{token or self.source.token}",
            data=body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
        )

    def _raw_headers(self, msg_id, body, timestamp=None, content_type=b"application/json"):
        """Headers signed over the exact bytes of ``msg_id`` and ``body``."""
        msg_id = msg_id if isinstance(msg_id, bytes) else msg_id.encode()
        # real clock: the endpoint checks the timestamp against its own clock
        ts = str(int(timestamp if timestamp is not None else time.time())).encode()
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": ts,
            "webhook-signature": raw_signature(self.secret, msg_id, ts, body),
        }
        if content_type is not None:
            headers["Content-Type"] = content_type
        return headers

    def _process(self):
        return self.Event._cron_process()

    def _rejections(self, **domain):
        return self.Rejection.search(
            [("source_id", "=", self.source.id)] + [(k, "=", v) for k, v in domain.items()]
        )

    def _case_open_body(self, **data):
        return envelope(
            "case.open",
            {
                "case_type": "test.carrier_exception",
                "model": "res.partner",
                "id": self.partner.id,
                "severity": "high",
                **data,
            },
        )
