"""Cash counted at a POS session's closing against the store's tolerance (stdlib only).

Odoo's POS has its own limit, ``pos.config.amount_authorized_diff`` (when
``set_maximum_difference`` is on): the closing popup lets only a POS manager
close above it, and the server does not check it. The cash check does not fight it: the
tolerance of a store is its own setting when it has one, else Odoo's
authorized difference when that is on, else the company's setting. A session
closed with a difference above the tolerance opens a cash-discrepancy case for
Finance; the closer being a POS manager (the only one the till lets through
above Odoo's limit) is recorded, not excused.
"""

import math
from dataclasses import dataclass


def _amount(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class CashVerdict:
    """``difference`` counted minus expected (positive: more cash than
    expected); ``tolerance`` and where it came from (``store``, ``pos``,
    ``company``); ``exceeded`` whether ``|difference| > tolerance``; ``ratio``
    ``|difference| / tolerance`` (``inf`` with a zero tolerance and a
    difference); ``severity`` a suggestion on core's scale."""

    difference: float
    tolerance: float
    source: str
    exceeded: bool
    ratio: float
    severity: str


def tolerance(store=0.0, pos_limit=None, company=0.0):
    """``(tolerance, source)``: the store's own tolerance when set (> 0), else
    Odoo's authorized difference of the shop when it is on (``pos_limit`` not
    ``None``), else the company's."""
    store = _amount(store or 0.0, "store")
    if store > 0:
        return store, "store"
    if pos_limit is not None:
        return max(0.0, _amount(pos_limit, "pos_limit")), "pos"
    return max(0.0, _amount(company or 0.0, "company")), "company"


def judge_cash(difference, store=0.0, pos_limit=None, company=0.0, currency_rounding=0.01):
    """Judge a session's closing ``difference`` (see :class:`CashVerdict`).
    Differences within half a ``currency_rounding`` count as none."""
    difference = _amount(difference, "difference")
    limit, source = tolerance(store, pos_limit, company)
    size = abs(difference)
    if size < _amount(currency_rounding, "currency_rounding") / 2:
        size = 0.0
    if limit > 0:
        ratio = size / limit
    else:
        ratio = math.inf if size else 0.0
    exceeded = size > limit + 1e-9
    if not exceeded:
        severity = "low"
    elif ratio >= 10:
        severity = "critical"
    elif ratio >= 3:
        severity = "high"
    else:
        severity = "medium"
    return CashVerdict(difference, limit, source, exceeded, ratio, severity)
