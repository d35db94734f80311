"""Robust peer comparison for anomaly cases (stdlib only, never imports odoo).

The anomaly scanners (retail's returns, stock adjustments and price deviations,
and any other module's) aggregate their figures in the database per subject
(a store, a cashier, ...) over a rolling window, then call this module to decide
which subjects stand out from their peers, and with what evidence.

Two kinds of figures
--------------------
* **Values** (:func:`scan_values`): one number per subject with the sample
  size behind it, e.g. the value of stock adjustments per store, or the mean
  price deviation per cashier over their sold lines: ``{subject: (value, n)}``.
* **Rates** (:func:`scan_rates`): a count of events out of a count of trials,
  e.g. refunds out of sales per cashier: ``{subject: (events, trials)}``.

How a subject is scored
-----------------------
Each subject is compared with the *other* subjects of its peer group
(leave-one-out, so an outlier never widens its own yardstick). Peers whose
sample is below ``min_sample`` are left out of the yardstick: their figures are
noise. The yardstick is robust: the peers' median, and their spread as the
median absolute deviation scaled to a normal sigma (``1.4826 * MAD``). The
score is the modified z-score ``(value - median) / sigma`` (Iglewicz & Hoaglin);
a subject is an outlier when the score reaches ``threshold`` (3.5 by default)
in the watched direction (``'high'``, ``'low'`` or ``'both'``).

The score reads like a z-score of a roughly symmetric distribution. For a
skewed positive amount (the value of stock adjustments, which spans orders of
magnitude) pass its logarithm, e.g. ``log1p(value)``, and say so in the label.

Degenerate spreads are handled explicitly, never by dividing by zero:

1. ``MAD = 0`` (half the peers or more equal): the mean absolute deviation
   around the median, scaled by ``sqrt(pi / 2)``, stands in for sigma.
2. every peer equal: ``min_spread`` (the smallest difference that matters to
   the caller, in the metric's unit) stands in if given; otherwise a subject
   equal to the peers scores 0 and any other gets the status ``no_spread``
   (not flagged: there is no scale to say how unusual it is).

Rates and small samples
-----------------------
A rate from few trials is mostly noise, so for rates:

* a subject needs ``min_sample`` trials to be judged, and at least
  ``min_events`` events to be flagged high;
* sigma is never taken below the binomial standard error of the subject's own
  rate, ``sqrt(p (1 - p) / trials)``, where ``p`` is the *reference rate*: the
  pooled rate of the peers inside a robust fence (``|rate - median| <= 3.5 *
  max(sigma, their own standard error at the median)``), half an event added
  so that peers without any event still give a scale. Peers that are outliers
  themselves therefore neither set the reference nor hide the subject;
* a score past the threshold is only flagged when the subject's count is also
  unlikely at the reference rate: the exact binomial tail probability
  (``p_value``) must not exceed the normal tail of the threshold (2.3e-4 for
  3.5). This keeps sparse counts (most cashiers with no refund, a few with one
  or two) from being flagged because the median of such rates is 0;
* the Wilson score interval of the subject's rate is part of the evidence.

So a cashier with 2 sales and 1 refund (50 %) is never flagged: its sample is
below ``min_sample`` and its Wilson interval (9 %-91 %) says nothing.

Every result is a :class:`Finding` carrying the evidence a case shows: the
figures, the peer median and spread, the score and threshold, the sample size,
the number of peers, and a sentence saying it in words.

Cost: a peer group of ``g`` subjects is scanned in ``O(g log g)``; leave-one-out
medians come from one sorted list per group, not from a sort per subject.
"""

import math
from bisect import bisect_left
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from statistics import NormalDist

#: MAD to normal sigma: ``1 / Phi^-1(3/4)``.
MAD_SCALE = 1.4826
#: mean absolute deviation to normal sigma: ``sqrt(pi / 2)``.
MEAN_AD_SCALE = math.sqrt(math.pi / 2)
#: modified z-score from which Iglewicz & Hoaglin call a value an outlier.
DEFAULT_THRESHOLD = 3.5
#: robust fence (in sigmas) of the peers whose pooled rate is the reference rate.
FENCE = 3.5
DIRECTIONS = ("high", "low", "both")
#: ``outlier``: flagged. ``normal``: scored, within the threshold.
#: ``not_significant``: a rate past the threshold whose count is still likely
#: at the reference rate (``p_value`` above the threshold's tail).
#: ``few_samples``: the subject's own sample is below ``min_sample``.
#: ``few_events``: a rate past the threshold with fewer than ``min_events`` events.
#: ``few_peers``: fewer than ``min_peers`` peers with enough sample.
#: ``no_spread``: every peer equal, the subject not, and no ``min_spread``.
STATUSES = (
    "outlier",
    "normal",
    "not_significant",
    "few_samples",
    "few_events",
    "few_peers",
    "no_spread",
)


# --------------------------------------------------------------------------
# Robust statistics
# --------------------------------------------------------------------------
def _finite(value, what: str) -> float:
    """``value`` as a float; ``ValueError`` for NaN, infinities, bools and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value


def _count(value, what: str) -> int:
    """``value`` as an int >= 0; ``ValueError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be an integer >= 0, got {value!r}")
    return value


def _check_counts(events, trials, what: str = "figure") -> tuple[int, int]:
    """``(events, trials)`` as ints with ``0 <= events <= trials``."""
    events, trials = _count(events, f"{what}: events"), _count(trials, f"{what}: trials")
    if events > trials:
        raise ValueError(f"{what}: {events} events out of {trials} trials")
    return events, trials


def _sorted_values(values: Iterable[float]) -> list[float]:
    """The values as sorted floats; ``ValueError`` if empty or not finite."""
    result = sorted(_finite(v, "value") for v in values)
    if not result:
        raise ValueError("need at least one value")
    return result


def _median_without(ordered: Sequence[float], skip: int | None = None) -> float:
    """Median of a sorted sequence, leaving out the item at index ``skip``."""
    size = len(ordered) - (skip is not None)
    if size <= 0:
        raise ValueError("need at least one value")

    def at(i: int) -> float:
        return ordered[i + 1] if skip is not None and i >= skip else ordered[i]

    middle = size // 2
    return at(middle) if size % 2 else (at(middle - 1) + at(middle)) / 2


def median(values: Iterable[float]) -> float:
    """The median; the mean of the two middle values for an even count."""
    return _median_without(_sorted_values(values))


def mad(values: Iterable[float], center: float | None = None) -> float:
    """Raw median absolute deviation around ``center`` (default: the median).

    Multiply by :data:`MAD_SCALE` to estimate a normal sigma.
    """
    ordered = _sorted_values(values)
    center = _median_without(ordered) if center is None else _finite(center, "center")
    return _median_without(sorted(abs(v - center) for v in ordered))


def _spread(raw_mad: float, mean_ad: float, min_spread: float) -> tuple[float, str]:
    """Sigma from the raw MAD, the mean absolute deviation and a floor; see
    :func:`robust_spread`."""
    sigma, method = MAD_SCALE * raw_mad, "mad"
    if sigma == 0:
        sigma, method = MEAN_AD_SCALE * mean_ad, "mean_ad"
    if min_spread > sigma:
        return min_spread, "floor"
    if sigma == 0:
        return 0.0, "none"
    return sigma, method


def robust_spread(
    values: Iterable[float], center: float | None = None, min_spread: float = 0.0
) -> tuple[float, str]:
    """Robust sigma of ``values`` and how it was obtained.

    Returns ``(sigma, method)`` with ``method`` one of ``'mad'``
    (``1.4826 * MAD``), ``'mean_ad'`` (MAD is 0: ``1.2533 * mean absolute
    deviation``), ``'floor'`` (``min_spread`` is larger than both) or
    ``'none'`` (every value equals ``center`` and no floor: sigma 0).
    """
    ordered = _sorted_values(values)
    center = _median_without(ordered) if center is None else _finite(center, "center")
    floor = _finite(min_spread, "min_spread")
    if floor < 0:
        raise ValueError(f"min_spread must be >= 0, got {min_spread!r}")
    deviations = sorted(abs(v - center) for v in ordered)
    mean_ad = math.fsum(deviations) / len(deviations)
    return _spread(_median_without(deviations), mean_ad, floor)


def robust_z(value: float, center: float, sigma: float) -> float | None:
    """Modified z-score ``(value - center) / sigma``.

    With ``sigma`` 0 the score is 0 when ``value == center`` and ``None``
    (undefined) otherwise.
    """
    value, center = _finite(value, "value"), _finite(center, "center")
    sigma = _finite(sigma, "sigma")
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma!r}")
    if sigma == 0:
        return 0.0 if value == center else None
    return (value - center) / sigma


def _z_of(confidence: float) -> float:
    """Two-sided normal quantile of ``confidence`` (0.95 -> 1.96)."""
    confidence = _finite(confidence, "confidence")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(events: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of the rate ``events / trials``.

    Unlike ``rate +- z * se`` it stays inside [0, 1] and stays wide for small
    samples (1 of 2 gives about 9 %-91 % at 95 %). No trials: ``(0.0, 1.0)``.
    """
    events, trials = _check_counts(events, trials)
    if trials == 0:
        return 0.0, 1.0
    z = _z_of(confidence)
    rate = events / trials
    z2n = z * z / trials
    center = (rate + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(rate * (1 - rate) / trials + z2n / (4 * trials)) / (1 + z2n)
    low, high = max(0.0, center - half), min(1.0, center + half)
    # exact ends: no event means the lower bound is 0, all events the upper bound 1
    return (0.0 if events == 0 else low), (1.0 if events == trials else high)


def binomial_tail(events: int, trials: int, rate: float, upper: bool = True) -> float:
    """Exact binomial tail: ``P(X >= events)`` (``upper``) or ``P(X <= events)``
    for ``X ~ Binomial(trials, rate)``.

    Summed from ``events`` outwards with the ratio of consecutive terms, so
    the cost is the number of terms that matter, not ``trials``.
    """
    events, trials = _check_counts(events, trials)
    rate = _finite(rate, "rate")
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must lie in [0, 1], got {rate!r}")
    if not upper:
        # P(X <= k) for rate p is P(Y >= n - k) for Y ~ Binomial(n, 1 - p)
        return binomial_tail(trials - events, trials, 1.0 - rate)
    if events == 0:
        return 1.0
    if rate == 0:
        return 0.0
    if rate == 1:
        return 1.0
    log_term = (
        math.lgamma(trials + 1)
        - math.lgamma(events + 1)
        - math.lgamma(trials - events + 1)
        + events * math.log(rate)
        + (trials - events) * math.log1p(-rate)
    )
    if events <= trials * rate:
        # at or below the mean the tail is large: 1 - P(X <= events - 1)
        return max(0.0, min(1.0, 1.0 - binomial_tail(events - 1, trials, rate, upper=False)))
    term, total, odds = math.exp(log_term), 0.0, rate / (1.0 - rate)
    for k in range(events, trials + 1):
        total += term
        if term <= total * 1e-17:
            break
        term *= (trials - k) / (k + 1) * odds
    return min(1.0, total)


# --------------------------------------------------------------------------
# Policy and findings
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Policy:
    """When a subject may be judged, and when it is an outlier.

    ``threshold``: modified z-score that flags (>= 0). ``min_sample``: least
    sample size (trials for a rate) for a subject to be judged and for a peer
    to count in the yardstick. ``min_events``: least events for a rate to be
    flagged high. ``min_peers``: least peers with enough sample.
    ``direction``: ``'high'``, ``'low'`` or ``'both'``. ``min_spread``: floor of
    sigma in the metric's unit (0 = none; for rates a fraction: 0.01 = 1 point).
    ``confidence``: level of the Wilson interval shown for rates.
    """

    threshold: float = DEFAULT_THRESHOLD
    min_sample: int = 30
    min_events: int = 3
    min_peers: int = 5
    direction: str = "high"
    min_spread: float = 0.0
    confidence: float = 0.95

    def __post_init__(self) -> None:
        """Validate the settings."""
        if _finite(self.threshold, "threshold") < 0:
            raise ValueError(f"threshold must be >= 0, got {self.threshold!r}")
        for name in ("min_sample", "min_events", "min_peers"):
            _count(getattr(self, name), name)
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if _finite(self.min_spread, "min_spread") < 0:
            raise ValueError(f"min_spread must be >= 0, got {self.min_spread!r}")
        _z_of(self.confidence)

    @property
    def alpha(self) -> float:
        """One-sided normal tail of the threshold: the largest ``p_value`` a
        flagged rate may have (2.3e-4 for 3.5)."""
        return 1.0 - NormalDist().cdf(self.threshold)


@dataclass(frozen=True)
class Finding:
    """The verdict on one subject and the evidence behind it.

    ``value`` is the subject's figure (its rate for a rate metric), ``sample_size``
    the sample behind it (trials for a rate). ``peer_median``, ``peer_mad`` (raw
    MAD), ``sigma`` and ``spread_method`` (``mad``, ``mean_ad``, ``floor``,
    ``binomial``, ``none``) describe the yardstick; ``peer_count`` counts the
    peers in it and ``peers_excluded`` those left out for a small sample.
    ``score`` is ``None`` when it could not be computed (see ``status``).
    For rates only: ``events``, ``reference_rate``, ``p_value`` (set when the
    score crosses the threshold), ``wilson_low`` and ``wilson_high``.
    """

    subject: Hashable
    metric: str
    status: str
    flagged: bool
    value: float
    sample_size: int
    threshold: float
    direction: str
    peer_count: int
    peers_excluded: int = 0
    peer_median: float | None = None
    peer_mad: float | None = None
    sigma: float | None = None
    spread_method: str | None = None
    score: float | None = None
    is_rate: bool = False
    events: int | None = None
    reference_rate: float | None = None
    p_value: float | None = None
    wilson_low: float | None = None
    wilson_high: float | None = None
    window: str | None = None
    sentence: str = ""

    def as_dict(self) -> dict:
        """The finding as a JSON-safe dict (floats rounded to 6 significant digits)."""
        result = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, float):
                value = float(f"{value:.6g}")
            result[spec.name] = value
        return result


def _fmt(value: float, is_rate: bool, unit: str = "") -> str:
    """A figure for the sentence: a rate as a percentage, a value with 2 decimals."""
    if is_rate:
        return f"{value * 100:.1f}%"
    text = f"{value:,.2f}"
    return f"{text} {unit}" if unit else text


def _chance(p_value: float) -> str:
    """A probability in words: ``'12.0%'``, ``'1 in 4,300'``, ``'practically nil'``."""
    if p_value >= 0.01:
        return f"{p_value * 100:.1f}%"
    if p_value < 1e-12:
        return "practically nil"
    odds = 1 / p_value
    digits = int(math.floor(math.log10(odds))) - 1
    return f"1 in {round(odds, -digits):,.0f}"


def _sentence(f: Finding, policy: Policy, subject_label: str, metric_label: str, unit: str) -> str:
    """Say the finding in one plain-text sentence (the caller escapes it for HTML)."""
    figure = _fmt(f.value, f.is_rate, unit)
    figure += f" ({f.events} of {f.sample_size})" if f.is_rate else f" (sample {f.sample_size})"
    window = f" over {f.window}" if f.window else ""
    head = f"{subject_label}: {metric_label} {figure}{window}"
    if f.status == "few_samples":
        return f"{head}; not judged: a sample of at least {policy.min_sample} is needed."
    if f.status == "few_peers":
        return (
            f"{head}; not judged: {f.peer_count} comparable peer(s), "
            f"at least {max(policy.min_peers, 1)} needed."
        )
    spread = f"{f.sigma * 100:.1f} pts" if f.is_rate else _fmt(f.sigma, False, unit)
    peers = (
        f"the median of {f.peer_count} peers is {_fmt(f.peer_median, f.is_rate, unit)} "
        f"(spread {spread})"
    )
    if f.status == "no_spread":
        return f"{head}; {peers}: all peers are equal, so no score can be given."
    score = f"robust z-score {f.score:+.1f} against a threshold of {f.threshold:g}"
    if f.status == "few_events":
        return f"{head}; {peers}; {score}; not flagged: fewer than {policy.min_events} events."
    chance = ""
    if f.p_value is not None:
        bound = "or more" if f.score > 0 else "or fewer"
        chance = (
            f"; {f.events} {bound} of {f.sample_size} at the peers' "
            f"{_fmt(f.reference_rate, True)}: chance {_chance(f.p_value)}"
        )
    if f.status == "outlier":
        return f"{head}; {peers}; {score}{chance}: unusual."
    if f.status == "not_significant":
        return f"{head}; {peers}; {score}{chance}: within sampling error."
    return f"{head}; {peers}; {score}: within the normal range."


def _beyond(score: float, threshold: float, direction: str) -> int:
    """+1 / -1 when ``score`` crosses ``threshold`` upwards / downwards in
    ``direction``; 0 otherwise."""
    if score >= threshold and direction in ("high", "both"):
        return 1
    if score <= -threshold and direction in ("low", "both"):
        return -1
    return 0


# --------------------------------------------------------------------------
# A peer group
# --------------------------------------------------------------------------
class _Group:
    """The subjects of one peer group, prepared for leave-one-out judging.

    ``members``: ``{subject: (value, sample, events)}`` with ``events`` None
    for values; for rates ``value`` is ``events / sample``.
    """

    def __init__(self, members: Mapping, policy: Policy, is_rate: bool):
        self.members = members
        self.policy = policy
        self.is_rate = is_rate
        floor = max(policy.min_sample, 1) if is_rate else policy.min_sample
        self.eligible = {key for key, (_v, sample, _e) in members.items() if sample >= floor}
        self.values = sorted(members[key][0] for key in self.eligible)
        self._deviations = {}
        self._fences = {}

    def _deviations_around(self, center: float) -> tuple[list[float], float]:
        """Sorted absolute deviations of the eligible values around ``center``, and their sum."""
        if center not in self._deviations:
            deviations = sorted(abs(v - center) for v in self.values)
            self._deviations[center] = (deviations, math.fsum(deviations))
        return self._deviations[center]

    def _fence_counts(self, center: float, sigma: float) -> tuple[int, int]:
        """Events and trials of the eligible members inside the robust fence."""
        key = (center, sigma)
        if key not in self._fences:
            events = trials = 0
            for member in self.eligible:
                if self._inside(member, center, sigma):
                    events += self.members[member][2]
                    trials += self.members[member][1]
            self._fences[key] = (events, trials)
        return self._fences[key]

    def _inside(self, member: Hashable, center: float, sigma: float) -> bool:
        """Whether ``member``'s rate lies within :data:`FENCE` sigmas of ``center``,
        sigma being at least the member's own standard error at the rate ``center``
        (half an event added, so that a median of 0 still gives a scale)."""
        rate, trials, _events = self.members[member]
        expected = (center * trials + 0.5) / (trials + 1)
        own = math.sqrt(expected * (1 - expected) / trials)
        return abs(rate - center) <= FENCE * max(sigma, own)

    def judge(self, subject: Hashable, metric: str, labels: tuple) -> Finding:
        """Judge ``subject`` against the other members."""
        policy = self.policy
        value, sample, events = self.members[subject]
        inside = subject in self.eligible
        base = {
            "subject": subject,
            "metric": metric,
            "value": value,
            "sample_size": sample,
            "threshold": float(policy.threshold),
            "direction": policy.direction,
            "peer_count": len(self.eligible) - inside,
            "peers_excluded": len(self.members) - len(self.eligible) - (not inside),
            "flagged": False,
            "window": labels[3],
        }
        if self.is_rate:
            low, high = wilson_interval(events, sample, policy.confidence)
            base.update(is_rate=True, events=events, wilson_low=low, wilson_high=high)
        if not inside:
            return _finding(base, "few_samples", policy, labels)
        if base["peer_count"] < max(policy.min_peers, 1):
            return _finding(base, "few_peers", policy, labels)
        skip = bisect_left(self.values, value)
        center = _median_without(self.values, skip)
        deviations, total = self._deviations_around(center)
        own = abs(value - center)
        raw_mad = _median_without(deviations, bisect_left(deviations, own))
        mean_ad = max(0.0, total - own) / base["peer_count"]
        sigma, method = _spread(raw_mad, mean_ad, policy.min_spread)
        base.update(peer_median=center, peer_mad=raw_mad, sigma=sigma, spread_method=method)
        if not self.is_rate:
            score = robust_z(value, center, sigma)
            if score is None:
                return _finding(base, "no_spread", policy, labels)
            base["score"] = score
            side = _beyond(score, policy.threshold, policy.direction)
            return _finding(base, "outlier" if side else "normal", policy, labels)
        return self._judge_rate(base, subject, center, sigma, labels)

    def _judge_rate(self, base: dict, subject, center: float, sigma: float, labels) -> Finding:
        """Finish judging a rate: binomial floor, reference rate, exact tail."""
        policy = self.policy
        rate, trials, events = self.members[subject]
        fence_events, fence_trials = self._fence_counts(center, sigma)
        if self._inside(subject, center, sigma):
            fence_events, fence_trials = fence_events - events, fence_trials - trials
        reference = (fence_events + 0.5) / (fence_trials + 1)
        binomial = math.sqrt(reference * (1 - reference) / trials)
        if binomial > sigma:
            base.update(sigma=binomial, spread_method="binomial")
        score = (rate - center) / base["sigma"]
        base.update(score=score, reference_rate=reference)
        side = _beyond(score, policy.threshold, policy.direction)
        if not side:
            return _finding(base, "normal", policy, labels)
        if side > 0 and events < policy.min_events:
            return _finding(base, "few_events", policy, labels)
        p_value = binomial_tail(events, trials, reference, upper=side > 0)
        base["p_value"] = p_value
        status = "outlier" if p_value <= policy.alpha else "not_significant"
        return _finding(base, status, policy, labels)


def _finding(base: dict, status: str, policy: Policy, labels: tuple) -> Finding:
    """Build the :class:`Finding` of ``status`` with its sentence.

    ``labels``: ``(subject_label, metric_label, unit, window)``.
    """
    values = {**base, "status": status, "flagged": status == "outlier"}
    draft = Finding(**values)
    subject_label = labels[0] if labels[0] is not None else str(draft.subject)
    sentence = _sentence(draft, policy, subject_label, labels[1] or draft.metric, labels[2])
    return Finding(**values, sentence=sentence)


def _value_member(subject, figure) -> tuple[float, int, None]:
    """``(value, sample)`` checked, as a group member."""
    value, sample = figure
    return _finite(value, f"{subject!r}: value"), _count(sample, f"{subject!r}: sample"), None


def _rate_member(subject, figure) -> tuple[float, int, int]:
    """``(events, trials)`` checked, as a group member ``(rate, trials, events)``."""
    events, trials = _check_counts(*figure, what=repr(subject))
    return (events / trials if trials else 0.0), trials, events


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
def _scan(figures, member_of, is_rate, metric, policy, groups, labels, metric_label, unit, window):
    """Judge every subject of ``figures`` within its group; findings in input order."""
    members = {key: member_of(key, figure) for key, figure in figures.items()}
    grouped: dict = {}
    for key in members:
        group = groups.get(key) if groups is not None else None
        grouped.setdefault(group, {})[key] = members[key]
    by_key = {}
    for group_members in grouped.values():
        group = _Group(group_members, policy, is_rate)
        for key in group_members:
            subject_label = (labels or {}).get(key)
            by_key[key] = group.judge(key, metric, (subject_label, metric_label, unit, window))
    return [by_key[key] for key in members]


def scan_values(
    figures: Mapping[Hashable, tuple[float, int]],
    *,
    metric: str,
    policy: Policy = Policy(),
    groups: Mapping[Hashable, Hashable] | None = None,
    labels: Mapping[Hashable, str] | None = None,
    metric_label: str | None = None,
    unit: str = "",
    window: str | None = None,
) -> list[Finding]:
    """Judge every subject of ``figures`` (``{subject: (value, sample_size)}``)
    against the other subjects of its peer group.

    ``groups`` maps a subject to its peer group (e.g. the store type); subjects
    missing from it share the group ``None``; without ``groups`` everybody is
    everybody's peer. ``labels`` names subjects in sentences (default: the
    key); ``metric_label`` names the metric (default: ``metric``); ``unit``
    follows values; ``window`` says the period ("the last 28 days").
    Findings come in the order of ``figures``.
    """
    return _scan(
        figures, _value_member, False, metric, policy, groups, labels, metric_label, unit, window
    )


def scan_rates(
    figures: Mapping[Hashable, tuple[int, int]],
    *,
    metric: str,
    policy: Policy = Policy(),
    groups: Mapping[Hashable, Hashable] | None = None,
    labels: Mapping[Hashable, str] | None = None,
    metric_label: str | None = None,
    window: str | None = None,
) -> list[Finding]:
    """Judge every subject of ``figures`` (``{subject: (events, trials)}``)
    against the other subjects of its peer group; see :func:`scan_values`."""
    return _scan(
        figures, _rate_member, True, metric, policy, groups, labels, metric_label, "", window
    )


#: marks the keys :func:`judge_value` / :func:`judge_rate` give to anonymous peers,
#: so that no peer key can equal the caller's subject key
_PEER = object()


def _peer_figures(subject, figure, peers) -> dict:
    """``{subject: figure, (_PEER, i): peer i}``: the subject and its peers as one group."""
    figures = {subject: figure}
    for index, peer in enumerate(peers):
        figures[(_PEER, index)] = peer
    return figures


def judge_value(
    subject: Hashable,
    value: float,
    sample_size: int,
    peers: Iterable[tuple[float, int]],
    *,
    metric: str,
    policy: Policy = Policy(),
    subject_label: str | None = None,
    metric_label: str | None = None,
    unit: str = "",
    window: str | None = None,
) -> Finding:
    """Judge one subject's ``value`` (with its ``sample_size``) against ``peers``,
    the ``(value, sample_size)`` of the other subjects (not the subject itself)."""
    figures = _peer_figures(subject, (value, sample_size), peers)
    labels = {subject: subject_label} if subject_label is not None else None
    return scan_values(
        figures,
        metric=metric,
        policy=policy,
        labels=labels,
        metric_label=metric_label,
        unit=unit,
        window=window,
    )[0]


def judge_rate(
    subject: Hashable,
    events: int,
    trials: int,
    peers: Iterable[tuple[int, int]],
    *,
    metric: str,
    policy: Policy = Policy(),
    subject_label: str | None = None,
    metric_label: str | None = None,
    window: str | None = None,
) -> Finding:
    """Judge one subject's rate ``events / trials`` against ``peers``, the
    ``(events, trials)`` of the other subjects (not the subject itself)."""
    figures = _peer_figures(subject, (events, trials), peers)
    labels = {subject: subject_label} if subject_label is not None else None
    return scan_rates(
        figures,
        metric=metric,
        policy=policy,
        labels=labels,
        metric_label=metric_label,
        window=window,
    )[0]


def outliers(findings: Iterable[Finding]) -> list[Finding]:
    """The flagged findings, strongest first (by absolute score; ties keep input order)."""
    return sorted((f for f in findings if f.flagged), key=lambda f: -abs(f.score))
