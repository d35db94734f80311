"""Event envelopes ``{"type", "timestamp", "data"}`` and their size limit."""

import json
import uuid
from datetime import timezone

MAX_PAYLOAD_BYTES = 20000
EVENT_ID_PREFIX = "evt_"


def new_event_id():
    """A stable, unguessable event id: ``evt_`` + uuid4 hex."""
    return EVENT_ID_PREFIX + uuid.uuid4().hex


def iso_timestamp(moment):
    """``2026-11-23T10:00:00Z`` from a naive-UTC or aware ``datetime``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def dumps(value):
    """Compact, deterministic JSON (the exact bytes that are signed)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str)


def build_envelope(event_type, moment, data, max_bytes=MAX_PAYLOAD_BYTES):
    """Serialized envelope and whether ``data`` had to be truncated.

    When the envelope would exceed ``max_bytes`` (UTF-8), ``data`` is replaced by
    its identifying keys (``id``, ``reference``, ``model``, ``type``) plus
    ``"truncated": true`` so receivers know to fetch the record instead.

    :return: ``(body_text, truncated)``
    """
    envelope = {"type": event_type, "timestamp": iso_timestamp(moment), "data": data}
    body = dumps(envelope)
    if len(body.encode("utf-8")) <= max_bytes:
        return body, False
    keep = {}
    if isinstance(data, dict):
        keep = {k: data[k] for k in ("id", "reference", "model", "type") if k in data}
    keep = {k: v for k, v in keep.items() if len(dumps(v)) <= 256}
    keep["truncated"] = True
    envelope["data"] = keep
    return dumps(envelope), True
