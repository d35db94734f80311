"""Tests of the request sender: keep-alive, bounded parallel requests per
endpoint, and failures that end as results instead of exceptions."""

import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import load_tool

sender = load_tool("wfmon_integration", "sender")
signing = load_tool("wfmon_integration", "signing")

SECRET = signing.generate_secret()


class _Sink:
    """HTTP/1.1 keep-alive receiver counting connections and concurrent requests."""

    def __init__(self, status=204, delay=0.0, headers=None, body=b""):
        self.requests, self.connections = [], 0
        self.active = self.max_active = 0
        lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with lock:
                    sink.connections += 1

            def do_POST(self):  # noqa: N802 (http.server API)
                data = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    sink.requests.append((dict(self.headers.items()), data))
                    sink.active += 1
                    sink.max_active = max(sink.max_active, sink.active)
                time.sleep(delay)
                with lock:
                    sink.active -= 1
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def make_sink():
    sinks = []

    def make(**kwargs):
        sinks.append(_Sink(**kwargs))
        return sinks[-1]

    yield make
    for sink in sinks:
        sink.stop()


def _job(key, url, endpoint=1, parallel=1, custom_headers=None):
    return sender.Job(
        key=key,
        endpoint=endpoint,
        url=url,
        timeout=5,
        secrets=(SECRET,),
        custom_headers=custom_headers,
        msg_id=f"evt_{key}",
        body=b'{"type": "t", "data": {}}',
        parallel=parallel,
    )


def test_batches_of_one_run_share_one_keep_alive_connection(make_sink):
    sink = make_sink()
    with sender.Sender(allow_private=True) as s:
        first = s.send([_job(i, sink.url) for i in range(5)])
        second = s.send([_job(i, sink.url) for i in range(5, 10)])
    assert [r.status for r in first + second] == [204] * 10
    assert sink.connections == 1
    headers, body = sink.requests[0]
    assert headers["webhook-id"] == "evt_0"
    # real clock: the sender signed with it a moment ago, in this process
    assert signing.verify([SECRET], headers, body, time.time()) == "evt_0"


def test_parallel_requests_are_bounded_per_endpoint(make_sink):
    slow, other = make_sink(delay=0.1), make_sink(delay=0.1)
    jobs = [_job(i, slow.url, endpoint=1, parallel=3) for i in range(9)]
    jobs += [_job(100 + i, other.url, endpoint=2, parallel=1) for i in range(3)]
    with sender.Sender(allow_private=True) as s:
        results = s.send(jobs)
    assert all(r.status == 204 for r in results)
    assert slow.max_active == 3
    assert other.max_active == 1
    assert sorted(h["webhook-id"] for h, _b in slow.requests) == sorted(
        f"evt_{i}" for i in range(9)
    )


def test_no_request_starts_after_the_deadline(make_sink):
    sink = make_sink(delay=1.0)
    with sender.Sender(allow_private=True) as s:
        results = s.send([_job(i, sink.url) for i in range(5)], time.monotonic() + 0.5)
    assert results[0].status == 204
    assert results[1:] == [None] * 4
    assert len(sink.requests) == 1


def test_results_keep_the_order_of_the_jobs(make_sink):
    ok, down = make_sink(), make_sink(status=500, body=b"boom")
    jobs = [_job(1, ok.url, endpoint=1), _job(2, down.url, endpoint=2), _job(3, ok.url)]
    with sender.Sender(allow_private=True) as s:
        results = s.send(jobs)
    assert [r.status for r in results] == [204, 500, 204]
    assert results[1].error == "HTTP 500: boom"


def test_retry_after_is_parsed(make_sink):
    sink = make_sink(status=429, headers={"Retry-After": "120"})
    with sender.Sender(allow_private=True) as s:
        (result,) = s.send([_job(1, sink.url)])
    assert (result.status, result.retry_after) == (429, 120)


def test_failures_are_results_not_exceptions(make_sink):
    sink = make_sink()
    with sender.Sender(allow_private=False) as s:
        refused, broken, nobody = s.send(
            [
                _job(1, sink.url, endpoint=1),
                _job(2, sink.url.replace("http:", "https:"), endpoint=2, custom_headers="{x"),
                _job(3, "http://127.0.0.1:9/none", endpoint=3),
            ]
        )
    assert refused.refused and refused.status is None and "http://" in refused.error
    assert broken.refused and "loopback" in broken.error
    assert nobody.refused  # loopback refused before any connection is tried
    with sender.Sender(allow_private=True) as s:
        (nobody,) = s.send([_job(3, "http://127.0.0.1:9/none")])
    assert nobody.status is None and nobody.error.startswith("NewConnectionError")
    assert not sink.requests


def test_active_secrets_during_rotation_overlap():
    now = datetime(2026, 11, 23, 10, 0)
    later = now + timedelta(hours=1)
    assert sender.active_secrets("new", "old", later, now) == ["new", "old"]
    assert sender.active_secrets("new", "old", now, now) == ["new"]
    assert sender.active_secrets("new", None, later, now) == ["new"]
    assert sender.active_secrets("new", "old", False, now) == ["new"]


def test_a_result_says_what_was_sent_and_what_came_back(make_sink):
    sink = make_sink(status=200, body=b"ok\x00done")
    job = _job(1, sink.url, custom_headers='{"Authorization": "Bearer s3cret", "X-Tenant": 7}')
    with sender.Sender(allow_private=True) as s:
        (result,) = s.send([job])
    sent_headers, _body = sink.requests[0]
    lines = dict(line.split(": ", 1) for line in result.request_headers.splitlines())
    assert lines["webhook-id"] == "evt_1"
    assert lines["webhook-signature"] == sent_headers["webhook-signature"]
    assert lines["Authorization"] == lines["X-Tenant"] == sender.REDACTED
    assert "s3cret" not in result.request_headers
    assert sent_headers["Authorization"] == "Bearer s3cret"
    assert result.response_excerpt == "ok\\x00done", "no NUL for the database"
    assert result.error is None


def test_nothing_sent_nothing_shown():
    job = _job(1, "http://127.0.0.1:9/hook")
    with sender.Sender(allow_private=False) as s:
        (result,) = s.send([job])
    assert result.refused
    assert result.request_headers is None and result.response_excerpt is None


def test_header_lines_redact_by_name_in_any_case():
    text = sender.header_lines({"A": "1", "x-key": "v"}, redact=["X-KEY"])
    assert text == f"A: 1\nx-key: {sender.REDACTED}"
