"""Tests of wfmon_integration/tools/signing.py against the standardwebhooks library."""

import base64
import json
import time

import pytest
from conftest import load_tool
from freezegun import freeze_time

signing = load_tool("wfmon_integration", "signing")

standardwebhooks = pytest.importorskip("standardwebhooks")


def test_generated_secret_format():
    secret = signing.generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[6:])) == 32
    assert secret != signing.generate_secret()


@freeze_time("2026-11-23 10:00:00")  # the reference library checks against the clock
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


@freeze_time("2026-11-23 10:00:00")
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


@pytest.mark.parametrize("written", ["0{ts}", "+{ts}", " {ts}", "{ts} ", "{ts}.0", "1_{ts}", "١٢٣"])
def test_verify_refuses_a_timestamp_not_written_as_signed(written):
    """int() reads "0042", "+42" or Arabic-Indic digits as 42, but the sender
    signed the header as written: only canonical decimal seconds are read."""
    secret = signing.generate_secret()
    now = 1_800_000_000
    headers, body = _signed(secret, now)
    headers["webhook-timestamp"] = written.format(ts=now)
    with pytest.raises(signing.VerificationError) as err:
        signing.verify([secret], headers, body, now)
    assert err.value.reason == "bad_timestamp"


def test_verify_refuses_non_canonical_base64():
    """The last character before "=" carries two unused bits: four spellings
    decode to the same digest, only the canonical one is the signature."""
    secret = signing.generate_secret()
    now = 1_800_000_000
    headers, body = _signed(secret, now)
    value = headers["webhook-signature"]
    assert value.endswith("=")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(value[-2])
    twin = value[:-2] + alphabet[last ^ 1] + "="
    assert base64.b64decode(twin[3:]) == base64.b64decode(value[3:])
    headers["webhook-signature"] = twin
    with pytest.raises(signing.VerificationError) as err:
        signing.verify([secret], headers, body, now)
    assert err.value.reason == "bad_signature"


def test_verify_checks_a_byte_id_as_received():
    """A receiver passes the id's bytes: a UTF-8 id verifies exactly, its
    latin-1 reading does not."""
    secret = signing.generate_secret()
    now = 1_800_000_000
    body = b'{"type":"x"}'
    msg_id = "msg_é✓"
    headers = signing.build_headers([secret], msg_id, now, body)
    as_received = {**headers, "webhook-id": msg_id.encode("utf-8")}
    assert signing.verify([secret], as_received, body, now) == msg_id.encode("utf-8")
    mojibake = {**headers, "webhook-id": msg_id.encode("utf-8").decode("latin-1")}
    with pytest.raises(signing.VerificationError):
        signing.verify([secret], mojibake, body, now)
