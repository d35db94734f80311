"""C11 delivery: signed POSTs to a real loopback sink, retries, dead letters."""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.wfmon_core.tests.common import count_queries

from ..tools.retry_after import http_date
from .common import ALLOW_PRIVATE, WfmonIntegrationCase


@tagged("post_install", "-at_install")
class TestDelivery(WfmonIntegrationCase):
    def _publish(self, count=1):
        partners = self.env["res.partner"].create([{"name": f"D{i}"} for i in range(count)])
        events = self.env["wfmon.publisher"]._publish("test.delivery", partners)
        return events, self._deliveries(events)

    def test_delivered_and_verified_by_standardwebhooks(self):
        events, deliveries = self._publish(3)
        self.assertEqual(self._dispatch(), 3)
        self.assertEqual(set(deliveries.mapped("state")), {"done"})
        self.assertEqual(len(self.sink.requests), 3)
        secret = self.endpoint.secret
        ids = set()
        for request in self.sink.requests:
            payload = self.assertVerified(request, secret)
            self.assertEqual(payload["type"], "test.delivery")
            ids.add(request["headers"]["webhook-id"])
        self.assertEqual(ids, set(events.mapped("name")))
        attempt = deliveries[0].attempt_ids
        self.assertEqual(
            (attempt.status_code, attempt.success, attempt.outcome), (204, True, "done")
        )
        self.assertGreaterEqual(attempt.latency_ms, 0)
        # Nothing left: a second run sends nothing.
        self.assertEqual(self._dispatch(), 0)

    def test_event_id_stable_across_retries(self):
        _events, delivery = self._publish()
        self.sink.respond(500)
        self._dispatch()
        self._make_due(delivery)
        self._dispatch()
        first, second = self.sink.requests
        self.assertEqual(first["headers"]["webhook-id"], second["headers"]["webhook-id"])
        self.assertEqual(first["body"], second["body"])
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.attempt_count, 2)

    def test_failure_backoff_with_jitter(self):
        _events, delivery = self._publish()
        self.sink.respond((500, {}, b"boom " * 500))
        # real clock: the dispatcher schedules on its own clock, in this process
        before = fields.Datetime.now()
        self._dispatch()
        self.assertEqual(delivery.state, "failed")
        self.assertEqual(delivery.last_status_code, 500)
        wait = (delivery.next_attempt_at - before).total_seconds()
        self.assertTrue(0 <= wait <= 31, wait)
        attempt = delivery.attempt_ids
        self.assertEqual(attempt.outcome, "retry")
        self.assertLessEqual(len(attempt.error), 1000)
        self.assertTrue(attempt.error.startswith("HTTP 500: boom"))
        # Not due yet: the dispatcher leaves it alone.
        # real clock: the dispatcher schedules on its own clock, in this process
        delivery.next_attempt_at = fields.Datetime.now() + timedelta(minutes=1)
        self.assertEqual(self._dispatch(), 0)
        # A precise cron trigger was scheduled for the retry.
        cron = self.env.ref("wfmon_integration.ir_cron_wfmon_webhook_dispatch")
        self.assertTrue(
            self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", cron.id), ("call_at", "=", attempt.retry_at)]
            )
        )

    def test_429_and_503_honour_retry_after(self):
        _events, delivery = self._publish()
        self.sink.respond((429, {"Retry-After": "120"}, b""))
        # real clock: the dispatcher schedules on its own clock, in this process
        before = fields.Datetime.now()
        self._dispatch()
        self.assertAlmostEqual((delivery.next_attempt_at - before).total_seconds(), 120, delta=3)
        self._make_due(delivery)
        # real clock: the dispatcher schedules on its own clock, in this process
        before = fields.Datetime.now()
        when = before + timedelta(seconds=600)
        self.sink.respond((503, {"Retry-After": http_date(when)}, b""))
        self._dispatch()
        self.assertEqual(delivery.state, "failed")
        self.assertAlmostEqual((delivery.next_attempt_at - before).total_seconds(), 600, delta=3)

    def test_410_deactivates_endpoint(self):
        _events, delivery = self._publish()
        self.sink.respond(410)
        self._dispatch()
        self.assertEqual(delivery.state, "dead")
        self.assertFalse(self.endpoint.active)
        self.assertIn("410", self.endpoint.deactivated_reason)
        # New events are no longer fanned out to it, and re-queue refuses until reactivated.
        _events, new = self._publish()
        self.assertFalse(new)
        with self.assertRaises(UserError):
            delivery.action_requeue()

    def test_dead_letter_after_last_attempt_then_requeue(self):
        self.endpoint.max_attempts = 3
        self.endpoint.failure_threshold = 0  # no integration case (it would be sent too)
        _events, deliveries = self._publish(2)
        self.sink.default = (500, {}, b"down")
        for _round in range(3):
            self._dispatch()
            self._make_due(deliveries)
        self.assertEqual(set(deliveries.mapped("state")), {"dead"})
        self.assertEqual(deliveries.mapped("attempt_count"), [3, 3])
        self.assertEqual(deliveries[0].attempt_ids.sorted("attempt_no")[-1].outcome, "dead")
        self.assertEqual(self._dispatch(), 0)
        self.assertEqual(self.endpoint.dead_count, 2)
        # Re-queue one, then the rest in bulk from the list (server action).
        self.sink.default = (200, {}, b"ok")
        deliveries[0].with_user(self.admin).action_requeue()
        self.assertEqual(deliveries[0].state, "pending")
        self.assertEqual(self._dispatch(), 1)
        self.assertEqual(deliveries[0].state, "done")
        action = self.env.ref("wfmon_integration.wfmon_webhook_delivery_action_requeue")
        action.with_user(self.admin).with_context(
            active_model="wfmon.webhook.delivery", active_ids=deliveries[1:].ids
        ).run()
        self._dispatch()
        self.assertEqual(deliveries[1].state, "done")
        with self.assertRaises(UserError):
            deliveries.action_requeue()

    def test_connection_error_is_retried(self):
        self.endpoint.url = "http://127.0.0.1:9/nothing-listens-here"
        _events, delivery = self._publish()
        self._dispatch()
        self.assertEqual(delivery.state, "failed")
        self.assertEqual(delivery.last_status_code, 0)
        self.assertIn("ConnectionError", delivery.attempt_ids.error)

    def test_private_destination_refused_without_setting(self):
        self.endpoint.url = self.sink.url.replace("http://", "https://")
        _events, delivery = self._publish()
        self.env["ir.config_parameter"].set_param(ALLOW_PRIVATE, "False")
        self._dispatch()
        self.assertEqual(delivery.state, "failed")
        self.assertIn("Destination refused", delivery.last_error)
        self.assertIn("loopback", delivery.last_error)
        self.assertFalse(self.sink.requests)

    def test_rotation_signs_with_both_secrets(self):
        old = self.endpoint.secret
        action = self.endpoint.with_user(self.admin).action_rotate_secret()
        new = self.endpoint.secret
        self.assertNotEqual(old, new)
        self.assertEqual(action["res_model"], "wfmon.secret.reveal")
        wizard = self.env["wfmon.secret.reveal"].with_user(self.admin).browse(action["res_id"])
        self.assertEqual(wizard.secret, new)
        self._publish()
        self._dispatch()
        request = self.sink.requests[0]
        self.assertEqual(len(request["headers"]["webhook-signature"].split(" ")), 2)
        self.assertVerified(request, old)
        self.assertVerified(request, new)
        # After the overlap only the new secret signs.
        # real clock: the dispatcher ends the overlap on its own clock, in this process
        self.endpoint.previous_secret_until = fields.Datetime.now() - timedelta(seconds=1)
        self._publish()
        self._dispatch()
        request = self.sink.requests[1]
        self.assertEqual(len(request["headers"]["webhook-signature"].split(" ")), 1)
        self.assertVerified(request, new)

    def test_custom_headers_sent(self):
        self.endpoint.custom_headers = json.dumps({"X-Tenant": "store-42"})
        self._publish()
        self._dispatch()
        self.assertEqual(self.sink.requests[0]["headers"]["X-Tenant"], "store-42")
        self.assertEqual(self.sink.requests[0]["headers"]["Content-Type"], "application/json")

    def test_secret_generated_on_create(self):
        endpoint = self.env["wfmon.webhook.endpoint"].create(
            {"name": "New", "url": "https://hooks.example.com/x"}
        )
        self.assertTrue(endpoint.secret.startswith("whsec_"))
        self.assertEqual(endpoint.secret_hint, "whsec_…" + endpoint.secret[-4:])

    def test_cron_entry_point_sends_due_deliveries(self):
        _events, deliveries = self._publish(2)
        self.assertEqual(self.Delivery._cron_dispatch(), 2)
        self.assertEqual(set(deliveries.mapped("state")), {"done"})

    def test_parallel_requests_bounded_per_endpoint(self):
        self.endpoint.parallel_requests = 3
        events, deliveries = self._publish(9)
        self.sink.delay = 0.2
        self.assertEqual(self._dispatch(), 9)
        self.assertEqual(set(deliveries.mapped("state")), {"done"})
        self.assertEqual(
            {r["headers"]["webhook-id"] for r in self.sink.requests}, set(events.mapped("name"))
        )
        self.assertGreater(self.sink.max_active, 1)
        self.assertLessEqual(self.sink.max_active, 3)

    def test_one_request_at_a_time_by_default(self):
        self._publish(4)
        self.sink.delay = 0.05
        self.assertEqual(self._dispatch(), 4)
        self.assertEqual(self.sink.max_active, 1)

    def test_run_stops_sending_at_its_budget_and_keeps_the_rest_due(self):
        """A slow receiver cannot keep a run (and its transaction) going: no
        request starts after the run's budget; what was sent is recorded, the
        rest stays due, untouched, for the next run."""
        _events, deliveries = self._publish(5)
        self.sink.delay = 1.5
        attempted, drained = self.Delivery._dispatch_run(budget=1.0)
        self.assertEqual((attempted, drained), (1, False))
        sent = deliveries.filtered(lambda d: d.state == "done")
        self.assertEqual(len(sent), 1)
        self.assertEqual(set((deliveries - sent).mapped("state")), {"pending"})
        self.assertFalse((deliveries - sent).attempt_ids)
        self.assertEqual(self.Delivery._due_count(), 4)
        self.sink.delay = 0
        self.assertEqual(self._dispatch(), 4)
        self.assertEqual(set(deliveries.mapped("state")), {"done"})

    def test_dispatch_queries_per_batch_are_flat(self):
        """A batch costs the same few queries whatever its size: the claim, one
        UPDATE of the deliveries, one INSERT of the attempts."""

        def run(count):
            _events, deliveries = self._publish(count)
            with count_queries(self.env) as queries:
                sent = self.Delivery._dispatch_due(batch_size=20)
                self.env.flush_all()
                self.assertEqual(sent, count)
                self.assertEqual(set(deliveries.mapped("state")), {"done"})
            return queries.count

        run(2)  # warm-up: caches of the case type, settings and cron
        one_batch = run(20)
        three_batches = run(60)
        # Two more batches: two more claims, UPDATEs and INSERTs.
        self.assertLessEqual(three_batches - one_batch, 2 * 3)
        # Amortised over a batch, far below one query per event.
        self.assertLessEqual(one_batch, 20 * 0.75)

    def test_retries_of_a_batch_wake_the_dispatcher_in_one_insert(self):
        _events, deliveries = self._publish(5)
        self.sink.default = (500, {}, b"down")
        cron = self.env.ref("wfmon_integration.ir_cron_wfmon_webhook_dispatch")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        self._dispatch()
        retry_times = set(deliveries.mapped("next_attempt_at"))
        self.assertEqual(
            Trigger.search_count([("cron_id", "=", cron.id)]) - before, len(retry_times)
        )
        self.assertEqual(
            set(
                Trigger.search(
                    [("cron_id", "=", cron.id), ("call_at", "in", list(retry_times))]
                ).mapped("call_at")
            ),
            retry_times,
        )

    def test_broken_custom_headers_fail_visibly(self):
        _events, delivery = self._publish()
        # Bypass the constraint the way a bad data import would.
        self.env.cr.execute(
            "UPDATE wfmon_webhook_endpoint SET custom_headers = '{broken' WHERE id = %s",
            (self.endpoint.id,),
        )
        self.endpoint.invalidate_recordset(["custom_headers"])
        self._dispatch()
        self.assertEqual(delivery.state, "failed")
        self.assertIn("JSONDecodeError", delivery.last_error)

    def test_custom_headers_validated(self):
        from odoo.exceptions import ValidationError

        for value in ("[1]", "{bad", '{"webhook-id": "x"}', '{"X": {"a": 1}}'):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.endpoint.custom_headers = value
