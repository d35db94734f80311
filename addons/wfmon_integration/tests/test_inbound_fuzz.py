"""A seeded, bounded fuzz of ``POST /wfmon/inbound/<token>`` over real HTTP.

Each case starts from a correctly signed request, with a body and a
Content-Type drawn from a pool (JSON, forms, multipart, binary, control bytes,
unicode, near and over the size cap), and applies up to three mutations to
headers, body, timestamp or signature.  The oracle knows the shared secret and
signs the exact bytes that are sent: it never trusts the code under test.

Asserted for every case: no 5xx; no 2xx unless the signature verifies over
the bytes sent and the timestamp was fresh; every 2xx body stored exactly
(bytes compared). Requests sent unmutated must be accepted. Every accepted
event is then processed: none may stay unprocessed, each either processed or
quarantined with a reason.

Reproduce or explore: ``WFMON_FUZZ_SEED=<seed> WFMON_FUZZ_COUNT=<n>`` (the
default seed is fixed so ``make test`` runs the same cases every time).
"""

import base64
import json
import logging
import os
import random
import socket
import time

import requests

from odoo.tests import tagged

from ..controllers.main import MAX_BODY_BYTES
from ..models.wfmon_inbound_event import STATES as EVENT_STATES
from ..tools.inbound import webhook_id
from .common import InboundHttpCase, raw_signature

_logger = logging.getLogger(__name__)

DEFAULT_SEED = 20261123
SEED = int(os.environ.get("WFMON_FUZZ_SEED") or DEFAULT_SEED)
COUNT = int(os.environ.get("WFMON_FUZZ_COUNT") or 2000)
TOLERANCE = 300
STATES = [state for state, _label in EVENT_STATES]

CONTROL = [bytes([b]) for b in (*range(0, 9), 11, 12, *range(14, 32), 127)]
UNICODE = ["é", "ß", "東京", "✓", "\u202e", "\ufeff", "\U0001f600", "\u0301", "\uffff", "Ω"]


def _header_safe(value):
    """Bytes a client library can put in a header: no CR/LF, no leading blank."""
    value = value.replace(b"\r", b"?").replace(b"\n", b"?")
    if value[:1] in (b" ", b"\t"):
        value = b"x" + value
    return value


class Case:
    __slots__ = ("body", "chunked", "content_type", "extra", "headers", "mutations", "raw")

    def __init__(self):
        self.mutations = []
        self.extra = {}
        self.chunked = False
        self.raw = None  # (declared length, half-close) for a hand-written request

    def describe(self):
        heads = {k: v[:80] for k, v in self.headers.items()}
        return f"mutations={self.mutations} headers={heads} body[:80]={self.body[:80]!r}"


@tagged("post_install", "-at_install")
class TestInboundFuzz(InboundHttpCase):
    # ------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------
    def _text(self, rng, size):
        parts = []
        for _i in range(size):
            pick = rng.random()
            if pick < 0.7:
                parts.append(chr(rng.randint(0x20, 0x7E)))
            elif pick < 0.85:
                parts.append(rng.choice(UNICODE))
            else:
                parts.append(chr(rng.randint(0, 31)))
        return "".join(parts)

    def _json_body(self, rng):
        """A case.open, recommendation or carrier event: half of them well formed,
        the others with values of the wrong type, size or range."""
        wild = rng.random() < 0.5

        def pick(good, bad):
            return rng.choice(bad) if wild and rng.random() < 0.5 else good

        data = {
            "case_type": pick("test.carrier_exception", ["nope", 7, None, ""]),
            "model": pick("res.partner", ["res.users", "ir.config_parameter", 1, "no.model"]),
            "severity": pick(rng.choice(["low", "high", "critical"]), ["urgent", 3, ""]),
            "details": self._text(rng, rng.randint(0, 300)),
        }
        if rng.random() < 0.8:
            data["id"] = pick(self.partner.id, [0, -1, 2**31, 2**63, True, "1", 1.5, None])
        else:
            data["reference"] = pick(self.partner.name, [self._text(rng, 20), "", 5])
        if rng.random() < 0.3:
            data["impact"] = pick(rng.uniform(0, 1e6), [1e308, "12", [1], {"a": 1}, -0.0])
        for key in ("summary", "key"):
            if rng.random() < 0.3:
                data[key] = pick(self._text(rng, 40), [12, ["x"], "x" * 5000])
        event_type = rng.choices(
            ["case.open", "recommendation", "carrier.shipment_exception", "x" * 300, 42, None],
            weights=[70, 10, 5, 5, 5, 5],
        )[0]
        if event_type == "recommendation":
            data = {
                "case": pick("EXC-000001", [self._text(rng, 12), 3]),
                "text": pick(self._text(rng, rng.randint(1, 80)), ["", None, 5]),
                "confidence": pick(rng.random(), [2, -1, "high", None, True]),
            }
        elif event_type == "carrier.shipment_exception":
            data = {"reference": pick("WH/OUT/00001", [5, None, ""]), "status": "exception"}
        payload = {"type": event_type, "timestamp": "2026-11-23T10:00:00Z", "data": data}
        if wild and rng.random() < 0.2:
            payload = rng.choice([[payload], "just a string", 3, None, {"data": {}}])
        text = json.dumps(payload, ensure_ascii=rng.random() < 0.5)
        if wild and rng.random() < 0.3:
            # What json.dumps never writes but a sender may.
            text = text.replace(
                '"}', rng.choice(['\\u0000"}', '\\udc00"}', '", "n": 1e999}', '", "n": NaN}']), 1
            )
        return text.encode("utf-8", "surrogatepass")

    def _body(self, rng):
        kind = rng.choices(
            ["json", "bytes", "text", "form", "multipart", "deep", "empty", "near_cap", "over_cap"],
            weights=[45, 10, 10, 8, 8, 3, 3, 2, 2],
        )[0]
        if kind == "json":
            return self._json_body(rng)
        if kind == "bytes":
            return rng.randbytes(rng.randint(1, 4096))
        if kind == "text":
            return self._text(rng, rng.randint(1, 2000)).encode("utf-8", "surrogatepass")
        if kind == "form":
            return b"type=case.open&data=%7B%7D&x=" + rng.randbytes(rng.randint(0, 64))
        if kind == "multipart":
            boundary = b"b" + rng.randbytes(8).hex().encode()
            return (
                b"--"
                + boundary
                + b'\r\nContent-Disposition: form-data; name="f"\r\n\r\n'
                + rng.randbytes(rng.randint(0, 512))
                + (b"\r\n--" + boundary + b"--\r\n" if rng.random() < 0.7 else b"")
            )
        if kind == "deep":
            depth = rng.randint(500, 50000)
            return b"[" * depth + b"]" * depth
        if kind == "empty":
            return b""
        if kind == "near_cap":
            return (
                b'{"type": "case.open", "data": {"details": "'
                + b"x" * (MAX_BODY_BYTES - 64)
                + b'"}}'
            )
        return b"y" * (MAX_BODY_BYTES + rng.randint(1, 4096))

    def _content_type(self, rng):
        return rng.choice(
            [
                b"application/json",
                b"application/json; charset=utf-8",
                b"application/x-www-form-urlencoded",
                b"multipart/form-data; boundary=xyz",
                b"multipart/form-data",
                b"text/plain",
                b"application/octet-stream",
                None,
                b"",
                b"application/json" + rng.choice(CONTROL),
                "application/json; charset=東京".encode(),
                b"\xff\xfe",
                rng.randbytes(rng.randint(1, 64)),
                b"a" * 4096,
            ]
        )

    def _id(self, rng, i):
        base = f"fz{SEED}_{i}".encode()
        pick = rng.random()
        if pick < 0.8:
            return base
        return rng.choice(
            [
                base + rng.choice(CONTROL),
                base + rng.choice(UNICODE).encode(),
                base + b"\xe9",  # latin-1, not UTF-8
                base + b"_" + b"i" * rng.randint(200, 300),
                b"",
                base + b" " + base,
            ]
        )

    def _case(self, rng, i, accepted):
        case = Case()
        msg_id = self._id(rng, i)
        body = self._body(rng)
        if accepted and rng.random() < 0.04:
            replay_id, replay_body = rng.choice(accepted)
            msg_id = replay_id
            same = rng.random() < 0.6
            body = replay_body if same else body
            case.mutations.append("replay" if same else "replay_other_body")
        # real clock: the endpoint checks the timestamp against its own clock
        ts = str(int(time.time())).encode()
        content_type = self._content_type(rng)
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": ts,
            "webhook-signature": raw_signature(self.secret, msg_id, ts, body).encode(),
        }
        if content_type is not None:
            headers["Content-Type"] = content_type
        case.headers, case.body = headers, body
        for _m in range(rng.choice([0, 0, 0, 1, 1, 2, 3])):
            self._mutate(rng, case)
        case.headers = {
            k: _header_safe(v) if isinstance(v, bytes) else v for k, v in case.headers.items()
        }
        return case

    def _mutate(self, rng, case):
        name = rng.choice(sorted(MUTATIONS))
        case.mutations.append(name)
        MUTATIONS[name](self, rng, case)

    # ------------------------------------------------------------------
    # Sending and the oracle
    # ------------------------------------------------------------------
    def _send_case(self, case):
        headers = {**case.headers, **{k: _header_safe(v) for k, v in case.extra.items()}}
        if case.raw:
            return self._send_raw(case, headers)
        data = iter([case.body]) if case.chunked else case.body
        response = self._send(data, headers)
        return response.status_code, response.content

    def _send_raw(self, case, headers):
        """A hand-written request whose Content-Length lies about the body."""
        declared, half_close = case.raw
        self.env.flush_all()
        lines = [b"POST /wfmon/inbound/%s HTTP/1.1" % self.source.token.encode()]
        lines.append(b"Host: 127.0.0.1")
        lines.append(b"Content-Length: %d" % declared)
        lines.append(b"Connection: close")
        for name, value in headers.items():
            value = value if isinstance(value, bytes) else value.encode("latin-1")
            lines.append(name.encode() + b": " + value)
        with socket.create_connection(("127.0.0.1", self.http_port()), timeout=30) as sock:
            sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + case.body)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        response = b"".join(chunks)
        while response.startswith(b"HTTP/1.1 100"):  # an interim "100 Continue"
            response = response.partition(b"\r\n\r\n")[2]
        head, _sep, content = response.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head else 0
        return status, content

    def _sent_body(self, case):
        if case.raw:
            return case.body[: case.raw[0]]
        return case.body

    def _authentic(self, case, sent_at):
        """Would a correct receiver accept it? Signature over the exact bytes sent
        (the body as far as the Content-Length goes) and a fresh timestamp."""
        h = case.headers
        msg_id, ts, sig = (
            h.get("webhook-id"),
            h.get("webhook-timestamp"),
            h.get("webhook-signature"),
        )
        if not (msg_id and ts and sig) or len(ts) > 15 or not ts.isdigit():
            return False
        if ts != str(int(ts)).encode():
            return False
        if abs(sent_at - int(ts)) > TOLERANCE + 5:
            return False
        expected = raw_signature(self.secret, msg_id, ts, self._sent_body(case)).encode()
        return expected in sig.split(b" ")

    def _plain(self, case):
        """Sent as signed, with a storable id, a length and a body under the cap:
        it must be accepted."""
        return (
            not [m for m in case.mutations if not m.startswith("replay")]
            and webhook_id(case.headers["webhook-id"]) is not None
            and len(case.body) <= MAX_BODY_BYTES
        )

    # ------------------------------------------------------------------
    # The test
    # ------------------------------------------------------------------
    def test_fuzz_inbound_endpoint(self):
        self.failures = []
        started = time.monotonic()
        statuses, acknowledged = self._send_all(random.Random(SEED))
        elapsed = time.monotonic() - started
        self.env.invalidate_all()
        for i, case, status, content in acknowledged:
            self._check_stored(i, case, status, content)
        events = self._process_all()
        _logger.info(
            "inbound fuzz: seed %s, %s requests in %.1f s (%.0f/s); statuses %s; events %s; "
            "%s refusals counted on %s lines",
            SEED,
            COUNT,
            elapsed,
            COUNT / elapsed if elapsed else 0,
            dict(sorted(statuses.items(), key=str)),
            {state: len(events.filtered(lambda e, s=state: e.state == s)) for state in STATES},
            sum(self._rejections().mapped("request_count")),
            len(self._rejections()),
        )
        self.assertFalse(
            self.failures,
            f"inbound fuzz, seed {SEED} (rerun with WFMON_FUZZ_SEED={SEED}): "
            f"{len(self.failures)} failures, the first ones:\n" + "\n".join(self.failures[:10]),
        )
        self.assertGreater(statuses.get(202, 0), COUNT // 5, "too few requests accepted")

    def _fail(self, i, case, status, content, why):
        self.failures.append(
            f"case {i}: {why}; status {status}; {case.describe()}; answer {content[:200]!r}"
        )

    def _send_all(self, rng):
        """Send COUNT cases; return the statuses seen and the acknowledged cases."""
        statuses = {}
        acknowledged = []
        accepted = []  # (webhook-id, body) of stored originals, for replays
        for i in range(COUNT):
            case = self._case(rng, i, accepted)
            # real clock: what the endpoint's clock read when the request left
            sent_at = time.time()
            try:
                status, content = self._send_case(case)
            except (requests.exceptions.InvalidHeader, ValueError) as exc:
                # The client library refused to send it: nothing reached us.
                statuses["not sent"] = statuses.get("not sent", 0) + 1
                _logger.info("fuzz case %s not sent: %s", i, exc)
                continue
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 500 or status < 100:
                self._fail(i, case, status, content, "server error")
            elif 200 <= status < 300:
                if not self._authentic(case, sent_at):
                    self._fail(i, case, status, content, "accepted without a valid signature")
                    continue
                acknowledged.append((i, case, status, content))
                if status == 202:
                    accepted.append((case.headers["webhook-id"], self._sent_body(case)))
            elif self._plain(case):
                self._fail(i, case, status, content, "a correctly signed request was refused")
        return statuses, acknowledged

    def _check_stored(self, i, case, status, content):
        """An acknowledged body is stored exactly: the event's, or the original's
        (or the kept duplicate's) for a repeated webhook-id."""
        answer = self._json(content)
        body = self._sent_body(case)
        msg_id = webhook_id(case.headers["webhook-id"])
        if status == 202 and answer.get("status") == "accepted":
            event = self.Event.browse(answer["id"])
            if event.webhook_id != msg_id or event._body_bytes() != body:
                self._fail(i, case, status, content, "stored body or id differs from the sent one")
        elif status == 200 and answer.get("status") == "duplicate":
            events = self.Event.search(
                [("source_id", "=", self.source.id), ("webhook_id", "=", msg_id)]
            )
            if body not in [e._body_bytes() for e in events]:
                self._fail(i, case, status, content, "duplicate acknowledged, its body lost")
        else:
            self._fail(i, case, status, content, "unexpected 2xx answer")

    def _process_all(self):
        """Whatever was accepted ends processed or quarantined with a reason."""
        for _round in range(COUNT // 100 + 2):
            if not self.Event._cron_process(batch_size=500):
                break
        events = self.Event.search([("source_id", "=", self.source.id)])
        stuck = events.filtered(lambda e: e.state == "received")
        silent = events.filtered(lambda e: e.state == "quarantined" and not e.reason)
        if stuck or silent:
            self.failures.append(
                f"events left received {stuck.ids[:20]}, quarantined silently {silent.ids[:20]}"
            )
        return events

    @staticmethod
    def _json(content):
        try:
            return json.loads(content)
        except ValueError:
            return {}


# ----------------------------------------------------------------------
# Mutations: each changes one thing of a case after it was signed
# ----------------------------------------------------------------------
B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


def _body_flip(test, rng, case):
    if case.body:
        pos = rng.randrange(len(case.body))
        flipped = bytes([case.body[pos] ^ (1 << rng.randrange(8))])
        case.body = case.body[:pos] + flipped + case.body[pos + 1 :]


def _body_append(test, rng, case):
    case.body += rng.choice(CONTROL + [b"\x00" * 3, "é".encode(), b"\xff"])


def _body_truncate(test, rng, case):
    if case.body:
        case.body = case.body[: rng.randrange(len(case.body))]


def _id(test, rng, case):
    extra = rng.choice(CONTROL + [b"\xc3", "✓".encode(), b"x"])
    case.headers["webhook-id"] = case.headers.get("webhook-id", b"") + extra


def _ts_shift(test, rng, case):
    shift = rng.choice([-(10**6), -400, -301, 301, 400, 10**6, 1, -1])
    # real clock: shifted from the endpoint's own clock, which checks it
    case.headers["webhook-timestamp"] = str(int(time.time()) + shift).encode()


def _ts_garbage(test, rng, case):
    ts = case.headers.get("webhook-timestamp", b"0")
    case.headers["webhook-timestamp"] = rng.choice(
        [b"0" + ts, b"+" + ts, ts + b"\x00", b"-" + ts, b"9" * 5000, b"", b"soon", ts + b".5"]
        + ["١٢٣".encode(), ts + b" x"]
    )


def _sig_flip(test, rng, case):
    sig = case.headers.get("webhook-signature", b"")
    if len(sig) > 4:
        pos = rng.randrange(3, len(sig))
        case.headers["webhook-signature"] = sig[:pos] + bytes([rng.choice(B64)]) + sig[pos + 1 :]


def _sig_version(test, rng, case):
    sig = case.headers.get("webhook-signature", b"")
    case.headers["webhook-signature"] = sig.replace(b"v1,", rng.choice([b"v2,", b"v1;", b""]), 1)


def _sig_wrong_secret(test, rng, case):
    other = "whsec_" + base64.b64encode(rng.randbytes(32)).decode()
    headers = case.headers
    headers["webhook-signature"] = raw_signature(
        other, headers.get("webhook-id", b""), headers.get("webhook-timestamp", b""), case.body
    ).encode()


def _sig_garbage(test, rng, case):
    case.headers["webhook-signature"] = rng.randbytes(rng.randint(0, 200))


def _sig_extra_entries(test, rng, case):
    junk = [b"v1,AAAA", b"v1,", b"v1a,xyz", b"\x00", b"v1," + b"A" * 44, "v1,é".encode()]
    entries = rng.sample(junk, rng.randint(1, 3))
    if rng.random() < 0.5:
        entries.append(case.headers.get("webhook-signature", b""))
    rng.shuffle(entries)
    case.headers["webhook-signature"] = b" ".join(entries)


def _sig_huge(test, rng, case):
    case.headers["webhook-signature"] = (
        case.headers.get("webhook-signature", b"") + b" " + b"v1,QUJD" * 1500
    )


def _drop_header(test, rng, case):
    names = ["webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type"]
    case.headers.pop(rng.choice(names), None)


def _extra_header(test, rng, case):
    name = rng.choice(["X-Junk", "Webhook-Id-2", "Content-Encoding", "Expect"])
    case.extra[name] = rng.choice([b"gzip", b"100-continue", rng.randbytes(16), b"\x00"])


def _content_type(test, rng, case):
    case.headers["Content-Type"] = test._content_type(rng) or b""


def _chunked(test, rng, case):
    case.chunked = True


def _short_length(test, rng, case):
    if case.body:
        case.raw = (rng.randrange(len(case.body)), False)


def _long_length(test, rng, case):
    case.raw = (len(case.body) + rng.randint(1, 100), True)


MUTATIONS = {
    f.__name__.lstrip("_"): f
    for f in (
        _body_flip,
        _body_append,
        _body_truncate,
        _id,
        _ts_shift,
        _ts_garbage,
        _sig_flip,
        _sig_version,
        _sig_wrong_secret,
        _sig_garbage,
        _sig_extra_entries,
        _sig_huge,
        _drop_header,
        _extra_header,
        _content_type,
        _chunked,
        _short_length,
        _long_length,
    )
}
