"""Sending of signed webhook requests, outside the database.

The dispatcher claims a batch of deliveries together with everything their
requests need (a :class:`Job` each: URL, timeout, secrets, custom headers,
event id and body), hands the batch to a :class:`Sender`, and records the
:class:`Result` of every job in bulk afterwards.  Nothing here reads or
writes the database, so the requests may run in threads.  No request starts
after a deadline, so that a batch to a slow or silent endpoint (each request
waiting for its timeout) still ends in time to record what was sent.

A :class:`Sender` lives for one dispatcher run: its connection pool keeps
HTTP/1.1 connections open from one batch to the next.  Requests to one
endpoint run at most ``Job.parallel`` at a time; with one job stream in all
they run in the calling thread.

Requests go out through urllib3 (what ``requests`` is built on) without the
``requests`` layer, whose per-request work costs about as much as the rest of
the dispatcher: no proxy from the environment (the SSRF guard checks the
endpoint's host, not a proxy's), no redirects, no retries, certificates
checked against the bundle ``requests`` uses.
"""

import json
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

import requests.certs
import urllib3

from . import backoff
from .netguard import UnsafeDestination, check_destination
from .retry_after import parse_retry_after
from .signing import build_headers

USER_AGENT = "wfmon-webhooks/1.0 (+https://www.standardwebhooks.com/)"
ERROR_EXCERPT = 1000  # bytes of a response body kept with an attempt
#: what the delivery log shows for the value of an endpoint's custom header
#: (an ``Authorization`` token is a secret; the signature headers are not)
REDACTED = "[set on the endpoint]"
MAX_THREADS = 16  # request threads of one sender, all endpoints together


def active_secrets(current, previous, previous_until, now):
    """Secrets to sign with at ``now``: the current one, plus the previous one
    until the end of a rotation's overlap (``previous_until``)."""
    secrets = [current]
    if previous_until and previous_until > now:
        secrets.append(previous)
    return [s for s in secrets if s]


@dataclass(frozen=True, slots=True)
class Job:
    """One request to send: a delivery and everything its request needs."""

    key: int  # the delivery's id
    endpoint: int
    url: str
    timeout: float
    secrets: tuple
    custom_headers: str | None  # the endpoint's JSON object of extra headers
    msg_id: str  # webhook-id: the event id, the same on every retry
    body: bytes
    parallel: int = 1


@dataclass(frozen=True, slots=True)
class Result:
    """What one request gave.

    ``status`` is ``None`` when no response came back; ``refused`` is set when
    the SSRF guard refused the destination (``error`` then says why).
    ``request_headers`` are the headers sent, as ``Name: value`` lines, the
    values of the endpoint's custom headers redacted (``None`` when nothing
    was sent); ``response_excerpt`` is the start of the response body as
    text (``None`` without a response).
    """

    status: int | None
    latency_ms: int
    error: str | None = None
    retry_after: int | None = None
    refused: bool = False
    request_headers: str | None = None
    response_excerpt: str | None = None


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_pool(size=MAX_THREADS):
    """A connection pool for one run (thread-safe; ``size`` connections kept per host)."""
    return urllib3.PoolManager(
        maxsize=size,
        cert_reqs="CERT_REQUIRED",
        ca_certs=requests.certs.where(),
    )


def header_lines(headers, redact=()):
    """``Name: value`` lines of ``headers``, the values of ``redact`` (names,
    any case) replaced by :data:`REDACTED`."""
    hidden = {name.lower() for name in redact}
    return "\n".join(
        f"{name}: {REDACTED if name.lower() in hidden else value}"
        for name, value in headers.items()
    )


def send_one(pool, job, allow_private):
    """Send ``job`` through ``pool``; never raises, every failure is a
    :class:`Result` (the delivery is retried and finally parked as dead)."""
    status, error, retry_after, refused = None, None, None, False
    sent_headers = excerpt = None
    started = time.monotonic()
    try:
        check_destination(job.url, allow_private=allow_private)
        extra = json.loads(job.custom_headers) if job.custom_headers else None
        headers = build_headers(
            job.secrets,
            job.msg_id,
            int(time.time()),
            job.body,
            extra=extra,
            user_agent=USER_AGENT,
        )
        sent_headers = header_lines(headers, redact=extra or ())
        response = pool.urlopen(
            "POST",
            job.url,
            body=job.body,
            headers=headers,
            timeout=urllib3.Timeout(connect=job.timeout, read=job.timeout),
            retries=False,
            redirect=False,
            preload_content=False,
        )
        try:
            status = response.status
            # At most an excerpt of the body: read to its end (usually empty),
            # the connection goes back to the pool for the next request; a
            # longer body is cut and its connection closed.
            # Text a PostgreSQL column takes: no NUL character.
            excerpt = (
                (response.read(ERROR_EXCERPT, decode_content=True) or b"")
                .decode("utf-8", "replace")
                .replace("\x00", "\\x00")
            )
            if not backoff.is_success(status):
                error = f"HTTP {status}: " + excerpt
                retry_after = parse_retry_after(response.headers.get("Retry-After"), _utcnow())
        finally:
            if not response.closed:
                response.close()
            response.release_conn()
    except UnsafeDestination as exc:
        error, refused = str(exc), True
    except urllib3.exceptions.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001  # pylint: disable=broad-except
        # Anything else (no secret, malformed custom headers, an unusual
        # transport error) must end in a visible failed attempt, not in a
        # crashed batch.
        error = f"{type(exc).__name__}: {exc}"
    latency = int((time.monotonic() - started) * 1000)
    return Result(status, latency, error, retry_after, refused, sent_headers, excerpt)


class Sender:
    """Sends batches of jobs; use it as a context manager for one run."""

    def __init__(self, allow_private, max_threads=MAX_THREADS):
        self.allow_private = allow_private
        self.max_threads = max_threads
        self._connections = new_pool(max_threads)
        self._pool = None
        self._runner = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def send(self, jobs, deadline=None):
        """Send the jobs; return their results in the order of ``jobs``.

        No request starts after ``deadline`` (a ``time.monotonic()`` value):
        the result of a job not sent by then is ``None``.
        """
        results = [None] * len(jobs)
        by_endpoint = {}
        for index, job in enumerate(jobs):
            by_endpoint.setdefault(job.endpoint, []).append(index)
        streams = []
        for indexes in by_endpoint.values():
            queue = deque(indexes)  # popleft() is thread-safe
            width = max(1, min(jobs[indexes[0]].parallel, len(indexes)))
            streams.extend([queue] * width)

        def drain(queue):
            while deadline is None or time.monotonic() < deadline:
                try:
                    index = queue.popleft()
                except IndexError:
                    return
                results[index] = send_one(self._connections, jobs[index], self.allow_private)

        if len(streams) == 1:
            drain(streams[0])
        elif streams:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.max_threads, thread_name_prefix="wfmon-webhook"
                )
            for future in [self._pool.submit(drain, queue) for queue in streams]:
                future.result()
        return results

    def submit(self, jobs, deadline=None):
        """:meth:`send` in the background; return its ``Future``."""
        if self._runner is None:
            self._runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wfmon-batch")
        return self._runner.submit(self.send, jobs, deadline)

    def close(self):
        if self._runner is not None:
            self._runner.shutdown(wait=True)
            self._runner = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._connections.clear()
