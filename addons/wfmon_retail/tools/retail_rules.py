"""Retail decisions as plain Python (stdlib only, never imports odoo).

The models gather the figures (stock, sales, values, vendor data) in bulk and
ask these functions what they mean: how much a low-stock case is raised above
its type's severity, whether a lead time breaks the policy, how far a late
vendor escalates, whether a value needs an approval. Severities are counted as
"raises" (steps up core's scale, ``wfmon_core/tools/severity.py``): the scale
itself has one home. Unit tests: tests/unit/test_retail_rules.py.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """How many steps a case is raised, and why (one short reason per step)."""

    raises: int = 0
    reasons: tuple[str, ...] = field(default_factory=tuple)


def velocity(units_sold: float, window_days: int) -> float:
    """Average units sold a day over ``window_days`` (0 for an empty window)."""
    if window_days <= 0:
        return 0.0
    return max(units_sold, 0.0) / window_days


def days_of_cover(on_hand: float, units_per_day: float) -> float | None:
    """Days the stock lasts at the current sales rate; ``None`` when nothing
    sells (the cover is unbounded)."""
    if units_per_day <= 0:
        return None
    return max(on_hand, 0.0) / units_per_day


def low_stock(
    forecast: float,
    minimum: float,
    promotion: bool,
    units_per_day: float,
    fast_mover: float,
) -> Finding | None:
    """A product below its reordering minimum at a store.

    ``None`` when the forecast is at or above the minimum. Otherwise one raise
    for a promotion running at the store, one for a fast mover (selling at least
    ``fast_mover`` units a day, ``fast_mover`` > 0), one for a stockout
    (nothing left in the forecast).
    """
    if forecast >= minimum:
        return None
    reasons = []
    if promotion:
        reasons.append("promotion")
    if fast_mover > 0 and units_per_day >= fast_mover:
        reasons.append("fast_mover")
    if forecast <= 0:
        reasons.append("stockout")
    return Finding(len(reasons), tuple(reasons))


def lead_time_exceeded(lead_days: float | None, max_days: float) -> bool:
    """Whether a vendor lead time (or the days until a confirmed ETA) breaks the
    policy ``max_days`` (0: no policy)."""
    return bool(max_days) and lead_days is not None and lead_days > max_days


def vendor_late(
    tier: str | None,
    cover_days: float | None,
    risk_days: float,
) -> Finding:
    """A vendor not confirming, or a receipt overdue.

    One raise for a strategic vendor; one when an affected store has fewer
    days of cover than ``risk_days``; one more when it is already out of stock
    (cover 0). ``cover_days`` ``None``: nothing sells, no stockout risk.
    """
    reasons = []
    if tier == "strategic":
        reasons.append("strategic_vendor")
    if cover_days is not None and risk_days > 0 and cover_days < risk_days:
        reasons.append("stockout_risk")
        if cover_days <= 0:
            reasons.append("out_of_stock")
    return Finding(len(reasons), tuple(reasons))


def over_threshold(value: float, threshold: float) -> bool:
    """Whether ``value`` (absolute) is above a positive ``threshold``."""
    return threshold > 0 and abs(value) > threshold


def transfer_threshold(source: float, destination: float) -> float:
    """The threshold of a transfer between two stores: the stricter (lower)
    positive one of the two."""
    positives = [value for value in (source, destination) if value > 0]
    return min(positives) if positives else 0.0
