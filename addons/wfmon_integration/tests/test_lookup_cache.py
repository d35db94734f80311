"""The event types and the endpoints the outbox reads on every publish come from
the registry's cache, and follow every change of them."""

from odoo.tests import tagged

from odoo.addons.wfmon_core.models.lookup_cache import CHANGED_KEY, ENDPOINTS, lookup_cached
from odoo.addons.wfmon_core.tests.common import WfmonRpcCase, count_queries

from .common import WfmonIntegrationCase


def next_transaction(env):
    """As a later transaction: the fixture is committed configuration, so the
    lookups are served from the registry's cache again."""
    env.cr.cache.pop(CHANGED_KEY, None)


@tagged("post_install", "-at_install")
class TestOutboxLookups(WfmonIntegrationCase):
    def setUp(self):
        super().setUp()
        # What a test leaves in the registry's cache must not reach the next
        # one (its writes are rolled back).
        self.addCleanup(self.registry.clear_cache)
        self.Publisher = self.env["wfmon.publisher"]

    def _endpoints_of(self, event_type):
        events = self.Publisher._publish(event_type, self.partner)
        return self._deliveries(events).endpoint_id

    def test_publishing_reads_no_type_nor_endpoint_once_warm(self):
        """The event type and the endpoints cost no query once warm: a publish
        writes its event and its deliveries."""
        # Warm: the first publish declares the type, the next finds it missing
        # from the registry's cache and has it filled again.
        for _warm in range(3):
            next_transaction(self.env)
            self._endpoints_of("test.lookup")
        with count_queries(self.env, invalidate=False) as warm:
            self.assertEqual(self._endpoints_of("test.lookup"), self.endpoint)
        self.env.cr.cache[CHANGED_KEY] = {"event_types", "endpoints"}
        with count_queries(self.env, invalidate=False) as cold:
            self.assertEqual(self._endpoints_of("test.lookup"), self.endpoint)
        # The type's search, the endpoints' and their types' (two queries).
        self.assertEqual(cold.count - warm.count, 3)

    def test_publishing_follows_endpoint_and_type_changes(self):
        next_transaction(self.env)
        case_resolved = self.env.ref("wfmon_integration.event_type_case_resolved")
        self.assertEqual(self._endpoints_of("case.resolved"), self.endpoint)  # warm
        selective = self.env["wfmon.webhook.endpoint"].create(
            {
                "name": "Selective",
                "url": self.sink.url,
                "event_filter": "selected",
                "event_type_ids": [(6, 0, case_resolved.ids)],
            }
        )
        self.assertEqual(self._endpoints_of("case.resolved"), self.endpoint | selective)
        self.assertEqual(self._endpoints_of("case.opened"), self.endpoint)
        next_transaction(self.env)
        self.assertEqual(self._endpoints_of("case.resolved"), self.endpoint | selective)
        self.endpoint.active = False
        self.assertEqual(self._endpoints_of("case.resolved"), selective, "same transaction")
        next_transaction(self.env)
        self.assertEqual(self._endpoints_of("case.resolved"), selective, "next transaction")
        case_resolved.active = False  # an archived type leaves the endpoint's selection
        next_transaction(self.env)
        self.assertFalse(self._endpoints_of("case.resolved"))
        other_company = self.env["res.company"].create({"name": "Other Co"})
        case_resolved.active = True
        selective.company_id = other_company
        next_transaction(self.env)
        self.assertFalse(self._endpoints_of("case.resolved"), "another company's endpoint")
        # A type renamed: the next publish under the old code declares it anew.
        case_resolved.code = "case.closed"
        next_transaction(self.env)
        events = self.Publisher._publish("case.resolved", self.partner)
        self.assertNotEqual(events.type_id, case_resolved)
        self.assertEqual(events.type_id.code, "case.resolved")

    def test_a_health_write_leaves_the_endpoints_cached(self):
        """Only what decides which events an endpoint gets clears the cache."""
        next_transaction(self.env)
        self.endpoint.write({"name": "Sink, renamed", "timeout": 3})
        self.assertTrue(lookup_cached(self.env, ENDPOINTS))

    def test_a_type_rolled_back_is_declared_again(self):
        """A type declared in a savepoint rolled back is not taken for declared
        afterwards, in the same transaction or the next."""
        next_transaction(self.env)
        with self.assertRaisesRegex(RuntimeError, "roll the savepoint back"):
            with self.env.cr.savepoint():
                ghost = self.Publisher._publish("test.ghost", self.partner).type_id
                self.assertEqual(self.Publisher._publish("test.ghost", self.partner).type_id, ghost)
                raise RuntimeError("roll the savepoint back")
        event = self.Publisher._publish("test.ghost", self.partner)
        self.assertTrue(event.type_id.exists())
        self.assertNotEqual(event.type_id.id, ghost.id)
        next_transaction(self.env)
        self.assertEqual(self.Publisher._publish("test.ghost", self.partner).type_id, event.type_id)


@tagged("post_install", "-at_install")
class TestOutboxLookupsRpc(WfmonRpcCase):
    """An administrator changing an endpoint through the web client's JSON-RPC
    changes where the next event goes."""

    def test_an_endpoint_archived_over_rpc_gets_no_more_events(self):
        endpoint = self.env["wfmon.webhook.endpoint"].create(
            {"name": "Sink", "url": "https://hooks.example.com/in"}
        )
        partner = self.env["res.partner"].create({"name": "RPC partner"})
        Publisher = self.env["wfmon.publisher"]
        Delivery = self.env["wfmon.webhook.delivery"]
        next_transaction(self.env)
        first = Publisher._publish("test.rpc", partner)
        self.assertEqual(Delivery.search([("event_id", "=", first.id)]).endpoint_id, endpoint)
        next_transaction(self.env)
        Publisher._publish("test.rpc", partner)  # warm
        outcome = self.rpc(
            "admin", "wfmon.webhook.endpoint", "write", endpoint.ids, {"active": False}
        )
        self.assertFalse(outcome.error, outcome.message)
        second = Publisher._publish("test.rpc", partner)
        self.assertFalse(Delivery.search([("event_id", "=", second.id)]))
        # A manager may not: the endpoint stays as the administrator left it.
        self.assertRefused(
            self.rpc(
                "wfmon_manager", "wfmon.webhook.endpoint", "write", endpoint.ids, {"active": True}
            )
        )
        next_transaction(self.env)
        third = Publisher._publish("test.rpc", partner)
        self.assertFalse(Delivery.search([("event_id", "=", third.id)]))
