"""Helpers of the n8n end-to-end driver (tests/e2e/n8n_support.py)."""

import importlib.util
import json
import time
from pathlib import Path

import pytest
from freezegun import freeze_time

standardwebhooks = pytest.importorskip("standardwebhooks")

_PATH = Path(__file__).resolve().parents[1] / "e2e" / "n8n_support.py"
_spec = importlib.util.spec_from_file_location("wfmon_e2e_n8n_support", _PATH)
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@freeze_time("2026-11-23 10:00:00")  # the reference library checks against the clock
def test_signed_headers_verify_with_the_reference_library():
    body = b'{"data":{"id":1},"type":"case.opened"}'
    now = int(time.time())
    headers = support.signed_headers(SECRET, "evt_1", now, body)
    assert standardwebhooks.Webhook(SECRET).verify(body, headers)["type"] == "case.opened"


@freeze_time("2026-11-23 10:00:00")
def test_every_forgery_is_refused_by_the_reference_library():
    body = b'{"data":{"id":1},"type":"case.opened"}'
    cases = support.forgeries(SECRET, "evt_1", int(time.time()), body)
    assert len(cases) >= 7
    for name, (headers, forged) in cases.items():
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            standardwebhooks.Webhook(SECRET).verify(forged, headers)
        assert name


def test_flatted_parse_follows_references():
    # {"a": "x", "b": {"c": "x", "n": 3, "l": [true, "x"]}} as n8n stores it
    text = json.dumps([{"a": "1", "b": "2"}, "x", {"c": "1", "n": 3, "l": "3"}, [True, "1"]])
    assert support.flatted_parse(text) == {"a": "x", "b": {"c": "x", "n": 3, "l": [True, "x"]}}


def test_flatted_parse_keeps_shared_objects_shared():
    text = json.dumps([{"a": "1", "b": "1"}, {"v": 1}])
    parsed = support.flatted_parse(text)
    assert parsed["a"] is parsed["b"]


def test_percentile_nearest_rank():
    values = list(range(1, 21))
    assert support.percentile(values, 0.95) == 19
    assert support.percentile(values, 0.5) == 10
    assert support.percentile([7], 0.95) == 7
