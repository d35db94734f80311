"""Plain helpers of the n8n end-to-end test (no Odoo, no n8n): unit-tested in
tests/unit/test_e2e_n8n_support.py."""

import base64
import json
import math
from datetime import datetime, timezone

from standardwebhooks import Webhook


def signed_headers(secret, msg_id, timestamp, body):
    """The headers a Standard Webhooks sender (the reference library) puts on ``body``."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": Webhook(secret).sign(msg_id, moment, body.decode("utf-8")),
        "Content-Type": "application/json",
    }


def forgeries(secret, msg_id, now, body):
    """``{name: (headers, body)}``: requests a verifying receiver must refuse."""
    good = signed_headers(secret, msg_id, now, body)
    event = json.loads(body)
    other = base64.b64encode(b"not the endpoint secret, 32 byte").decode()
    missing = {k: v for k, v in good.items() if k != "webhook-signature"}
    tampered = body.replace(b'"type":"', b'"type":"x', 1) if b'"type":"' in body else body + b" "
    return {
        "forged signature (other secret)": (signed_headers(other, msg_id, now, body), body),
        "tampered body": (good, tampered),
        "re-serialized body": (good, json.dumps(event, indent=1).encode()),
        "stale timestamp (6 min old)": (signed_headers(secret, msg_id, now - 360, body), body),
        "future timestamp (6 min ahead)": (signed_headers(secret, msg_id, now + 360, body), body),
        "missing signature header": (missing, body),
        "v2 prefix": (
            dict(good, **{"webhook-signature": "v2," + good["webhook-signature"][3:]}),
            body,
        ),
        "other webhook-id": (dict(good, **{"webhook-id": msg_id + "x"}), body),
    }


def flatted_parse(text):
    """Decode n8n's execution data (the ``flatted`` format: a JSON array whose first
    entry is the root and where every string in an object or array is the index of
    another entry)."""
    table = json.loads(text)
    cache = {}

    def value(index):
        if index in cache:
            return cache[index]
        raw = table[index]
        if isinstance(raw, dict):
            out = cache[index] = {}
            for key, item in raw.items():
                out[key] = value(int(item)) if isinstance(item, str) else item
        elif isinstance(raw, list):
            out = cache[index] = []
            out.extend(value(int(item)) if isinstance(item, str) else item for item in raw)
        else:
            out = cache[index] = raw
        return out

    return value(0)


def percentile(values, share):
    """Nearest-rank percentile (``share`` 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]
