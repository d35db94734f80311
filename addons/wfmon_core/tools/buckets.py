"""Reporting buckets: a measured quantity cut into a few named ranges.

People read "how many cases are older than a week" at a glance; they do not
read a histogram of ages in hours. A :class:`Buckets` names the ranges of a
quantity (an age in hours, an amount) so that records can be grouped by them.
Each range runs from its lower bound (included) to its upper bound (excluded):
a case exactly one day old is in "1–3 d".

The same cuts are computed in SQL for grouping and searching
(``wfmon.report.mixin``) and here for one record at a time; both compare with
``<`` against the same bounds, so they always agree.

Plain Python: no import of Odoo.
"""

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class Buckets:
    """Named ranges of a quantity.

    ``codes`` and ``labels`` have one entry per range; ``bounds`` holds the
    upper bounds of every range but the last, ascending (the last range is
    open-ended).
    """

    codes: tuple
    labels: tuple
    bounds: tuple

    def __post_init__(self):
        if not len(self.codes) == len(self.labels) == len(self.bounds) + 1:
            raise ValueError("one code and one label per range, one bound fewer")
        if list(self.bounds) != sorted(set(self.bounds)):
            raise ValueError("bounds must be strictly ascending")
        if list(self.codes) != sorted(self.codes):
            # Grouped results come back in code order: keep it the range order.
            raise ValueError("codes must sort in the order of their ranges")

    @property
    def selection(self):
        """``[(code, label)]`` for a selection field."""
        return list(zip(self.codes, self.labels, strict=True))

    def classify(self, value):
        """The code of the range ``value`` falls in, ``None`` for no value."""
        if value is None:
            return None
        return self.codes[bisect_right(self.bounds, value)]

    def range_of(self, code):
        """``(lower, upper)`` of a range, ``None`` where it is open."""
        index = self.codes.index(code)
        lower = self.bounds[index - 1] if index else None
        upper = self.bounds[index] if index < len(self.bounds) else None
        return lower, upper


#: how long something has been open, in hours
AGE_BUCKETS = Buckets(
    codes=("d0_1", "d1_3", "d3_7", "d7"),
    labels=("0–1 d", "1–3 d", "3–7 d", "> 7 d"),
    bounds=(24, 72, 168),
)


def age_hours(start, end):
    """Hours from ``start`` to ``end`` (datetimes), ``None`` without a start."""
    if not start:
        return None
    return (end - start).total_seconds() / 3600.0


def age_bucket(start, end):
    """The :data:`AGE_BUCKETS` code of something open from ``start`` to ``end``."""
    return AGE_BUCKETS.classify(age_hours(start, end))
