"""Plain-Python rules of the distribution detectors (no ORM, no database).

The models read records, call these functions with numbers and ids, and write
cases with the result, so the arithmetic can be read (and tested) on its own.
"""

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Shortage:
    """A product an order needs from a warehouse and cannot get from free stock."""

    warehouse_id: int
    product_id: int
    demand: float
    available: float

    @property
    def missing(self):
        return max(self.demand - self.available, 0.0)


def allocate_free_stock(demands, free, precision=1e-6):
    """Allocate free stock to confirmed orders in their confirmation order.

    :param demands: iterable of ``(order_id, warehouse_id, product_id, qty)`` in
        the order the documents are confirmed; several rows of one order and
        product add up.
    :param free: ``{(warehouse_id, product_id): free quantity}`` before the batch.
    :return: ``{order_id: [Shortage, ...]}`` for the orders that miss stock only.
    """
    needed = defaultdict(float)
    order_keys = []
    for order_id, warehouse_id, product_id, qty in demands:
        key = (order_id, warehouse_id, product_id)
        if key not in needed:
            order_keys.append(key)
        needed[key] += qty
    left = defaultdict(float, free)
    result = defaultdict(list)
    for key in order_keys:
        order_id, warehouse_id, product_id = key
        demand = needed[key]
        if demand <= precision:
            continue
        stock = max(left[(warehouse_id, product_id)], 0.0)
        left[(warehouse_id, product_id)] = stock - demand
        if demand - stock > precision:
            result[order_id].append(Shortage(warehouse_id, product_id, demand, stock))
    return dict(result)


def variance_percent(actual, reference):
    """Signed deviation of ``actual`` from ``reference`` in percent, or ``None``
    when there is no reference to compare with."""
    if not reference:
        return None
    return (actual - reference) / abs(reference) * 100.0


def beyond_tolerance(actual, reference, tolerance_percent, precision=1e-9):
    """Whether ``actual`` deviates from ``reference`` by more than the tolerance
    (either way). A missing reference never counts as a deviation."""
    variance = variance_percent(actual, reference)
    if variance is None:
        return False
    return abs(variance) - max(tolerance_percent, 0.0) > precision


def margin_percent(revenue, cost):
    """Gross margin as a share of revenue, in percent; ``None`` without revenue."""
    if not revenue:
        return None
    return (revenue - cost) / revenue * 100.0


def margin_breaches(amount, margin, max_discount, policy):
    """Which margin policies an order breaches.

    :param amount: order amount (untaxed, in the policy's currency)
    :param margin: margin percent of the order (``None``: unknown)
    :param max_discount: highest line discount in percent
    :param policy: dict with ``large_amount``, ``min_margin`` and ``max_discount``;
        a zero limit switches its check off.
    :return: list of codes among ``"margin"`` and ``"discount"`` (empty when the
        order is below the large-order amount)
    """
    if not policy.get("large_amount") or amount < policy["large_amount"]:
        return []
    breaches = []
    if policy.get("min_margin") and margin is not None and margin < policy["min_margin"]:
        breaches.append("margin")
    if policy.get("max_discount") and max_discount > policy["max_discount"]:
        breaches.append("discount")
    return breaches
