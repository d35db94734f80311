"""Validation of a return or refund against the sale it reverses (stdlib only).

Returns and refunds cover POS refunds, customer return pickings and credit notes. Whatever the
document, the ORM aggregates per original sale line what was sold and what was
returned so far (one ``_read_group``), and asks this module whether the new
return is valid:

* ``no_origin``: the return references no original sale;
* ``outside_window``: it comes more than ``window_days`` days after the sale;
* ``over_return``: with the earlier returns it gives back more than was sold.

Each problem comes with a plain-English sentence; the ORM shows it on the case.
The amount of the return decides who approves it (store manager, then Finance
for high value): that routing lives in the approval matrix, not here.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime

PROBLEMS = ("no_origin", "outside_window", "over_return")
#: quantities are compared to this precision (units of measure round further)
EPSILON = 1e-6


def _day(value, what):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ValueError(f"{what} must be a date or datetime, got {value!r}")


def _qty(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return abs(float(value))


@dataclass(frozen=True)
class ReturnLine:
    """One returned line: ``origin`` the original sale line (``None`` when it
    references none), ``qty`` returned now (sign ignored), ``sold`` the quantity
    of the original line, ``returned_before`` what earlier returns of that line
    already took back, ``sold_on`` the date of the original sale."""

    origin: object
    qty: float
    sold: float = 0.0
    returned_before: float = 0.0
    sold_on: object = None


@dataclass(frozen=True)
class Problem:
    code: str
    origin: object
    sentence: str


@dataclass(frozen=True)
class ReturnVerdict:
    """The problems of a return (empty: valid), and its lines' figures."""

    problems: tuple = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> tuple:
        """The distinct problem codes, in the order of :data:`PROBLEMS`."""
        found = {p.code for p in self.problems}
        return tuple(code for code in PROBLEMS if code in found)

    def sentences(self) -> list:
        return [p.sentence for p in self.problems]


def _fmt(qty):
    return f"{qty:g}"


def judge_return(lines, returned_on, window_days, labels=None) -> ReturnVerdict:
    """Judge a return made on ``returned_on`` of ``lines`` (:class:`ReturnLine`).

    ``window_days``: the return window in days (0 = no window). ``labels``:
    ``{origin: text}`` naming the original lines in sentences. Several lines
    returning the same original line are added up before the quantity check.
    """
    returned_on = _day(returned_on, "returned_on")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 0:
        raise ValueError(f"window_days must be an integer >= 0, got {window_days!r}")
    labels = labels or {}
    problems = []
    totals = {}
    firsts = {}
    for line in lines:
        qty = _qty(line.qty, "qty")
        if line.origin is None:
            problems.append(
                Problem(
                    "no_origin", None, f"{_fmt(qty)} unit(s) returned without an original sale."
                )
            )
            continue
        totals[line.origin] = totals.get(line.origin, 0.0) + qty
        firsts.setdefault(line.origin, line)
    for origin, qty in totals.items():
        line = firsts[origin]
        name = labels.get(origin, str(origin))
        if window_days and line.sold_on is not None:
            age = (returned_on - _day(line.sold_on, "sold_on")).days
            if age > window_days:
                problems.append(
                    Problem(
                        "outside_window",
                        origin,
                        f"{name}: returned {age} days after the sale; the return window is "
                        f"{window_days} days.",
                    )
                )
        sold = _qty(line.sold, "sold")
        before = _qty(line.returned_before, "returned_before")
        if before + qty > sold + EPSILON:
            problems.append(
                Problem(
                    "over_return",
                    origin,
                    f"{name}: {_fmt(qty)} returned now and {_fmt(before)} before, "
                    f"but only {_fmt(sold)} sold.",
                )
            )
    return ReturnVerdict(tuple(problems))
