"""C13 integration health: stats per endpoint, a failing endpoint opens a
case, recovery resolves it; Prometheus metrics behind a bearer token."""

from odoo.tests import HttpCase, tagged

from ..tools.health import recovery_streak
from .common import WfmonIntegrationCase

TOKEN_PARAM = "wfmon_integration.metrics_token"


@tagged("post_install", "-at_install")
class TestHealth(WfmonIntegrationCase):
    def _publish(self, count=1):
        partners = self.env["res.partner"].create([{"name": f"H{i}"} for i in range(count)])
        events = self.env["wfmon.publisher"]._publish("test.health", partners)
        return self._deliveries(events)

    def _failing_case(self):
        return self.Case.search(
            [
                ("type_id.code", "=", "integration.endpoint_failing"),
                ("res_model", "=", "wfmon.webhook.endpoint"),
                ("res_id", "=", self.endpoint.id),
            ]
        )

    def test_stats(self):
        deliveries = self._publish(4)
        self.sink.respond(200, 500, 204, (503, {}, b""))
        self._dispatch()
        endpoint = self.endpoint
        endpoint.invalidate_recordset()
        self.assertEqual(endpoint.attempt_count_24h, 4)
        self.assertEqual(endpoint.success_rate_24h, 50.0)
        self.assertEqual(endpoint.pending_count, 2)
        self.assertEqual(endpoint.dead_count, 0)
        self.assertGreaterEqual(endpoint.p95_latency_ms, 0)
        self.assertTrue(endpoint.last_success_at)
        self.assertTrue(endpoint.last_failure_at)
        # Attempts are ordered: 200, 500, 204, 503 → the last one failed.
        self.assertEqual(endpoint.consecutive_failures, 1)
        self.assertEqual(endpoint.health, "ok")
        self.assertEqual(len(deliveries.filtered(lambda d: d.state == "failed")), 2)

    def test_failing_endpoint_opens_case_and_recovery_resolves_it(self):
        self.endpoint.failure_threshold = 3
        deliveries = self._publish(2)
        self.sink.default = (500, {}, b"down")
        self._dispatch()  # 2 failures
        self.assertFalse(self._failing_case())
        self._make_due(deliveries)
        self._dispatch()  # 4 failures
        self.endpoint.invalidate_recordset()
        self.assertEqual(self.endpoint.health, "failing")
        case = self._failing_case()
        self.assertEqual(len(case), 1)
        self.assertTrue(case.is_open)
        self.assertEqual(case.type_id.domain, "integration")
        self.assertIn("consecutive failed attempts", case.details)
        # Still failing: the same case, not a new one.
        self._make_due(deliveries)
        self._dispatch()
        self.assertEqual(self._failing_case(), case)
        self.assertEqual(case.occurrence_count, 1)
        # The receiver is back: the case resolves by itself.
        self.sink.default = (204, {}, b"")
        self._make_due(deliveries)
        self._dispatch()
        self.assertEqual(case.state, "resolved")
        self.assertEqual(set(deliveries.mapped("state")), {"done"})

    def test_recovery_after_an_outage_does_not_wait_for_the_24h_rate(self):
        """After a long outage the 24 h success rate stays low for hours; the
        endpoint is healthy again, and its case resolved, after the documented
        number of successful attempts in a row."""
        self.endpoint.failure_threshold = 3
        deliveries = self._publish(30)
        self.sink.default = (500, {}, b"down")
        self._dispatch()
        self._make_due(deliveries)
        self._dispatch()  # 60 failed attempts
        case = self._failing_case()
        self.assertTrue(case.is_open)
        # The receiver is back.
        self.sink.default = (204, {}, b"")
        streak = recovery_streak()
        self._make_due(deliveries[: streak - 1])
        self._dispatch()
        self.endpoint.invalidate_recordset()
        self.assertEqual(self.endpoint.consecutive_failures, 0)
        self.assertEqual(self.endpoint.health, "failing")  # not yet: too few successes
        self.assertTrue(case.is_open)
        self._make_due(deliveries[streak - 1 : streak])
        self._dispatch()
        self.endpoint.invalidate_recordset()
        self.assertLess(self.endpoint.success_rate_24h, 50)  # 10 of 70 attempts
        self.assertEqual(self.endpoint.recent_success_rate, 50)
        self.assertEqual(self.endpoint.health, "ok")
        self.assertEqual(case.state, "resolved")
        # One failure later does not bring the case back: 10 of the last 20 succeeded.
        self.sink.respond(500)
        self._make_due(deliveries[streak : streak + 1])
        self._dispatch()
        self.endpoint.invalidate_recordset()
        self.assertEqual(self.endpoint.health, "ok")
        self.assertFalse(self._failing_case().filtered("is_open"))

    def test_health_compute_query_count_is_flat(self):
        endpoints = self.env["wfmon.webhook.endpoint"].create(
            [{"name": f"E{i}", "url": self.sink.url} for i in range(10)]
        )
        self._publish(3)
        self._dispatch()
        endpoints.invalidate_recordset()
        with self.assertQueryCount(6):
            endpoints.mapped("health")


@tagged("post_install", "-at_install")
class TestMetrics(HttpCase):
    def test_metrics_require_token(self):
        self.assertEqual(self.url_open("/wfmon/metrics").status_code, 401)
        self.env["ir.config_parameter"].set_param(TOKEN_PARAM, "s3cret-token")
        response = self.url_open("/wfmon/metrics", headers={"Authorization": "Bearer wrong"})
        self.assertEqual(response.status_code, 401)
        case_type = self.env["wfmon.case.type"].create(
            {"name": "Metric type", "code": "test.metric", "default_severity": "high"}
        )
        partner = self.env["res.partner"].create({"name": "Metric partner"})
        self.env["wfmon.case"]._raise(case_type.code, partner)
        response = self.url_open("/wfmon/metrics", headers={"Authorization": "Bearer s3cret-token"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        text = response.text
        self.assertIn("# TYPE wfmon_cases_open gauge", text)
        self.assertIn(
            'wfmon_cases_open{severity="high",sla_status="on_track",type="test.metric"} 1', text
        )
        self.assertIn("# TYPE wfmon_webhook_deliveries gauge", text)
        self.assertIn("# TYPE wfmon_inbound_events gauge", text)
