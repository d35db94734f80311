"""C11 concurrency: two workers (two real database transactions) never
claim the same delivery; a claim lasts as long as its worker's transaction."""

from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.wfmon_core.tests.common import count_queries


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

    def _worker(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})["wfmon.webhook.delivery"]

    def _claimed_ids(self, worker, **kwargs):
        jobs, books = worker._claim(**kwargs)
        self.assertEqual({job.key for job in jobs}, set(books))
        return {job.key for job in jobs}

    def test_two_workers_claim_disjoint_rows(self):
        ids = self._committed_deliveries(5)
        self.assertEqual(len(ids), 5)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            claimed_a = self._claimed_ids(self._worker(cr_a), limit=3)
            # B runs while A's transaction still holds its row locks.
            claimed_b = self._claimed_ids(self._worker(cr_b), limit=10)
            self.assertEqual(len(claimed_a), 3)
            self.assertEqual(len(claimed_b), 2)
            self.assertFalse(claimed_a & claimed_b)
            self.assertEqual(claimed_a | claimed_b, set(ids))
            # B's worker dies (its transaction ends without a commit): its rows
            # are free at once.  A is alive, however long it takes: its rows
            # stay claimed, even a day later.
            cr_b.rollback()
            with self.registry.cursor() as cr_c:
                # real clock: a day after the claims above, taken on it
                later = fields.Datetime.now() + timedelta(days=1)
                claimed_c = self._claimed_ids(self._worker(cr_c), limit=10, now=later)
                self.assertEqual(claimed_c, claimed_b)
                cr_c.rollback()
            cr_a.rollback()

    def test_claim_carries_what_the_request_needs(self):
        ids = self._committed_deliveries(1)
        with self.registry.cursor() as cr:
            worker = self._worker(cr)
            jobs, books = worker._claim(limit=1)
            delivery = worker.browse(ids)
            endpoint = delivery.endpoint_id.sudo()
            (job,) = jobs
            self.assertEqual(job.key, delivery.id)
            self.assertEqual(job.url, endpoint.url)
            self.assertEqual(job.msg_id, delivery.event_id.name)
            self.assertEqual(job.body, delivery.event_id.payload.encode())
            self.assertEqual(job.secrets, (endpoint.secret,))
            self.assertEqual(books[delivery.id], (0, endpoint.max_attempts, delivery.company_id.id))
            cr.rollback()

    def test_claim_reads_in_one_query(self):
        self._committed_deliveries(20)
        with self.registry.cursor() as cr:
            worker = self._worker(cr)
            with count_queries(cr) as queries:
                jobs, _books = worker._claim(limit=20)
            self.assertEqual(len(jobs), 20)
            self.assertEqual(queries.count, 1)
            cr.rollback()

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
