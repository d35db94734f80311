"""Health verdict of an integration endpoint from its recent statistics."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    max_consecutive_failures: int = 5
    min_success_rate: float = 0.5  # over the last 24 h
    min_sample: int = 10  # attempts in 24 h before the rate counts


def success_rate(successes, attempts):
    """Share of successful attempts, or ``None`` without attempts."""
    return (successes / attempts) if attempts else None


def verdict(consecutive_failures, attempts, successes, thresholds=Thresholds()):
    """``(failing, reason)`` for an endpoint.

    Failing when the last ``max_consecutive_failures`` attempts all failed, or
    when at least ``min_sample`` attempts were made in 24 h and fewer than
    ``min_success_rate`` of them succeeded.
    """
    if thresholds.max_consecutive_failures and (
        consecutive_failures >= thresholds.max_consecutive_failures
    ):
        return True, f"{consecutive_failures} consecutive failed attempts"
    rate = success_rate(successes, attempts)
    if (
        rate is not None
        and attempts >= thresholds.min_sample
        and rate < thresholds.min_success_rate
    ):
        return True, f"success rate {rate:.0%} over {attempts} attempts in 24 h"
    return False, ""
