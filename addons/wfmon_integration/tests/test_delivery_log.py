"""The delivery log (what was sent, what came back) and "Send Test Event"."""

from standardwebhooks import Webhook

from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import WfmonRpcCase

from ..tools.sender import REDACTED
from .common import ALLOW_PRIVATE, Sink, WfmonIntegrationCase


def header_map(attempt):
    return dict(line.split(": ", 1) for line in attempt.request_headers.splitlines())


@tagged("post_install", "-at_install")
class TestDeliveryLog(WfmonIntegrationCase):
    def test_each_attempt_keeps_the_request_and_the_answer(self):
        self.endpoint.custom_headers = '{"Authorization": "Bearer s3cret"}'
        self.sink.respond((202, {}, b'{"received": true}'), (500, {}, b"boom\x00!"))
        partners = self.env["res.partner"].create([{"name": "L1"}, {"name": "L2"}])
        events = self.env["wfmon.publisher"]._publish("test.log", partners)
        deliveries = self._deliveries(events)
        self.assertEqual(self._dispatch(), 2)
        first, second = (deliveries.filtered(lambda d, e=e: d.event_id == e) for e in events)
        ok, failed = first.attempt_ids, second.attempt_ids
        sent = {r["headers"]["webhook-id"]: r for r in self.sink.requests}

        headers = header_map(ok)
        request = sent[events[0].name]
        self.assertEqual(headers["webhook-id"], events[0].name)
        self.assertEqual(headers["webhook-signature"], request["headers"]["webhook-signature"])
        self.assertEqual(headers["webhook-timestamp"], request["headers"]["webhook-timestamp"])
        self.assertEqual(headers["Authorization"], REDACTED, "a custom header's value is a secret")
        self.assertNotIn("s3cret", ok.request_headers)
        self.assertEqual(ok.request_body.encode(), request["body"], "the exact body sent")
        self.assertEqual((ok.status_code, ok.success), (202, True))
        self.assertEqual(ok.response_excerpt, '{"received": true}')
        self.assertGreaterEqual(ok.latency_ms, 0)

        self.assertEqual((failed.status_code, failed.outcome), (500, "retry"))
        self.assertEqual(failed.response_excerpt, "boom\\x00!", "a NUL is stored escaped")
        self.assertTrue(failed.error.startswith("HTTP 500: boom"))

    def test_refused_destination_sent_nothing(self):
        self.env["ir.config_parameter"].sudo().set_param(ALLOW_PRIVATE, "False")
        events = self.env["wfmon.publisher"]._publish("test.log", self.partner)
        self._dispatch()
        attempt = self._deliveries(events).attempt_ids
        self.assertFalse(attempt.request_headers, "nothing was sent")
        self.assertFalse(attempt.response_excerpt)
        self.assertFalse(self.sink.requests)


@tagged("post_install", "-at_install")
class TestSendTestEvent(WfmonRpcCase):
    """The button, clicked over JSON-RPC by each role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(ALLOW_PRIVATE, "True")
        cls.sink = Sink()
        cls.addClassCleanup(cls.sink.stop)
        Endpoint = cls.env["wfmon.webhook.endpoint"]
        cls.endpoint = Endpoint.create({"name": "Receiver", "url": cls.sink.url, "timeout": 5})
        cls.other = Endpoint.create(
            {"name": "Other receiver", "url": cls.sink.url + "/other", "timeout": 5}
        )

    def setUp(self):
        super().setUp()
        self.sink.requests.clear()
        self.sink.script.clear()

    def click(self, role, endpoint=None):
        return self.rpc(
            role,
            "wfmon.webhook.endpoint",
            "action_send_test_event",
            [(endpoint or self.endpoint).id],
        )

    def test_administrator_sends_a_signed_ping_and_sees_the_answer(self):
        self.sink.respond((200, {"Content-Type": "text/plain"}, b"pong"))
        outcome = self.click("admin")
        self.assertFalse(outcome.error, outcome.message)
        action = outcome.result
        self.assertEqual((action["res_model"], action["target"]), ("wfmon.webhook.attempt", "new"))
        [request] = self.sink.requests
        self.assertEqual(request["path"], "/hook", "only this endpoint receives it")
        payload = Webhook(self.endpoint.secret).verify(
            request["body"], {k.lower(): v for k, v in request["headers"].items()}
        )
        self.assertEqual(payload["type"], "ping")
        self.assertEqual(payload["data"]["endpoint"], "Receiver")
        shown = self.rpc(
            "admin",
            "wfmon.webhook.attempt",
            "web_read",
            [action["res_id"]],
            {
                "status_code": {},
                "latency_ms": {},
                "outcome": {},
                "request_headers": {},
                "request_body": {},
                "response_excerpt": {},
                "event_type": {},
            },
        ).result[0]
        self.assertEqual((shown["status_code"], shown["outcome"]), (200, "done"))
        self.assertEqual(shown["response_excerpt"], "pong")
        self.assertEqual(shown["request_body"].encode(), request["body"])
        self.assertIn(f"webhook-id: {request['headers']['webhook-id']}", shown["request_headers"])
        self.assertEqual(shown["event_type"], "ping")
        self.assertGreaterEqual(shown["latency_ms"], 0)
        log = self.endpoint.action_view_attempts()
        self.assertIn(action["res_id"], self.env["wfmon.webhook.attempt"].search(log["domain"]).ids)

    def test_a_failing_receiver_is_shown_and_retried(self):
        self.sink.respond((503, {}, b"maintenance"))
        action = self.click("admin").result
        attempt = self.env["wfmon.webhook.attempt"].browse(action["res_id"])
        self.assertEqual((attempt.status_code, attempt.outcome), (503, "retry"))
        self.assertEqual(attempt.response_excerpt, "maintenance")
        self.assertEqual(attempt.delivery_id.state, "failed", "the dispatcher sends it again")

    def test_only_administrators_send_and_only_to_active_endpoints(self):
        attempts = self.env["wfmon.webhook.attempt"].search_count([])
        self.assertRefused(self.click("wfmon_manager"))
        self.assertRefused(self.click("wfmon_user"))
        self.other.active = False
        self.assertRefused(self.click("admin", self.other))
        self.assertFalse(self.sink.requests, "nothing was sent")
        self.assertEqual(self.env["wfmon.webhook.attempt"].search_count([]), attempts)
