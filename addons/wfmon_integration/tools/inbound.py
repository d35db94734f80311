"""Untrusted input of the inbound endpoint, made safe before it reaches the database.

Everything here is plain Python (no odoo): the header bytes a sender signed, the
rules a ``webhook-id`` must follow to be stored, printable excerpts of hostile
values for the audit of refused requests, and the test for text PostgreSQL
cannot hold (NUL characters, lone surrogates).
"""

import re
import unicodedata

MAX_WEBHOOK_ID = 255  # characters; an id is an idempotency key, not a payload
_SURROGATE = re.compile("[\ud800-\udfff]")


def header_bytes(value):
    """The bytes of a header value as the sender wrote them.

    A WSGI server hands header values over as latin-1 text (PEP 3333), so
    encoding them back to latin-1 is exact; a signature is checked over
    these bytes, not over a re-encoding of their latin-1 reading.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        # Not a WSGI server value (a test or another caller): take it as text.
        return value.encode("utf-8", "surrogatepass")


def webhook_id(raw):
    """The ``webhook-id`` to store, or ``None`` when it cannot be one.

    An id is stored as sent when it is UTF-8, 1 to ``MAX_WEBHOOK_ID``
    characters long and free of control characters: never truncated or
    rewritten, since two different ids must never collide as duplicates.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = header_bytes(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or len(text) > MAX_WEBHOOK_ID:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        return None
    return text


def printable(value, limit=200):
    """An excerpt of an untrusted value that is safe to store and to show.

    Bytes are read as UTF-8 (undecodable bytes as ``\\xNN``); control and
    surrogate characters become ``\\xNN`` / ``\\uNNNN`` escapes; the result
    is cut to ``limit`` characters (``…`` marks a cut).  Meant for the
    record of a refused request, where the value only has to be readable.
    """
    if value is None or value == b"" or value == "":
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    out = []
    size = 0
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            code = ord(ch)
            ch = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        out.append(ch)
        size += len(ch)
        if size > limit:
            break
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unstorable_text(payload):
    """Where a parsed JSON value holds text a PostgreSQL text column refuses.

    Returns a short description (``'a NUL character'`` or ``'a lone
    surrogate'``) of the first offending string, key or value, or ``None``.
    The walk is iterative: the depth of the value is whatever ``json.loads``
    accepted.
    """
    stack = [payload]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "a NUL character (\\u0000)"
            if _SURROGATE.search(value):
                return "a lone surrogate (\\ud800-\\udfff)"
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


def pg_text(value):
    """``value`` with the characters PostgreSQL text refuses replaced by escapes."""
    if not value:
        return value
    if "\x00" in value:
        value = value.replace("\x00", "\\x00")
    if _SURROGATE.search(value):
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value
