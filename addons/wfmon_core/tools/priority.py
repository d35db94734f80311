"""Explainable priority score of a case (stdlib only, never imports odoo).

The score ranks cases in queues; it advises and decides nothing. It is a
weighted mean of factors, each first brought to a level between 0 and 1:

========== ======================================================== =============
factor     level                                                    input
========== ======================================================== =============
value      value at risk against a cap, linear or logarithmic       impact_amount
tier       customer tier's place in ``tier_order`` (lowest first)   tier
sla        SLA exposure: 0 until ``sla_exposure_from`` of the       sla_ratio,
           budget is used, then rising to 1 at the deadline;        sla_status
           1 once breached, 0 once met; from the status alone
           (``sla_status_levels``) when no ratio is known
promotion  promotion impact (a running promotion: 1)                promotion
velocity   sales velocity against a cap (units a day)               velocity
severity   severity's place in ``severity_order``                   severity
recurrence occurrences against a cap                                occurrences
========== ======================================================== =============

``score = 100 * sum(weight * level) / sum(weights)``, so it lies in [0, 100]
whatever the weights. A factor whose input is missing (a helpdesk case has no
promotion) has level 0: it adds nothing, and its weight still counts, so that
scores of cases with and without that information stay on one scale. With
every weight 0 the score is 0.

Each factor's contribution in points is returned with the score (rounded so
that the contributions add up to the score exactly), which is what the case
shows as "why this priority".

With weights ``severity 30, value 30, sla 30, recurrence 10``, a linear value
cap of 100,000 and the SLA status only, the score is the one the case model
computed before this module existed.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .severity import SEVERITY_ORDER

FACTORS = ("value", "tier", "sla", "promotion", "velocity", "severity", "recurrence")
LABELS = {
    "value": "Value at risk",
    "tier": "Customer tier",
    "sla": "SLA exposure",
    "promotion": "Promotion impact",
    "velocity": "Sales velocity",
    "severity": "Severity",
    "recurrence": "Recurrence",
}
VALUE_SCALES = ("linear", "log")
#: SLA exposure by status when the consumed share of the budget is unknown.
SLA_STATUS_LEVELS = {"on_track": 0.0, "paused": 0.0, "met": 0.0, "at_risk": 0.5, "breached": 1.0}


def _number(value, what: str, minimum: float | None = 0.0) -> float:
    """``value`` as a finite float (>= ``minimum``); ``ValueError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be >= {minimum:g}, got {value!r}")
    return value


@dataclass(frozen=True)
class PriorityConfig:
    """Weights and scales, as set in Settings.

    ``weights``: ``{factor: weight >= 0}``; a factor left out weighs 0.
    ``value_cap``: value at risk that counts fully (> 0); ``value_scale``:
    ``'linear'`` or ``'log'`` (``log(1 + value) / log(1 + cap)``: 1,000 of a
    100,000 cap counts 0.6 instead of 0.01). ``tier_order`` / ``severity_order``:
    known tiers / severities, lowest first. ``velocity_cap``: units a day that
    count fully (> 0). ``recurrence_cap``: occurrences that count fully (>= 1).
    ``sla_exposure_from``: share of the SLA budget used before exposure counts
    (0 <= x < 1). ``sla_status_levels``: exposure by SLA status when no ratio
    is given.
    """

    weights: Mapping[str, float] = field(default_factory=dict)
    value_cap: float = 100000.0
    value_scale: str = "linear"
    tier_order: Sequence[str] = ()
    severity_order: Sequence[str] = SEVERITY_ORDER
    velocity_cap: float = 10.0
    recurrence_cap: int = 10
    sla_exposure_from: float = 0.5
    sla_status_levels: Mapping[str, float] = field(default_factory=lambda: SLA_STATUS_LEVELS)

    def __post_init__(self) -> None:
        """Validate the settings."""
        unknown = set(self.weights) - set(FACTORS)
        if unknown:
            raise ValueError(f"unknown priority factor(s) {sorted(unknown)}; known: {FACTORS}")
        for name, weight in self.weights.items():
            _number(weight, f"weight of {name}")
        if _number(self.value_cap, "value_cap") <= 0:
            raise ValueError(f"value_cap must be > 0, got {self.value_cap!r}")
        if self.value_scale not in VALUE_SCALES:
            raise ValueError(f"value_scale must be one of {VALUE_SCALES}, got {self.value_scale!r}")
        if _number(self.velocity_cap, "velocity_cap") <= 0:
            raise ValueError(f"velocity_cap must be > 0, got {self.velocity_cap!r}")
        if _number(self.recurrence_cap, "recurrence_cap") < 1:
            raise ValueError(f"recurrence_cap must be >= 1, got {self.recurrence_cap!r}")
        if not 0 <= _number(self.sla_exposure_from, "sla_exposure_from") < 1:
            raise ValueError(
                f"sla_exposure_from must lie in [0, 1), got {self.sla_exposure_from!r}"
            )
        for status, level in self.sla_status_levels.items():
            if not 0 <= _number(level, f"SLA level of {status}") <= 1:
                raise ValueError(f"SLA level of {status} must lie in [0, 1], got {level!r}")
        for name in ("tier_order", "severity_order"):
            order = getattr(self, name)
            if isinstance(order, str) or len(set(order)) != len(order):
                raise ValueError(f"{name} must be a sequence of distinct names, got {order!r}")

    @property
    def total_weight(self) -> float:
        """Sum of the weights."""
        return math.fsum(float(w) for w in self.weights.values())


@dataclass(frozen=True)
class PriorityInput:
    """What is known about a case; ``None`` = not known / not applicable.

    ``impact_amount``: value at risk (its absolute value counts).
    ``sla_ratio``: share of the SLA budget used (0.8 = 80 %, above 1 past the
    deadline). ``sla_status``: the case's SLA status (``'breached'`` and
    ``'met'`` decide the exposure whatever the ratio). ``promotion``: ``True``
    / ``False`` or a share in [0, 1] (e.g. of the product's sales on promotion).
    ``velocity``: units sold a day. ``occurrences``: times the condition was seen.
    """

    severity: str | None = None
    impact_amount: float | None = None
    tier: str | None = None
    sla_ratio: float | None = None
    sla_status: str | None = None
    promotion: bool | float | None = None
    velocity: float | None = None
    occurrences: int | None = None


@dataclass(frozen=True)
class Contribution:
    """One factor's part of a score.

    ``level``: the factor in [0, 1], ``None`` when its input is missing.
    ``points``: what it adds to the score. ``share``: its weight's share of the
    total weight, in %. ``detail``: the input in words.
    """

    factor: str
    label: str
    weight: float
    share: float
    level: float | None
    points: float
    detail: str

    @property
    def available(self) -> bool:
        """Whether the factor's input was known."""
        return self.level is not None


@dataclass(frozen=True)
class Priority:
    """A score in [0, 100] with every factor's contribution, in :data:`FACTORS` order."""

    score: float
    contributions: tuple[Contribution, ...]

    def explain(self) -> list[str]:
        """One plain-text line per weighted factor, largest contribution first."""
        weighted = [c for c in self.contributions if c.weight > 0]
        if not weighted:
            return ["No priority weights are set: every case scores 0."]
        ordered = sorted(weighted, key=lambda c: (-c.points, FACTORS.index(c.factor)))
        return [f"{c.label}: {c.detail} -> {c.points:.2f} of {c.share:.0f} points" for c in ordered]

    def as_dict(self) -> dict:
        """JSON-safe form: ``{"score": ..., "factors": [{...}, ...]}``."""
        return {
            "score": self.score,
            "factors": [
                {
                    "factor": c.factor,
                    "label": c.label,
                    "weight": c.weight,
                    "share": round(c.share, 4),
                    "level": None if c.level is None else round(c.level, 6),
                    "points": c.points,
                    "detail": c.detail,
                }
                for c in self.contributions
            ],
        }


# --------------------------------------------------------------------------
# Factor levels: (level or None, detail)
# --------------------------------------------------------------------------
def _ranked(value, order: Sequence[str], what: str) -> tuple[float, str]:
    """Level of ``value``'s place in ``order`` (lowest first)."""
    if value not in order:
        raise ValueError(f"unknown {what} {value!r}; known: {tuple(order)}")
    if len(order) == 1:
        return 1.0, str(value)
    index = list(order).index(value)
    return index / (len(order) - 1), f"{value} ({index + 1} of {len(order)})"


def _value_level(data: PriorityInput, config: PriorityConfig) -> tuple[float | None, str]:
    if data.impact_amount is None:
        return None, "not known"
    amount = abs(_number(data.impact_amount, "impact_amount", minimum=None))
    cap = float(config.value_cap)
    if config.value_scale == "log":
        level = math.log1p(amount) / math.log1p(cap)
    else:
        level = amount / cap
    return min(level, 1.0), f"{amount:,.2f} (counts fully from {cap:,.2f})"


def _tier_level(data: PriorityInput, config: PriorityConfig) -> tuple[float | None, str]:
    if data.tier is None:
        return None, "not known"
    return _ranked(data.tier, config.tier_order, "customer tier")


def _sla_level(data: PriorityInput, config: PriorityConfig) -> tuple[float | None, str]:
    status = data.sla_status
    if status is not None and status not in config.sla_status_levels:
        raise ValueError(f"unknown SLA status {status!r}; known: {tuple(config.sla_status_levels)}")
    if status == "breached":
        return 1.0, "breached"
    if status == "met":
        return 0.0, "met"
    if data.sla_ratio is not None:
        ratio = _number(data.sla_ratio, "sla_ratio")
        start = float(config.sla_exposure_from)
        level = min(max((ratio - start) / (1.0 - start), 0.0), 1.0)
        paused = ", paused" if status == "paused" else ""
        return level, f"{ratio:.0%} of the SLA budget used{paused}"
    if status is None:
        return None, "no SLA"
    return float(config.sla_status_levels[status]), status.replace("_", " ")


def _promotion_level(data: PriorityInput, config: PriorityConfig) -> tuple[float | None, str]:
    if data.promotion is None:
        return None, "not applicable"
    if isinstance(data.promotion, bool):
        return float(data.promotion), "promotion running" if data.promotion else "no promotion"
    share = _number(data.promotion, "promotion")
    if share > 1:
        raise ValueError(f"promotion must be a boolean or a share in [0, 1], got {share!r}")
    return share, f"{share:.0%} promotion impact"


def _velocity_level(data: PriorityInput, config: PriorityConfig) -> tuple[float | None, str]:
    if data.velocity is None:
        return None, "not applicable"
    velocity = _number(data.velocity, "velocity")
    cap = float(config.velocity_cap)
    return min(velocity / cap, 1.0), f"{velocity:,.1f} a day (counts fully from {cap:,.1f})"


def _severity_level(data: PriorityInput, config: PriorityConfig) -> tuple[float | None, str]:
    if data.severity is None:
        return None, "not known"
    return _ranked(data.severity, config.severity_order, "severity")


def _recurrence_level(data: PriorityInput, config: PriorityConfig) -> tuple[float | None, str]:
    if data.occurrences is None:
        return None, "not known"
    count = data.occurrences
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"occurrences must be an integer >= 0, got {count!r}")
    cap = config.recurrence_cap
    return min(count / cap, 1.0), f"seen {count} time{'s' if count != 1 else ''}"


_LEVELS = {
    "value": _value_level,
    "tier": _tier_level,
    "sla": _sla_level,
    "promotion": _promotion_level,
    "velocity": _velocity_level,
    "severity": _severity_level,
    "recurrence": _recurrence_level,
}


def _hundredths(exact: Sequence[float]) -> list[int]:
    """Round ``exact`` points to hundredths so that they add up to the rounded total
    (largest remainders first; ties go to the earlier factor)."""
    scaled = [x * 100 for x in exact]
    floors = [math.floor(x) for x in scaled]
    target = math.floor(math.fsum(scaled) + 0.5)
    order = sorted(range(len(scaled)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in order[: max(0, target - sum(floors))]:
        floors[i] += 1
    return floors


def priority(data: PriorityInput, config: PriorityConfig) -> Priority:
    """The score of ``data`` under ``config``, with every factor's contribution.

    Deterministic and bounded: the same input gives the same score, in [0, 100].
    ``ValueError`` for an input a factor cannot read (an unknown severity or
    tier, a negative velocity, ...), whether or not that factor is weighted.
    """
    total = config.total_weight
    levels = {name: _LEVELS[name](data, config) for name in FACTORS}
    weights = {name: float(config.weights.get(name, 0.0)) for name in FACTORS}
    exact = [
        100.0 * weights[name] * (levels[name][0] or 0.0) / total if total > 0 else 0.0
        for name in FACTORS
    ]
    points = _hundredths(exact)
    contributions = tuple(
        Contribution(
            factor=name,
            label=LABELS[name],
            weight=weights[name],
            share=100.0 * weights[name] / total if total > 0 else 0.0,
            level=levels[name][0],
            points=points[i] / 100,
            detail=levels[name][1],
        )
        for i, name in enumerate(FACTORS)
    )
    return Priority(score=sum(points) / 100, contributions=contributions)
