"""Tests of wfmon_helpdesk/tools/documents.py (loaded by path, odoo-free)."""

from conftest import load_tool

documents = load_tool("wfmon_helpdesk", "documents")


def test_delivery_order_and_refund_numbers_are_found_in_order():
    text = "Re: order S00042, delivery WH/OUT/00012 is late. Refund RINV/2026/00003?"
    assert documents.document_tokens(text) == ["S00042", "WH/OUT/00012", "RINV/2026/00003"]


def test_words_dates_and_amounts_are_not_numbers():
    assert documents.document_tokens("Hello, it was due 12/11 and cost 45.00 EUR") == []


def test_duplicates_once_and_a_bound_on_the_lookups():
    assert documents.document_tokens("S1 S1 S1") == ["S1"]
    many = " ".join(f"S{i}" for i in range(100))
    assert len(documents.document_tokens(many)) == documents.MAX_TOKENS


def test_empty_text():
    assert documents.document_tokens(None) == []
    assert documents.document_tokens("") == []
