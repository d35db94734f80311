"""C11 concurrency: two workers (two real database transactions) never
claim the same delivery."""

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


@tagged("post_install", "-at_install")
class TestClaimLocking(TransactionCase):
    def _committed_deliveries(self, count):
        """Deliveries committed in their own transaction (other cursors must
        see them); removed again at cleanup."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            endpoint = env["wfmon.webhook.endpoint"].create(
                {"name": "Locking test", "url": "https://hooks.example.com/lock"}
            )
            partners = env["res.partner"].create([{"name": f"Lock {i}"} for i in range(count)])
            events = env["wfmon.publisher"]._publish("test.locking", partners)
            ids = env["wfmon.webhook.delivery"].search([("event_id", "in", events.ids)]).ids
            data = (
                endpoint.id,
                partners.ids,
                events.ids,
                env.ref("wfmon_integration.ir_cron_wfmon_webhook_dispatch").id,
            )
        self.addCleanup(self._cleanup, *data)
        return ids

    def _cleanup(self, endpoint_id, partner_ids, event_ids, cron_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["wfmon.event"].browse(event_ids).unlink()
            env["wfmon.webhook.endpoint"].browse(endpoint_id).unlink()
            env["res.partner"].browse(partner_ids).unlink()
            env["ir.cron.trigger"].search([("cron_id", "=", cron_id)]).unlink()

    def test_two_workers_claim_disjoint_rows(self):
        ids = self._committed_deliveries(5)
        self.assertEqual(len(ids), 5)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            worker_a = api.Environment(cr_a, SUPERUSER_ID, {})["wfmon.webhook.delivery"]
            worker_b = api.Environment(cr_b, SUPERUSER_ID, {})["wfmon.webhook.delivery"]
            claimed_a = worker_a._claim(limit=3)
            # B runs while A's transaction still holds its row locks.
            claimed_b = worker_b._claim(limit=10)
            self.assertEqual(len(claimed_a), 3)
            self.assertEqual(len(claimed_b), 2)
            self.assertFalse(set(claimed_a.ids) & set(claimed_b.ids))
            self.assertEqual(set(claimed_a.ids) | set(claimed_b.ids), set(ids))
            # A commits its claim (state "sending"); B's worker dies (rollback).
            cr_a.commit()
            cr_b.rollback()
        with self.registry.cursor() as cr_c:
            worker_c = api.Environment(cr_c, SUPERUSER_ID, {})["wfmon.webhook.delivery"]
            claimed_c = worker_c._claim(limit=10)
            # Only the rows B released are claimable; A's are leased to A.
            self.assertEqual(set(claimed_c.ids), set(claimed_b.ids))
            self.assertEqual(set(worker_c.browse(claimed_a.ids).mapped("state")), {"sending"})
            cr_c.rollback()

    def test_two_workers_process_disjoint_inbound_events(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, DISABLED_MAIL_CONTEXT)
            source = env["wfmon.inbound.source"].create({"name": "Locking source"})
            events = env["wfmon.inbound.event"].create(
                [
                    {"source_id": source.id, "webhook_id": f"msg_lock_{i}", "raw_body": b"e30="}
                    for i in range(2)
                ]
            )
            source_id, event_ids = source.id, events.ids

        def cleanup():
            with self.registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["wfmon.inbound.source"].browse(
                    source_id
                ).unlink()

        self.addCleanup(cleanup)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            one = api.Environment(cr_a, SUPERUSER_ID, {})["wfmon.inbound.event"]._claim_one()
            two = api.Environment(cr_b, SUPERUSER_ID, {})["wfmon.inbound.event"]._claim_one()
            three = api.Environment(cr_b, SUPERUSER_ID, {})["wfmon.inbound.event"]._claim_one(
                exclude=two.ids
            )
            self.assertEqual(sorted(one.ids + two.ids), sorted(event_ids))
            self.assertFalse(three)
            cr_a.rollback()
            cr_b.rollback()
