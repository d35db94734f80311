"""Tests of wfmon_integration/tools/inbound.py: untrusted header and body values."""

import json

from conftest import load_tool

inbound = load_tool("wfmon_integration", "inbound")


def test_header_bytes_undo_the_wsgi_latin1_reading():
    sent = "msg_é✓".encode()
    assert inbound.header_bytes(sent.decode("latin-1")) == sent
    assert inbound.header_bytes(b"\x00\xff") == b"\x00\xff"
    assert inbound.header_bytes(None) is None


def test_webhook_id_is_stored_as_sent_or_refused():
    assert inbound.webhook_id(b"msg_2Lh8") == "msg_2Lh8"
    assert inbound.webhook_id("msg_é".encode()) == "msg_é"
    assert inbound.webhook_id("i" * 255) == "i" * 255
    for bad in (b"", None, b"i" * 256, b"a\x00b", b"a\x1bb", b"a\x7f", b"\xe9t\xe9", b"a\xc2\x85"):
        assert inbound.webhook_id(bad) is None, bad


def test_printable_escapes_controls_and_cuts():
    assert inbound.printable(b"a\x00b\xff") == "a\\x00b\\xff"
    assert inbound.printable("tab\there") == "tab\\x09here"
    assert inbound.printable("东京") == "东京"
    assert inbound.printable("\ud800") == "\\ud800"
    assert inbound.printable(None) == ""
    cut = inbound.printable("x" * 500, 10)
    assert len(cut) == 10 and cut.endswith("…")
    assert len(inbound.printable(b"\x00" * 500, 10)) == 10


def test_unstorable_text_finds_nul_and_surrogates_anywhere():
    assert inbound.unstorable_text({"a": [1, {"b": "ok"}]}) is None
    assert "NUL" in inbound.unstorable_text(json.loads('{"a": ["x\\u0000"]}'))
    assert "NUL" in inbound.unstorable_text(json.loads('{"k\\u0000": 1}'))
    assert "surrogate" in inbound.unstorable_text(json.loads('[[["\\udc00"]]]'))
    deep = json.loads("[" * 900 + '"\\u0000"' + "]" * 900)
    assert "NUL" in inbound.unstorable_text(deep)


def test_pg_text():
    assert inbound.pg_text("a\x00b") == "a\\x00b"
    assert inbound.pg_text("a\ud800") == "a\\ud800"
    assert inbound.pg_text("plain") == "plain"
    assert inbound.pg_text(False) is False
