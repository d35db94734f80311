"""Standard Webhooks (https://www.standardwebhooks.com/) signing and verification.

A secret is ``whsec_`` followed by the base64 of 32 random bytes; the HMAC key
is the decoded bytes.  The signed content is ``"{id}.{timestamp}.{body}"`` and
the ``webhook-signature`` header holds space-separated ``v1,<base64>`` entries,
one per secret in use (several while a rotated secret is still honoured).
"""

import base64
import binascii
import hashlib
import hmac
import secrets as _secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
DEFAULT_TOLERANCE = 300  # seconds either side of "now" (the spec's 5 minutes)
# Headers a user-configured custom header may never replace.
RESERVED_HEADERS = frozenset(
    {
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "content-type",
        "content-length",
        "host",
        "transfer-encoding",
    }
)


class VerificationError(Exception):
    """The request is not authentic; ``reason`` is a short machine code."""

    def __init__(self, reason, message=None):
        super().__init__(message or reason)
        self.reason = reason


def generate_secret():
    """A new ``whsec_`` secret (32 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret):
    """HMAC key bytes of a ``whsec_`` (or bare base64) secret."""
    if not secret:
        raise ValueError("empty webhook secret")
    raw = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    try:
        key = base64.b64decode(raw + "==", validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("webhook secret is not valid base64") from exc
    if not key:
        raise ValueError("empty webhook secret")
    return key


def _as_bytes(body):
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def sign(secret, msg_id, timestamp, body):
    """``v1,<base64 HMAC-SHA256("{msg_id}.{timestamp}.{body}")>``.

    ``msg_id`` and ``body`` are text (signed as UTF-8) or the exact bytes
    received."""
    to_sign = b"%s.%d.%s" % (_as_bytes(msg_id), int(timestamp), _as_bytes(body))
    digest = hmac.new(secret_key(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secret_list, msg_id, timestamp, body):
    """The ``webhook-signature`` value: one signature per secret, space separated."""
    sigs = [sign(s, msg_id, timestamp, body) for s in secret_list if s]
    if not sigs:
        raise ValueError("no secret to sign with")
    return " ".join(sigs)


def build_headers(secret_list, msg_id, timestamp, body, extra=None, user_agent=None):
    """Request headers of one delivery attempt.

    ``extra`` (custom headers of the endpoint) never overrides the signature,
    identity, content-type or transport headers.
    """
    headers = {}
    for name, value in (extra or {}).items():
        if str(name).lower() not in RESERVED_HEADERS:
            headers[str(name)] = str(value)
    if user_agent:
        headers.setdefault("User-Agent", user_agent)
    headers.update(
        {
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(timestamp)),
            "webhook-signature": signature_header(secret_list, msg_id, timestamp, body),
        }
    )
    return headers


def _is_canonical_seconds(text):
    return (
        0 < len(text) <= 15
        and text.isascii()
        and text.isdigit()
        and (text == "0" or not text.startswith("0"))
    )


def verify(secret_list, headers, body, now, tolerance=DEFAULT_TOLERANCE):
    """Check a received request; return its ``webhook-id`` or raise.

    :param secret_list: secrets currently accepted for the source (fails
        closed when empty)
    :param headers: mapping of request headers (any case); pass the
        ``webhook-id`` as the bytes received to check non-ASCII ids exactly
    :param body: raw body bytes exactly as received
    :param now: current POSIX time (seconds)
    :raises VerificationError: with reason ``no_secret``, ``missing_headers``,
        ``bad_timestamp``, ``stale`` or ``bad_signature``
    """
    secret_list = [s for s in secret_list or () if s]
    if not secret_list:
        raise VerificationError("no_secret", "no secret configured: refusing")
    lowered = {str(k).lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    ts_value = lowered.get("webhook-timestamp")
    sig_value = lowered.get("webhook-signature")
    if not (msg_id and ts_value and sig_value):
        raise VerificationError("missing_headers", "missing webhook-* headers")
    # Canonical decimal seconds only ("0042", "+42", " 42" or non-ASCII digits would
    # be signed as another string than the one received).
    ts_text = ts_value.decode("latin-1") if isinstance(ts_value, bytes) else str(ts_value)
    if not _is_canonical_seconds(ts_text):
        raise VerificationError("bad_timestamp", "webhook-timestamp is not an integer")
    timestamp = int(ts_text)
    if abs(now - timestamp) > tolerance:
        raise VerificationError("stale", "webhook-timestamp outside the tolerance window")
    if isinstance(sig_value, bytes):
        sig_value = sig_value.decode("latin-1")
    received = []
    for entry in sig_value.split():
        version, _sep, value = entry.partition(",")
        if version != "v1" or not value:
            continue
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        # Canonical base64 only: "…qFo=" and "…qFp=" decode to the same bytes
        # (unused padding bits), and a signature is compared as written.
        if base64.b64encode(decoded).decode("ascii") == value:
            received.append(decoded)
    matched = False
    for secret in secret_list:
        expected = base64.b64decode(sign(secret, msg_id, timestamp, body)[3:])
        for candidate in received:
            # Constant time, and keep looping so timing does not tell which matched.
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise VerificationError("bad_signature", "no matching signature")
    return msg_id
