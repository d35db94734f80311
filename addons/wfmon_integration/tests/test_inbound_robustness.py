"""The inbound endpoint under hostile or unusual input, over real HTTP: every
refusal is a counted 4xx, every authentic body is kept byte for byte, whatever
its bytes or its Content-Type, and what cannot be processed waits in quarantine."""

import json
import time
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import InboundHttpCase, envelope, raw_signature

CONTROL_BYTES = (b"\x00", b"\x01", b"\x1b", b"\x7f", b"\xff")


@tagged("post_install", "-at_install")
class TestInboundRobustness(InboundHttpCase):
    def _event(self, response):
        self.assertIn(response.status_code, (200, 202), response.text)
        return self.Event.browse(response.json()["id"])

    # ------------------------------------------------------------------
    # Control bytes in headers
    # ------------------------------------------------------------------
    def test_nul_in_unsigned_webhook_id_is_401_and_recorded(self):
        body = self._case_open_body()
        headers = self._raw_headers(b"msg_nul_1", body)
        headers["webhook-id"] = b"msg\x00nul"
        response = self._send(body, headers)
        self.assertEqual(response.status_code, 401, response.text)
        rejection = self._rejections()
        self.assertEqual(rejection.reason, "bad_signature")
        self.assertEqual(rejection.webhook_id, "msg\\x00nul")
        self.assertFalse(self.Event.search([("source_id", "=", self.source.id)]))

    def test_signed_webhook_id_with_control_bytes_is_400_bad_id(self):
        body = self._case_open_body()
        for byte in CONTROL_BYTES:
            response = self._send(body, self._raw_headers(b"msg_" + byte + b"_x", body))
            self.assertEqual(response.status_code, 400, (byte, response.text))
            self.assertEqual(response.json()["reason"], "bad_id")
        too_long = b"m" * 256
        self.assertEqual(self._send(body, self._raw_headers(too_long, body)).status_code, 400)
        rejection = self._rejections()
        self.assertEqual(rejection.reason, "bad_id")
        self.assertEqual(rejection.request_count, len(CONTROL_BYTES) + 1)
        self.assertFalse(self.Event.search([("source_id", "=", self.source.id)]))

    def test_utf8_webhook_id_verifies_over_the_bytes_sent(self):
        body = self._case_open_body()
        msg_id = "msg_é_✓_東京"
        response = self._send(body, self._raw_headers(msg_id.encode(), body))
        self.assertEqual(response.status_code, 202, response.text)
        self.assertEqual(self._event(response).webhook_id, msg_id)
        # The longest id that is accepted is stored whole, never truncated.
        longest = "i" * 255
        event = self._event(self._send(body, self._raw_headers(longest.encode(), body)))
        self.assertEqual(event.webhook_id, longest)

    def test_control_bytes_in_timestamp_and_signature_are_401(self):
        body = self._case_open_body()
        for byte in CONTROL_BYTES:
            headers = self._raw_headers(b"msg_ts", body)
            headers["webhook-timestamp"] += byte
            response = self._send(body, headers)
            self.assertEqual(response.status_code, 401, response.text)
            headers = self._raw_headers(b"msg_sig", body)
            headers["webhook-signature"] = headers["webhook-signature"].encode() + byte
            self.assertEqual(self._send(body, headers).status_code, 401)
        by_reason = {r.reason: r.request_count for r in self._rejections()}
        self.assertEqual(by_reason, {"bad_timestamp": 5, "bad_signature": 5})

    def test_non_canonical_timestamp_is_refused(self):
        """The signature covers the timestamp as written: "0123" is not "123"."""
        body = self._case_open_body()
        # real clock: the endpoint checks the timestamp against its own clock
        ts = str(int(time.time())).encode()
        for written in (b"0" + ts, b"+" + ts, ts + b" x", "١٢٣".encode()):
            headers = self._raw_headers(b"msg_canon", body)
            headers["webhook-timestamp"] = written
            headers["webhook-signature"] = raw_signature(self.secret, b"msg_canon", ts, body)
            self.assertEqual(self._send(body, headers).status_code, 401, written)
        self.assertEqual(self._rejections().reason, "bad_timestamp")

    def test_control_bytes_in_content_type_of_a_signed_request(self):
        body = self._case_open_body()
        for i, byte in enumerate(CONTROL_BYTES):
            headers = self._raw_headers(
                f"msg_ct_{i}", body, content_type=b"application/json" + byte
            )
            event = self._event(self._send(body, headers))
            self.assertEqual(event._body_bytes(), body)
            self.assertTrue(event.content_type.startswith("application/json\\x"))
        self._process()
        events = self.Event.search([("source_id", "=", self.source.id)])
        self.assertEqual(set(events.mapped("state")), {"processed"})

    # ------------------------------------------------------------------
    # Bodies: stored byte for byte, quarantined when unreadable
    # ------------------------------------------------------------------
    def test_signed_body_with_nul_is_stored_then_quarantined(self):
        body = self._case_open_body() + b"\x00"
        event = self._event(self._send(body, self._raw_headers(b"msg_body_nul", body)))
        self.assertEqual(event.state, "received")
        self.assertEqual(event._body_bytes(), body)
        self.assertEqual(event.body_size, len(body))
        self._process()
        self.assertEqual(event.state, "quarantined")
        self.assertIn("Malformed JSON", event.reason)

    def test_escaped_nul_in_json_is_quarantined_not_a_crash(self):
        body = self._case_open_body(details="before\u0000after")
        self.assertIn(b"\\u0000", body)
        event = self._event(self._send(body, self._raw_headers(b"msg_json_nul", body)))
        self._process()
        self.assertEqual(event.state, "quarantined")
        self.assertIn("NUL", event.reason)
        self.assertEqual(event._body_bytes(), body)
        # Nothing was written for it, and the queue goes on.
        self.assertFalse(event.case_id)
        body2 = envelope("case.open", {"case_type": "x\ud800"})
        self.assertIn(b"\\ud800", body2)
        event2 = self._event(self._send(body2, self._raw_headers(b"msg_json_sur", body2)))
        self._process()
        self.assertEqual(event2.state, "quarantined")
        self.assertIn("surrogate", event2.reason)

    def test_signed_binary_body_is_kept_and_quarantined(self):
        body = bytes(range(256)) * 4
        headers = self._raw_headers(b"msg_bin", body, content_type=b"application/octet-stream")
        event = self._event(self._send(body, headers))
        self.assertEqual(event._body_bytes(), body)
        self._process()
        self.assertEqual(event.state, "quarantined")
        self.assertIn("not UTF-8", event.reason)
        # The display text never hides that bytes were not text.
        self.assertIn("\\x80", event.body)
        # Reprocessing reads the same bytes again.
        event.action_reprocess()
        self.assertEqual(event.state, "quarantined")
        self.assertEqual(event._body_bytes(), body)

    def test_deeply_nested_json_is_quarantined(self):
        body = b"[" * 100000 + b"]" * 100000
        event = self._event(self._send(body, self._raw_headers(b"msg_deep", body)))
        self._process()
        self.assertEqual(event.state, "quarantined")
        self.assertIn("nested too deeply", event.reason)

    def test_handler_database_error_is_quarantined(self):
        """An error nobody foresaw inside a handler (here an infinite amount)
        quarantines the event, its writes rolled back, and the queue goes on."""
        bad = self._case_open_body(impact=1).replace(b'"impact": 1', b'"impact": 1e999')
        good = self._case_open_body(key="after")
        event_bad = self._event(self._send(bad, self._raw_headers(b"msg_inf", bad)))
        event_good = self._event(self._send(good, self._raw_headers(b"msg_after", good)))
        self.assertEqual(self._process(), 2)
        self.assertEqual(event_bad.state, "quarantined")
        self.assertFalse(event_bad.case_id)
        self.assertEqual(event_good.state, "processed", event_good.reason)

    def test_record_id_out_of_integer_range_is_quarantined_before_any_query(self):
        """2**63 as "id" used to reach PostgreSQL (an ERROR "bad query" in the
        log, an SQL error in the processor)."""
        bodies = [
            self._case_open_body(id=2**63),
            self._case_open_body(id=2**31),
            envelope("recommendation", {"case_id": 2**40, "text": "x", "confidence": 0.5}),
        ]
        events = self.Event
        for i, body in enumerate(bodies):
            events |= self._event(self._send(body, self._raw_headers(f"msg_range_{i}", body)))
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            self._process()
        self.assertEqual(set(events.mapped("state")), {"quarantined"})
        for event in events:
            self.assertIn("positive integer record id", event.reason)

    def test_duplicate_id_with_another_body_is_kept(self):
        first = self._case_open_body(details="first")
        second = self._case_open_body(details="second")
        original = self._event(self._send(first, self._raw_headers(b"msg_same", first)))
        response = self._send(second, self._raw_headers(b"msg_same", second))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "duplicate", "id": original.id})
        duplicate = self.Event.search([("duplicate_of_id", "=", original.id)])
        self.assertEqual(duplicate._body_bytes(), second)
        self.assertIn("different body", duplicate.reason)
        # A plain retry (same bytes) stores nothing twice.
        self._send(first, self._raw_headers(b"msg_same", first))
        retry = self.Event.search([("duplicate_of_id", "=", original.id)], limit=1)
        self.assertFalse(retry.raw_body)
        self.assertEqual(self._process(), 1)

    # ------------------------------------------------------------------
    # Form bodies: verified over their raw bytes
    # ------------------------------------------------------------------
    def test_json_sent_as_form_urlencoded_is_verified_and_processed(self):
        """``curl -d '{...}'`` labels JSON as a form: the signature still holds."""
        body = self._case_open_body(details="sent by curl -d")
        headers = self._raw_headers(
            b"msg_curl", body, content_type=b"application/x-www-form-urlencoded"
        )
        event = self._event(self._send(body, headers))
        self.assertEqual(event._body_bytes(), body)
        self.assertEqual(event.content_type, "application/x-www-form-urlencoded")
        self._process()
        self.assertEqual(event.state, "processed", event.reason)
        self.assertEqual(event.case_id.details, "sent by curl -d")

    def test_form_and_multipart_bodies_are_kept_byte_for_byte(self):
        form = b"type=case.open&data=%7B%7D&x=%00%ff"
        boundary = b"wfmonboundary"
        multipart = (
            b"--" + boundary + b"\r\n"
            b'Content-Disposition: form-data; name="payload"; filename="e.json"\r\n'
            b"Content-Type: application/json\r\n\r\n" + self._case_open_body() + b"\r\n"
            b"--" + boundary + b"--\r\n"
        )
        cases = [
            (b"msg_form", form, b"application/x-www-form-urlencoded"),
            (b"msg_multi", multipart, b"multipart/form-data; boundary=" + boundary),
            (b"msg_multi_broken", b"--x\r\ngarbage", b"multipart/form-data; boundary=x"),
            (b"msg_multi_noboundary", multipart, b"multipart/form-data"),
        ]
        for msg_id, body, content_type in cases:
            response = self._send(body, self._raw_headers(msg_id, body, content_type=content_type))
            self.assertEqual(response.status_code, 202, (msg_id, response.text))
            self.assertEqual(self._event(response)._body_bytes(), body, msg_id)
        self._process()
        events = self.Event.search([("source_id", "=", self.source.id)])
        self.assertEqual(set(events.mapped("state")), {"quarantined"})

    def test_form_with_a_wrong_signature_is_401(self):
        body = b"type=case.open&data=%7B%7D"
        headers = self._raw_headers(
            b"msg_form_bad", body, content_type=b"application/x-www-form-urlencoded"
        )
        response = self._send(body + b"&injected=1", headers)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self._rejections().content_type, "application/x-www-form-urlencoded")

    # ------------------------------------------------------------------
    # Lengths
    # ------------------------------------------------------------------
    def test_chunked_body_is_411(self):
        body = self._case_open_body()
        response = self._send(iter([body[:10], body[10:]]), self._raw_headers(b"msg_chunk", body))
        self.assertEqual(response.status_code, 411, response.text)
        self.assertEqual(self._rejections().reason, "length_required")
        self.assertFalse(self.Event.search([("source_id", "=", self.source.id)]))

    def test_body_over_odoo_upload_limit_is_recorded(self):
        """Over 1 MB Odoo's own form parser used to answer 413 before the
        endpoint ran, so nothing was recorded."""
        body = b"{" + b" " * (1536 * 1024) + b"}"
        response = self._send(body, self._raw_headers(b"msg_huge", body))
        self.assertEqual(response.status_code, 413)
        rejection = self._rejections()
        self.assertEqual(rejection.reason, "too_large")
        self.assertEqual(rejection.body_size, len(body))

    def test_empty_signed_body_is_kept_and_quarantined(self):
        event = self._event(self._send(b"", self._raw_headers(b"msg_empty", b"")))
        self.assertEqual(event.body_size, 0)
        self.assertEqual(event._body_bytes(), b"")
        self._process()
        self.assertEqual(event.state, "quarantined")

    # ------------------------------------------------------------------
    # The record of refusals is bounded
    # ------------------------------------------------------------------
    def test_refusals_are_counted_on_one_line_per_reason_and_hour(self):
        body = self._case_open_body()
        for i in range(30):
            headers = self._raw_headers(f"msg_flood_{i}", body)
            headers["webhook-signature"] = "v1,AAAA"
            self.assertEqual(self._send(body, headers).status_code, 401)
        self._send(body, {"Content-Type": "application/json"})
        rejections = self._rejections(reason="bad_signature")
        # One line, or two if the clock passed a full hour during the loop.
        self.assertLessEqual(len(rejections), 2)
        self.assertEqual(sum(rejections.mapped("request_count")), 30)
        self.assertEqual(rejections[0].webhook_id, "msg_flood_29")
        self.assertEqual(self._rejections(reason="missing_headers").request_count, 1)
        self.source.invalidate_recordset()
        self.assertEqual(self.source.rejected_count_24h, 31)

    def test_refusal_lines_are_per_hour(self):
        Rejection = self.Rejection.sudo()
        with freeze_time("2026-03-01 10:59:59"):
            Rejection._record(self.source, "stale", webhook_id=b"a")
            Rejection._record(self.source, "stale", webhook_id=b"b")
        with freeze_time("2026-03-01 11:00:00"):
            Rejection._record(self.source, "stale", webhook_id="c\x00")
        lines = self._rejections(reason="stale").sorted("period_start")
        self.assertEqual(lines.mapped("request_count"), [2, 1])
        self.assertEqual(
            lines.mapped("period_start"), [datetime(2026, 3, 1, 10), datetime(2026, 3, 1, 11)]
        )
        self.assertEqual(lines.mapped("webhook_id"), ["b", "c\\x00"])

    def test_signed_json_event_still_processed_end_to_end(self):
        """The everyday path next to the hostile ones."""
        body = json.dumps(
            {
                "type": "case.open",
                "data": {
                    "case_type": "test.carrier_exception",
                    "model": "res.partner",
                    "id": self.partner.id,
                },
            }
        ).encode()
        event = self._event(self._send(body, self._raw_headers(b"msg_plain", body)))
        self._process()
        self.assertEqual(event.state, "processed", event.reason)
