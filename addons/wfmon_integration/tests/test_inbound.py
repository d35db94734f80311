"""C12 inbound: a signed endpoint per source, over real HTTP (HttpCase)."""

import json
import time

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.wfmon_core.tests.common import count_queries

from .common import InboundHttpCase, envelope, signed_headers


@tagged("post_install", "-at_install")
class TestInbound(InboundHttpCase):
    def test_good_request_stored_then_processed(self):
        body = self._case_open_body(details="Parcel damaged")
        response = self._post(body, msg_id="msg_good_1")
        self.assertEqual(response.status_code, 202, response.text)
        event = self.Event.search([("webhook_id", "=", "msg_good_1")])
        # Stored verbatim before processing.
        self.assertEqual(event.state, "received")
        self.assertEqual(event._body_bytes(), body)
        self.assertEqual(event.body.encode(), body)
        self.assertEqual(response.json()["id"], event.id)
        cron = self.env.ref("wfmon_integration.ir_cron_wfmon_inbound_process")
        self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]))
        self.assertEqual(self._process(), 1)
        self.assertEqual(event.state, "processed")
        self.assertEqual(event.event_type, "case.open")
        case = event.case_id
        self.assertEqual((case.res_model, case.res_id), ("res.partner", self.partner.id))
        self.assertEqual(case.type_id, self.case_type)
        self.assertEqual(case.severity, "high")
        self.assertEqual(case.details, "Parcel damaged")

    def test_case_open_by_reference(self):
        body = self._case_open_body(id=None, reference="ACME Carrier Ltd")
        body = json.loads(body)
        del body["data"]["id"]
        self._post(json.dumps(body).encode())
        self._process()
        event = self.Event.search([("source_id", "=", self.source.id)], limit=1)
        self.assertEqual(event.state, "processed", event.reason)
        self.assertEqual(event.case_id.res_id, self.partner.id)

    def test_bad_signature_rejected_and_counted(self):
        body = self._case_open_body()
        headers = signed_headers(self.secret, "msg_bad", body)
        headers["webhook-signature"] = signed_headers("whsec_" + "QUJD" * 11, "msg_bad", body)[
            "webhook-signature"
        ]
        response = self._post(body, headers=headers)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.Event.search([("webhook_id", "=", "msg_bad")]))
        rejection = self._rejections()
        self.assertEqual(rejection.reason, "bad_signature")
        self.assertEqual(rejection.request_count, 1)
        self.assertEqual(rejection.webhook_id, "msg_bad")
        self.assertEqual(self.source.rejected_count_24h, 1)

    def test_tampered_body_rejected(self):
        body = self._case_open_body()
        headers = signed_headers(self.secret, "msg_t", body)
        response = self._post(body.replace(b"high", b"low "), headers=headers)
        self.assertEqual(response.status_code, 401)

    def test_stale_timestamp_rejected(self):
        # real clock: the endpoint checks these timestamps against its own clock
        now = time.time()
        response = self._post(self._case_open_body(), timestamp=now - 301)
        self.assertEqual(response.status_code, 401)
        response = self._post(self._case_open_body(), timestamp=now + 400)
        self.assertEqual(response.status_code, 401)
        rejections = self._rejections()
        self.assertEqual(set(rejections.mapped("reason")), {"stale"})
        self.assertEqual(sum(rejections.mapped("request_count")), 2)

    def test_missing_headers_and_no_secret_fail_closed(self):
        response = self._post(self._case_open_body(), headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 401)
        self.source.secret = False
        response = self._post(self._case_open_body())
        self.assertEqual(response.status_code, 401)
        self.assertEqual(
            self.env["wfmon.inbound.rejection"].search([], limit=1).reason, "no_secret"
        )

    def test_unknown_token_404(self):
        response = self._post(self._case_open_body(), token="not-a-token")
        self.assertEqual(response.status_code, 404)

    def test_replayed_id_is_duplicate_and_not_processed_again(self):
        body = self._case_open_body()
        self.assertEqual(self._post(body, msg_id="msg_dup").status_code, 202)
        self._process()
        # Same id again, freshly signed (a sender retry or a replay).
        response = self._post(body, msg_id="msg_dup")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "duplicate")
        events = self.Event.search([("webhook_id", "=", "msg_dup")], order="id")
        self.assertEqual(events.mapped("state"), ["processed", "duplicate"])
        self.assertEqual(events[1].duplicate_of_id, events[0])
        self.assertFalse(events[1].body)
        self.assertEqual(self._process(), 0)
        self.assertEqual(events[0].case_id.occurrence_count, 1)

    def test_malformed_json_quarantined_then_reprocessed(self):
        response = self._post(b'{"type": "case.open", "data": ', msg_id="msg_broken")
        self.assertEqual(response.status_code, 202)
        self._process()
        event = self.Event.search([("webhook_id", "=", "msg_broken")])
        self.assertEqual(event.state, "quarantined")
        self.assertIn("Malformed JSON", event.reason)
        # Reprocessing the same bytes quarantines again, with the reason.
        event.action_reprocess()
        self.assertEqual(event.state, "quarantined")
        self.assertEqual(event.process_count, 2)

    def test_unmappable_quarantined_and_reprocessed_after_fix(self):
        self.source.allowed_model_ids = False
        self._post(self._case_open_body(), msg_id="msg_model")
        self._post(envelope("carrier.unknown", {"x": 1}), msg_id="msg_type")
        self._post(self._case_open_body(id=999999999), msg_id="msg_missing")
        self._process()
        by_id = {e.webhook_id: e for e in self.Event.search([("source_id", "=", self.source.id)])}
        self.assertEqual({e.state for e in by_id.values()}, {"quarantined"})
        self.assertIn("not allowed", by_id["msg_model"].reason)
        self.assertIn("No handler", by_id["msg_type"].reason)
        # Fix the configuration, reprocess with the button.
        self.source.allowed_model_ids = self.env.ref("base.model_res_partner")
        by_id["msg_model"].action_reprocess()
        self.assertEqual(by_id["msg_model"].state, "processed")
        self.assertTrue(by_id["msg_model"].case_id)
        self.assertEqual(by_id["msg_missing"].state, "quarantined")

    def test_oversize_body_413(self):
        body = envelope("case.open", {"blob": "x" * (300 * 1024)})
        response = self._post(body)
        self.assertEqual(response.status_code, 413)
        self.assertEqual(
            self.env["wfmon.inbound.rejection"].search([], limit=1).reason, "too_large"
        )
        self.assertFalse(self.Event.search([("source_id", "=", self.source.id)]))

    def test_type_not_allowed_for_source(self):
        self.source.allowed_type_ids = self.env.ref(
            "wfmon_integration.event_type_in_recommendation"
        )
        self._post(self._case_open_body(), msg_id="msg_notallowed")
        self._process()
        event = self.Event.search([("webhook_id", "=", "msg_notallowed")])
        self.assertEqual(event.state, "quarantined")
        self.assertIn("not allowed", event.reason)

    def test_recommendation_is_advisory_and_low_confidence_routes_to_review(self):
        case = self.env["wfmon.case"]._raise("test.carrier_exception", self.partner)
        self._post(
            envelope(
                "recommendation",
                {
                    "case": case.name,
                    "text": "Reship from warehouse B",
                    "confidence": 0.92,
                    "suggested_action": "reship",
                    "model": "gpt-test",
                },
            ),
            msg_id="msg_rec_high",
        )
        self._post(
            envelope("recommendation", {"case_id": case.id, "text": "Refund?", "confidence": 0.4}),
            msg_id="msg_rec_low",
        )
        self._post(
            envelope("recommendation", {"case_id": case.id, "text": "x", "confidence": 7}),
            msg_id="msg_rec_bad",
        )
        self._process()
        events = {e.webhook_id: e for e in self.Event.search([("source_id", "=", self.source.id)])}
        self.assertEqual(events["msg_rec_high"].state, "processed")
        self.assertEqual(events["msg_rec_bad"].state, "quarantined")
        high, low = (
            events["msg_rec_high"].recommendation_id,
            events["msg_rec_low"].recommendation_id,
        )
        self.assertEqual(high.case_id, case)
        self.assertEqual(high.suggested_action, "reship")
        self.assertFalse(high.low_confidence)
        self.assertTrue(low.low_confidence)
        self.assertEqual(case.recommendation_count, 2)
        # Advice changes nothing on its own: the case is untouched but flagged.
        self.assertEqual(case.state, "new")
        self.assertTrue(case.needs_review)
        self.assertTrue(case.activity_ids.filtered(lambda a: "low-confidence" in (a.summary or "")))
        high.action_accept(reason="Warehouse B has it")
        self.assertEqual(high.state, "accepted")
        self.assertEqual(case.state, "new")

    def test_handler_registry_is_extensible(self):
        handlers = self.Event._inbound_handlers()
        self.assertEqual(handlers["case.open"], "_handle_case_open")
        self.assertEqual(handlers["recommendation"], "_handle_recommendation")

    def test_get_not_allowed(self):
        response = self.url_open(f"/wfmon/inbound/{self.source.token}")
        self.assertEqual(response.status_code, 405)

    def test_rotated_secret_accepted_during_overlap_only(self):
        old = self.secret
        self.source.action_rotate_secret()
        new = self.source.secret
        self.assertEqual(self._post(self._case_open_body(), secret=old).status_code, 202)
        self.assertEqual(self._post(self._case_open_body(), secret=new).status_code, 202)
        # real clock: the endpoint ends the overlap on its own clock, in this process
        self.source.previous_secret_until = fields.Datetime.now()
        self.assertEqual(self._post(self._case_open_body(), secret=old).status_code, 401)

    def test_one_original_per_webhook_id_enforced_by_database(self):
        vals = {"source_id": self.source.id, "webhook_id": "msg_race", "raw_body": b"e30="}
        self.Event.create(vals)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.Event.create(vals)
                self.env.flush_all()

    def test_idle_processing_does_not_grow_with_processed_events(self):
        """With 3 or 9 events already processed and none received, the
        processing cron costs the same single claim query; a new event is
        still processed."""

        def processed(count, start):
            self.Event.create(
                [
                    {
                        "source_id": self.source.id,
                        "webhook_id": f"msg_idle_{start + i}",
                        "raw_body": b"e30=",
                    }
                    for i in range(count)
                ]
            )
            self._process()

        def idle():
            with count_queries(self.env) as queries:
                self.assertEqual(self._process(), 0)
            return queries.count

        processed(3, 0)
        small = idle()
        processed(6, 3)
        large = idle()
        self.assertEqual(small, large, "the idle pass reads the processed events")
        self.assertLessEqual(large, 1)
        self.assertEqual(self._post(self._case_open_body()).status_code, 202)
        self.assertEqual(self._process(), 1)

    def test_quarantine_threshold_opens_case_and_fix_resolves_it(self):
        self.source.max_quarantine_24h = 2
        self.source.allowed_model_ids = False
        self._post(self._case_open_body(), msg_id="msg_q1")
        self._post(self._case_open_body(), msg_id="msg_q2")
        self._process()

        def failing_case():
            return self.env["wfmon.case"].search(
                [
                    ("type_id.code", "=", "integration.inbound_failing"),
                    ("res_model", "=", "wfmon.inbound.source"),
                    ("res_id", "=", self.source.id),
                ]
            )

        case = failing_case()
        self.assertTrue(case.is_open)
        self.assertIn("2 quarantined", case.details)
        self.source.allowed_model_ids = self.env.ref("base.model_res_partner")
        self.Event.search([("source_id", "=", self.source.id)]).action_reprocess()
        self.assertEqual(case.state, "resolved")

    def test_recommendation_over_json_rpc(self):
        case = self.env["wfmon.case"]._raise("test.carrier_exception", self.partner)
        self.env["ir.config_parameter"].set_param("wfmon_integration.review_threshold", "0.5")
        self.authenticate("wfi_n8n", "wfi_n8n")
        rec_id = self.make_jsonrpc_request(
            "/web/dataset/call_kw/wfmon.recommendation/submit",
            {
                "model": "wfmon.recommendation",
                "method": "submit",
                "args": [case.name, "Call the carrier", 0.3],
                "kwargs": {"model": "gpt-test"},
            },
        )
        rec = self.env["wfmon.recommendation"].browse(rec_id)
        self.assertEqual(rec.case_id, case)
        self.assertTrue(rec.low_confidence)
        self.assertTrue(case.needs_review)
        clerk = new_test_user(self.env, login="wfi_clerk", groups="wfmon_core.group_wfmon_user")
        with self.assertRaises(AccessError):
            self.env["wfmon.recommendation"].with_user(clerk).submit(case.name, "x", 0.9)
