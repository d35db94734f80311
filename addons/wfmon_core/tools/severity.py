"""The severity scale of cases and SLA targets, lowest first (stdlib only, never
imports odoo).

Everything that ranks, raises or labels a severity reads it here: the selection
fields of cases, case types, SLA targets, monitors and automation actions; the
escalation step that raises a case's severity; the priority score.
"""

from collections.abc import Sequence

#: ``(code, label)`` of each severity, lowest first (the selection of the fields)
SEVERITIES = [
    ("low", "Low"),
    ("medium", "Medium"),
    ("high", "High"),
    ("critical", "Critical"),
]
#: the codes, lowest first: a severity's rank is its index
SEVERITY_ORDER = tuple(code for code, _label in SEVERITIES)


def rank(severity: str | None, order: Sequence[str] = SEVERITY_ORDER) -> int:
    """Return the place of ``severity`` on the scale (0 for the lowest, or none)."""
    return list(order).index(severity) if severity else 0


def next_severity(current: str, order: Sequence[str] = SEVERITY_ORDER) -> str:
    """Return the severity one level above ``current``, saturating at the top.

    An unknown ``current`` is returned unchanged.
    """
    if current not in order:
        return current
    index = list(order).index(current)
    return order[min(index + 1, len(order) - 1)]
