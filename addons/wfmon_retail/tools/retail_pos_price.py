"""Price overrides and discounts against a store's policy (stdlib only, never imports odoo).

Price overrides are looked for in three places where a price can be cut: a POS order line, a sale
order line and a bulk change of products' list price. The ORM reads the
figures (the line's unit price, discount and quantity, the pricelist's price
for that product and quantity, the store's limits) and asks this module what
is wrong and how much is at stake. Routing by amount and role is the approval
matrix's job (``wfmon.approval.policy`` levels); this module only says what
each line costs the store.

A line is judged on what the customer really paid per unit: ``price_unit *
(1 - discount / 100)``. Two findings, which can both hold:

* ``discount``: the line's discount exceeds ``max_discount`` (percent);
* ``price``: the unit price itself is below the reference (pricelist) price by
  more than ``price_tolerance`` (percent of the reference), i.e. the price was
  overridden downwards.

The amount at stake is what the line gave away against the reference price,
``qty * (reference - effective)``: the figure approvers are routed by. Refund
lines (negative quantities) and lines without a reference price are not price
overrides and are never judged here.
"""

import math
from dataclasses import dataclass

#: the kinds of finding, in the order they are reported
KINDS = ("discount", "price")


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value


def _percent(value, what: str) -> float:
    value = _number(value, what)
    if not 0 <= value <= 100:
        raise ValueError(f"{what} must lie in [0, 100], got {value!r}")
    return value


@dataclass(frozen=True)
class PriceLimits:
    """A store's price policy.

    ``max_discount``: the largest line discount in percent (100 = no limit).
    ``price_tolerance``: how far in percent a unit price may sit below the
    reference price before it counts as an override (rounding, small manual
    corrections). ``min_amount``: amounts at stake below it are ignored (in the
    order's currency), so that cents never open a case.
    """

    max_discount: float = 100.0
    price_tolerance: float = 0.0
    min_amount: float = 0.0

    def __post_init__(self):
        _percent(self.max_discount, "max_discount")
        _percent(self.price_tolerance, "price_tolerance")
        if _number(self.min_amount, "min_amount") < 0:
            raise ValueError(f"min_amount must be >= 0, got {self.min_amount!r}")


@dataclass(frozen=True)
class LineVerdict:
    """What is wrong with one line and what it costs.

    ``kinds``: the findings (subset of :data:`KINDS`, empty when the line is
    within policy). ``effective``: the unit price paid after the discount.
    ``deviation``: how far in percent the paid unit price is below the
    reference (negative when above). ``amount``: the amount at stake.
    """

    kinds: tuple
    effective: float
    deviation: float
    amount: float

    @property
    def flagged(self) -> bool:
        return bool(self.kinds)


def judge_line(price_unit, discount, qty, reference, limits: PriceLimits) -> LineVerdict:
    """Judge one line sold at ``price_unit`` with ``discount`` (percent) for
    ``qty`` units, whose reference (pricelist) unit price is ``reference``."""
    price_unit = _number(price_unit, "price_unit")
    discount = _number(discount, "discount")
    qty = _number(qty, "qty")
    reference = _number(reference, "reference")
    effective = price_unit * (1 - discount / 100.0)
    deviation = (reference - effective) / reference * 100.0 if reference > 0 else 0.0
    if qty <= 0 or reference <= 0:
        # refunds and free lines (rewards, samples at price 0 on the pricelist)
        return LineVerdict((), effective, deviation, 0.0)
    kinds = []
    if discount > limits.max_discount + 1e-9:
        kinds.append("discount")
    price_drop = (reference - price_unit) / reference * 100.0
    if price_drop > limits.price_tolerance + 1e-9:
        kinds.append("price")
    amount = max(0.0, qty * (reference - effective))
    if not kinds or amount < limits.min_amount:
        return LineVerdict((), effective, deviation, round(amount, 6))
    return LineVerdict(tuple(kinds), effective, deviation, round(amount, 6))


def list_price_change(old, new) -> float:
    """The change of a list price in percent of the old one (negative = cut);
    a price set from 0 counts as +100 %, a price kept at 0 as 0 %."""
    old, new = _number(old, "old"), _number(new, "new")
    if old == 0:
        return 0.0 if new == 0 else 100.0
    return (new - old) / abs(old) * 100.0


def bulk_change_beyond(changes, max_change) -> dict:
    """``{key: change %}`` of the ``changes`` (``{key: (old, new)}``) whose list
    price moves by more than ``max_change`` percent either way."""
    limit = _number(max_change, "max_change")
    if limit < 0:
        raise ValueError(f"max_change must be >= 0, got {max_change!r}")
    result = {}
    for key, (old, new) in changes.items():
        change = list_price_change(old, new)
        if abs(change) > limit + 1e-9:
            result[key] = change
    return result
