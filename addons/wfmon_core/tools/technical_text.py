"""Technical values in text people read: the check behind "no internal id,
method name, field name or hash is shown to a non-administrator".

``technical_values(text, known)`` returns the pieces of ``text`` that are
engine vocabulary rather than words:

- an identifier with an underscore or a dot that is one of ``known`` (model
  names, field names, method names, selection keys, type codes: the caller
  collects them from the database), or a method name (``action_confirm``,
  ``button_validate``, ``_cron_x``) whatever ``known`` holds;
- a SHA-1 or SHA-256 digest (40 or 64 hexadecimal characters);
- JSON: an opening brace or bracket followed by a quoted key and a colon;
- a planning id in brackets, such as ``(D2)``, ``(R1, R3)`` or ``(seed 003)``;
- a database id spelled as one (``id=42``, ``res_id: 7``).

Words with underscores that are not in ``known`` (a product code such as
``FURN_0001``) and dotted names that are not (``example.com``) pass, unless
``snake_case=True``: then any lower-case identifier with an underscore counts
(a code nobody declared, such as a finding stored as ``cash_difference``).
Pure Python: unit-tested without Odoo (tests/unit/test_technical_text.py).
"""

import re

_IDENTIFIER = re.compile(r"(?<![\w@/.-])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_METHOD = re.compile(r"^_?(?:action|button|cron|compute|inverse|search|check)_[a-z0-9_]+$")
_DIGEST = re.compile(r"(?<![0-9a-fA-F])(?:[0-9a-f]{64}|[0-9a-f]{40})(?![0-9a-fA-F])")
_JSON = re.compile(r"[{\[]\s*\"[^\"\n]{1,60}\"\s*:")
_PLANNING = re.compile(r"\((?:[A-Z]{1,2}\d{1,3}(?:\s*,\s*[A-Z]{1,2}\d{1,3})*|seed \d+)\)")
_DATABASE_ID = re.compile(r"\b(?:id|res_id|record_id)\s*[=:#]\s*\d+\b")


def technical_values(text, known=frozenset(), snake_case=False):
    """The technical pieces of ``text`` (a list of strings, in order, each once)."""
    if not text:
        return []
    found = []
    for match in _IDENTIFIER.finditer(text):
        token = match.group(0)
        # A sentence may end right after a name: "... on sale.order." reads "sale.order".
        if "_" not in token and "." not in token:
            continue
        if token in known or _METHOD.match(token) or (snake_case and _SNAKE.match(token)):
            found.append(token)
            continue
        # "sale.order.line's" or "x.y" ending a sentence: try the dotted prefixes too.
        parts = token.split(".")
        for end in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:end])
            if ("_" in prefix or "." in prefix) and prefix in known:
                found.append(prefix)
                break
    for pattern in (_DIGEST, _JSON, _PLANNING, _DATABASE_ID):
        found.extend(match.group(0) for match in pattern.finditer(text))
    return list(dict.fromkeys(found))
