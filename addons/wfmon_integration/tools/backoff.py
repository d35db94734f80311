"""Retry policy of outbound deliveries.

Schedule (8 attempts in all): after a failed attempt *n* the next one waits a
random time drawn uniformly from ``[0, CAPS[n-1]]`` ("full jitter", AWS
Architecture Blog, *Exponential Backoff And Jitter*), with a floor of
``MIN_DELAY`` seconds.  The caps grow roughly exponentially:

    attempt 1 fails → wait up to 30 s
    attempt 2 fails → up to 2 min
    attempt 3 fails → up to 10 min
    attempt 4 fails → up to 30 min
    attempt 5 fails → up to 2 h
    attempt 6 fails → up to 6 h
    attempt 7 fails → up to 12 h
    attempt 8 fails → dead letter (a 24 h cap is kept for longer custom schedules)

Outcome of an HTTP attempt (:func:`decide`):

- 2xx → ``done``;
- 410 Gone → ``gone``: the delivery is dead and the endpoint is deactivated;
- 429 / 503 with a usable ``Retry-After`` → retry after exactly that delay
  (bounded by :data:`retry_after.MAX_RETRY_AFTER`);
- anything else (other status, timeout, connection error, refused
  destination) → retry after the jittered backoff;
- when the attempt was the last one allowed → ``dead``.
"""

import random

CAPS = (30, 120, 600, 1800, 7200, 21600, 43200, 86400)
MAX_ATTEMPTS = 8
MIN_DELAY = 1

DONE = "done"
RETRY = "retry"
DEAD = "dead"
GONE = "gone"


def backoff_delay(attempt, rng=None, caps=CAPS):
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    if attempt < 1:
        raise ValueError("attempt numbers start at 1")
    cap = caps[min(attempt, len(caps)) - 1]
    rng = rng or random.SystemRandom()
    return max(MIN_DELAY, int(rng.uniform(0, cap)))


def is_success(status):
    return status is not None and 200 <= status < 300


def decide(status, attempt, max_attempts=MAX_ATTEMPTS, retry_after=None, rng=None):
    """What to do after attempt number ``attempt`` ended with ``status``.

    :param status: HTTP status code, or ``None`` when no response came back
    :param retry_after: seconds parsed from ``Retry-After`` (or ``None``)
    :return: ``(outcome, delay_seconds)``; the delay is ``None`` unless the
        outcome is :data:`RETRY`
    """
    if is_success(status):
        return DONE, None
    if status == 410:
        return GONE, None
    if attempt >= max_attempts:
        return DEAD, None
    if status in (429, 503) and retry_after is not None:
        return RETRY, max(int(retry_after), MIN_DELAY)
    return RETRY, backoff_delay(attempt, rng=rng)
