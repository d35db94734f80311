"""Tests of the retry policy (backoff.py) and Retry-After parsing."""

import random
from datetime import datetime, timedelta, timezone

import pytest
from conftest import load_tool

backoff = load_tool("wfmon_integration", "backoff")
retry_after = load_tool("wfmon_integration", "retry_after")


class FixedRng:
    def __init__(self, fraction):
        self.fraction = fraction

    def uniform(self, low, high):
        return low + (high - low) * self.fraction


def test_schedule_is_documented_eight_attempts():
    assert backoff.MAX_ATTEMPTS == 8
    assert backoff.CAPS == (30, 120, 600, 1800, 7200, 21600, 43200, 86400)


@pytest.mark.parametrize("attempt", range(1, 10))
def test_full_jitter_stays_within_cap(attempt):
    cap = backoff.CAPS[min(attempt, 8) - 1]
    assert backoff.backoff_delay(attempt, rng=FixedRng(1.0)) == cap
    assert backoff.backoff_delay(attempt, rng=FixedRng(0.0)) == backoff.MIN_DELAY
    rng = random.Random(attempt)
    for _ in range(200):
        assert backoff.MIN_DELAY <= backoff.backoff_delay(attempt, rng=rng) <= cap


def test_jitter_spreads_retries():
    rng = random.Random(7)
    delays = {backoff.backoff_delay(5, rng=rng) for _ in range(50)}
    assert len(delays) > 40


def test_attempt_zero_is_an_error():
    with pytest.raises(ValueError):
        backoff.backoff_delay(0)


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_2xx_is_done(status):
    assert backoff.decide(status, 1) == (backoff.DONE, None)


@pytest.mark.parametrize("status", [None, 199, 301, 302, 400, 401, 404, 500, 502])
def test_other_statuses_retry_with_backoff(status):
    outcome, delay = backoff.decide(status, 2, rng=FixedRng(1.0))
    assert outcome == backoff.RETRY
    assert delay == 120


def test_410_is_gone_even_on_first_attempt():
    assert backoff.decide(410, 1) == (backoff.GONE, None)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_honoured(status):
    assert backoff.decide(status, 1, retry_after=90) == (backoff.RETRY, 90)
    assert backoff.decide(status, 1, retry_after=0) == (backoff.RETRY, backoff.MIN_DELAY)
    # Without a usable header: ordinary backoff.
    assert backoff.decide(status, 1, rng=FixedRng(1.0)) == (backoff.RETRY, 30)


def test_retry_after_ignored_for_500():
    assert backoff.decide(500, 1, retry_after=5000, rng=FixedRng(1.0)) == (backoff.RETRY, 30)


def test_last_attempt_is_dead():
    assert backoff.decide(500, 8) == (backoff.DEAD, None)
    assert backoff.decide(None, 3, max_attempts=3) == (backoff.DEAD, None)
    assert backoff.decide(429, 8, retry_after=10) == (backoff.DEAD, None)
    assert backoff.decide(200, 8) == (backoff.DONE, None)


NOW = datetime(2026, 11, 23, 10, 0, 0)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("120", 120),
        ("  7 ", 7),
        ("0", 0),
        ("999999", retry_after.MAX_RETRY_AFTER),
        ("Mon, 23 Nov 2026 10:02:00 GMT", 120),
        ("Mon, 23 Nov 2026 09:00:00 GMT", 0),
        ("", None),
        (None, None),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
    ],
)
def test_parse_retry_after(value, expected):
    assert retry_after.parse_retry_after(value, NOW) == expected


def test_parse_retry_after_aware_now_and_http_date_roundtrip():
    aware = NOW.replace(tzinfo=timezone.utc)
    header = retry_after.http_date(NOW + timedelta(seconds=30))
    assert header == "Mon, 23 Nov 2026 10:00:30 GMT"
    assert retry_after.parse_retry_after(header, aware) == 30
