"""Finding the document a customer's message names. Plain Python, no Odoo."""

import re

#: a document number as Odoo writes them: WH/OUT/00012, S00042, INV/2026/00007,
#: RINV/2026/00003, Shop/0001 ... (letters, digits, slashes and dashes, with at
#: least one digit)
_TOKEN = re.compile(r"(?<![\w/-])([A-Za-z][\w-]*(?:/[\w-]+)*\d[\w-]*)(?![\w/-])")
#: at most this many candidate numbers are looked up per message
MAX_TOKENS = 20


def document_tokens(text):
    """The distinct candidate document numbers in ``text``, in order of
    appearance (at most :data:`MAX_TOKENS`). Trailing punctuation is dropped."""
    found = []
    for match in _TOKEN.finditer(text or ""):
        token = match.group(1).strip("-_")
        if any(ch.isdigit() for ch in token) and token not in found:
            found.append(token)
        if len(found) >= MAX_TOKENS:
            break
    return found
