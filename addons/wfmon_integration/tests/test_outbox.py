"""C11 outbox: events are written in the business transaction."""

import json
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.wfmon_core.models import wfmon_append_mixin
from odoo.addons.wfmon_core.models.wfmon_append_mixin import fits
from odoo.addons.wfmon_core.tests.common import MONDAY_10, orm_create, table_rows

from .common import WfmonIntegrationCase


@tagged("post_install", "-at_install")
class TestOutbox(WfmonIntegrationCase):
    def test_case_opened_writes_event_and_delivery(self):
        case = self._open_case()
        event = self.env["wfmon.event"].search(
            [("res_model", "=", "wfmon.case"), ("res_id", "=", case.id)]
        )
        self.assertEqual(event.event_type, "case.opened")
        self.assertRegex(event.name, r"^evt_[0-9a-f]{32}$")
        self.assertEqual(event.company_id, case.company_id)
        self.assertEqual(event.reference, case.name)
        payload = json.loads(event.payload)
        self.assertEqual(set(payload), {"type", "timestamp", "data"})
        self.assertEqual(payload["type"], "case.opened")
        self.assertRegex(payload["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(payload["data"]["reference"], case.name)
        self.assertFalse(event.truncated)
        delivery = self._deliveries(event)
        self.assertEqual(delivery.endpoint_id, self.endpoint)
        self.assertEqual(delivery.state, "pending")
        # The dispatcher is woken (after commit) through an immediate cron trigger.
        cron = self.env.ref("wfmon_integration.ir_cron_wfmon_webhook_dispatch")
        self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]))

    def test_every_transition_is_published(self):
        case = self._open_case()
        case.action_start()
        case.write({"resolution_note": "Fixed"})
        case.action_resolve()
        case.action_reopen()
        case.action_cancel()
        types = (
            self.env["wfmon.event"]
            .search([("res_model", "=", "wfmon.case"), ("res_id", "=", case.id)], order="id")
            .mapped("event_type")
        )
        self.assertEqual(
            types,
            ["case.opened", "case.updated", "case.resolved", "case.reopened", "case.cancelled"],
        )

    def test_rollback_publishes_nothing(self):
        Event = self.env["wfmon.event"]
        before = Event.search_count([])
        deliveries = self.Delivery.search_count([])  # the demo's dead letters
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self._open_case(self.env["res.partner"].create({"name": "Rolled back"}))
            self.assertEqual(Event.search_count([]), before + 1)
            raise ZeroDivisionError
        self.assertEqual(Event.search_count([]), before)
        self.assertEqual(self.Delivery.search_count([]), deliveries)

    def test_batch_publish_constant_queries(self):
        partners = self.env["res.partner"].create([{"name": f"P{i}"} for i in range(30)])
        publisher = self.env["wfmon.publisher"]
        publisher._publish("test.batch", partners[:2])  # warm the registry of types
        self.env.flush_all()
        # Deliveries get their company and event type with their INSERT (precomputed
        # from the batch's events, read together with them).
        with self.assertQueryCount(7):
            events = publisher._publish("test.batch", partners[2:])
            self.env.flush_all()
        self.assertEqual(len(events), 28)
        self.assertEqual(len(self._deliveries(events)), 28)

    @freeze_time(MONDAY_10)
    def test_events_written_in_bulk_equal_the_orms(self):
        """Events are inserted in one INSERT per batch (wfmon_append_mixin.py):
        column by column what the ORM writes, but the random event id; their
        deliveries show in the same transaction."""
        partners = self.env["res.partner"].create([{"name": f"Bulk {i}"} for i in range(3)])
        publisher = self.env["wfmon.publisher"]
        with patch.object(
            wfmon_append_mixin, "insert_rows", wraps=wfmon_append_mixin.insert_rows
        ) as insert:
            fast = publisher._publish("test.bulk", partners)
        self.assertEqual(insert.call_count, 2, "the events, then their deliveries")
        with orm_create():
            slow = publisher._publish("test.bulk", partners)
        self.assertEqual(table_rows(fast, ("id", "name")), table_rows(slow, ("id", "name")))
        self.assertEqual(
            table_rows(fast.delivery_ids, ("id", "event_id")),
            table_rows(slow.delivery_ids, ("id", "event_id")),
        )
        for event in fast:
            self.assertRegex(event.name, r"^evt_[0-9a-f]{32}$")
            self.assertEqual(event.delivery_ids.endpoint_id, self.endpoint)
        self.assertTrue(fits(self.env["wfmon.event"]))
        for field in self.env["wfmon.event"]._fields.values():
            self.assertFalse(field.translate or getattr(field, "tracking", None), field)

    def test_undeclared_type_is_registered(self):
        self.env["wfmon.publisher"]._publish("test.new_type", self.partner)
        declared = self.env["wfmon.event.type"].search([("code", "=", "test.new_type")])
        self.assertEqual(declared.direction, "outbound")

    def test_core_event_types_declared(self):
        codes = self.env["wfmon.event.type"].search([("direction", "=", "outbound")]).mapped("code")
        for code in (
            "case.opened",
            "case.updated",
            "case.resolved",
            "case.cancelled",
            "case.reopened",
            "case.breached",
            "case.escalated",
        ):
            self.assertIn(code, codes)

    def test_large_payload_truncated_under_20kb(self):
        events = self.env["wfmon.publisher"]._publish(
            "test.big", self.partner, payloads=[{"id": 1, "reference": "R1", "blob": "x" * 50000}]
        )
        self.assertTrue(events.truncated)
        self.assertLess(len(events.payload.encode()), 20000)
        self.assertEqual(
            json.loads(events.payload)["data"], {"id": 1, "reference": "R1", "truncated": True}
        )

    def test_filter_by_type_and_company(self):
        only_resolved = self.env["wfmon.webhook.endpoint"].create(
            {
                "name": "Resolved only",
                "url": self.sink.url,
                "event_filter": "selected",
                "event_type_ids": [
                    (6, 0, self.env.ref("wfmon_integration.event_type_case_resolved").ids)
                ],
            }
        )
        other_company = self.env["res.company"].create({"name": "Other Co"})
        other = self.env["wfmon.webhook.endpoint"].create(
            {"name": "Other company", "url": self.sink.url, "company_id": other_company.id}
        )
        case = self._open_case()
        case.write({"resolution_note": "done"})
        case.action_resolve()
        events = self.env["wfmon.event"].search(
            [("res_model", "=", "wfmon.case"), ("res_id", "=", case.id)]
        )
        by_type = {e.event_type: self._deliveries(e).endpoint_id for e in events}
        self.assertEqual(by_type["case.opened"], self.endpoint)
        self.assertEqual(by_type["case.resolved"], self.endpoint | only_resolved)
        self.assertNotIn(other, self._deliveries(events).endpoint_id)

    def test_events_are_immutable(self):
        event = self.env["wfmon.publisher"]._publish("test.x", self.partner)
        with self.assertRaises(AccessError):
            event.write({"payload": "{}"})
        self.assertTrue(event.with_user(self.manager).read(["payload"]))
        with self.assertRaises(AccessError):
            event.with_user(self.manager).unlink()

    def test_retention_keeps_undelivered_events(self):
        events = self.env["wfmon.publisher"]._publish(
            "test.gc", self.env["res.partner"].create([{"name": f"GC{i}"} for i in range(3)])
        )
        delivered, dead, fresh = events
        self._deliveries(delivered).write({"state": "done"})
        self._deliveries(dead).write({"state": "dead"})
        self._deliveries(fresh).write({"state": "done"})
        self.env.flush_all()
        # 31 days before the database's clock, the one the retention reads
        self.env.cr.execute(
            "UPDATE wfmon_event SET timestamp = now() at time zone 'UTC' - interval '31 days'"
            " WHERE id IN %s",
            ((delivered.id, dead.id),),
        )
        self.env["wfmon.event"]._gc_delivered_events()
        self.assertEqual(events.exists(), dead | fresh)
