"""Tests of wfmon_integration/tools/signing.py against the standardwebhooks library."""

import base64
import json
import time

import pytest
from conftest import load_tool

signing = load_tool("wfmon_integration", "signing")

standardwebhooks = pytest.importorskip("standardwebhooks")


def test_generated_secret_format():
    secret = signing.generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[6:])) == 32
    assert secret != signing.generate_secret()


def test_signature_verifies_with_reference_library():
    secret = signing.generate_secret()
    body = json.dumps({"type": "case.opened", "data": {"id": 1, "name": "é"}})
    now = int(time.time())
    headers = signing.build_headers([secret], "evt_abc", now, body)
    payload = standardwebhooks.Webhook(secret).verify(body, headers)
    assert payload["type"] == "case.opened"


def test_known_vector():
    # Vector from the Standard Webhooks reference tests.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'
    sig = signing.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_rotation_signs_with_both_and_each_verifies():
    old, new = signing.generate_secret(), signing.generate_secret()
    body = b'{"a":1}'
    now = int(time.time())
    headers = signing.build_headers([new, old], "evt_1", now, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        standardwebhooks.Webhook(secret).verify(body, headers)
    assert signing.verify([old], headers, body, now) == "evt_1"


def test_custom_headers_cannot_override_signature():
    secret = signing.generate_secret()
    headers = signing.build_headers(
        [secret],
        "evt_1",
        1,
        "{}",
        extra={"webhook-signature": "v1,forged", "Content-Type": "text/plain", "X-Api": "k"},
    )
    assert headers["X-Api"] == "k"
    assert headers["Content-Type"] == "application/json"
    assert headers["webhook-signature"] != "v1,forged"


def _signed(secret, ts, body=b'{"type":"x"}'):
    return signing.build_headers([secret], "msg_1", ts, body), body


def test_verify_accepts_inside_window_and_rejects_stale():
    secret = signing.generate_secret()
    now = 1_800_000_000
    headers, body = _signed(secret, now - 299)
    assert signing.verify([secret], headers, body, now) == "msg_1"
    headers, body = _signed(secret, now - 301)
    with pytest.raises(signing.VerificationError) as err:
        signing.verify([secret], headers, body, now)
    assert err.value.reason == "stale"
    headers, body = _signed(secret, now + 301)
    with pytest.raises(signing.VerificationError):
        signing.verify([secret], headers, body, now)


@pytest.mark.parametrize(
    "mutate,reason",
    [
        (lambda h, b: (h, b + b" "), "bad_signature"),
        (lambda h, b: ({**h, "webhook-id": "msg_2"}, b), "bad_signature"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "webhook-id"}, b), "missing_headers"),
        (lambda h, b: ({**h, "webhook-timestamp": "soon"}, b), "bad_timestamp"),
        (lambda h, b: ({**h, "webhook-signature": "v2,abc v1,!!!"}, b), "bad_signature"),
    ],
)
def test_verify_rejects_tampering(mutate, reason):
    secret = signing.generate_secret()
    now = 1_800_000_000
    headers, body = _signed(secret, now)
    headers, body = mutate(headers, body)
    with pytest.raises(signing.VerificationError) as err:
        signing.verify([secret], headers, body, now)
    assert err.value.reason == reason


def test_verify_fails_closed_without_secret():
    secret = signing.generate_secret()
    headers, body = _signed(secret, 10)
    for empty in ([], [None], [""], None):
        with pytest.raises(signing.VerificationError) as err:
            signing.verify(empty, headers, body, 10)
        assert err.value.reason == "no_secret"


def test_verify_headers_case_insensitive_and_wrong_secret():
    secret = signing.generate_secret()
    headers, body = _signed(secret, 10)
    upper = {k.upper(): v for k, v in headers.items()}
    assert signing.verify([secret], upper, body, 10) == "msg_1"
    with pytest.raises(signing.VerificationError):
        signing.verify([signing.generate_secret()], headers, body, 10)


def test_secret_key_rejects_empty():
    with pytest.raises(ValueError):
        signing.secret_key("")
    with pytest.raises(ValueError):
        signing.secret_key("whsec_")
