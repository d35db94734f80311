"""Health verdict of an integration endpoint from its recent statistics."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    max_consecutive_failures: int = 5
    min_success_rate: float = 0.5  # over the most recent attempts (``window``)
    window: int = 20  # most recent attempts of the last 24 h that the rate is taken over
    min_sample: int = 10  # attempts in the window before the rate counts


def success_rate(successes, attempts):
    """Share of successful attempts, or ``None`` without attempts."""
    return (successes / attempts) if attempts else None


def recovery_streak(thresholds=Thresholds()):
    """Successful attempts in a row after which an endpoint is healthy again,
    whatever failed before them: the consecutive-failure rule clears at the
    first success, the rate rule once the window holds this many successes."""
    return max(1, math.ceil(thresholds.window * thresholds.min_success_rate))


def verdict(consecutive_failures, attempts, successes, thresholds=Thresholds()):
    """``(failing, reason)`` for an endpoint.

    ``attempts`` and ``successes`` count the most recent attempts of the last
    24 h, at most ``thresholds.window`` of them.  Failing when the last
    ``max_consecutive_failures`` attempts all failed, or when the window holds
    at least ``min_sample`` attempts and fewer than ``min_success_rate`` of them
    succeeded.  Because the window slides over attempts, an endpoint back after
    an outage is healthy again after :func:`recovery_streak` successes in a
    row, however long the outage was.
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
        return True, f"{successes} of the last {attempts} attempts succeeded"
    return False, ""
