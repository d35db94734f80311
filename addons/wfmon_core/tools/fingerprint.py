"""Stable fingerprints identifying an alert subject (stdlib only, never imports odoo)."""

import hashlib


def fingerprint(type_code: str, model: str, res_id: int, key: str | None = None) -> str:
    """Return the SHA-1 hex digest of ``"type_code|model|res_id|key"``.

    ``key`` ``None`` is encoded as the empty string (so ``None`` and ``''`` give
    the same fingerprint). The text is UTF-8 encoded; the result is stable
    across runs and processes (unlike :func:`hash`).
    """
    raw = f"{type_code}|{model}|{int(res_id)}|{'' if key is None else key}"
    return hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()
