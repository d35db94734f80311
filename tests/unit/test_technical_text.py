"""Tests of wfmon_core/tools/technical_text.py: what counts as a technical value."""

from conftest import load_tool

tt = load_tool("wfmon_core", "technical_text")

KNOWN = frozenset({"sale.order", "amount_total", "in_progress", "retail.low_stock", "label_failed"})


def test_words_pass():
    text = (
        "Credit release applies: the customer is over its credit limit. "
        "Carla (carla@example.com) reported it at FURN_0001 on example.com, 84 h late."
    )
    assert tt.technical_values(text, KNOWN) == []
    assert tt.technical_values("", KNOWN) == []
    assert tt.technical_values(None, KNOWN) == []


def test_known_names_codes_and_states():
    text = "guards action_confirm on sale.order; Total (amount_total) is in_progress"
    assert tt.technical_values(text, KNOWN) == [
        "action_confirm",
        "sale.order",
        "amount_total",
        "in_progress",
    ]
    assert tt.technical_values("Type retail.low_stock: label_failed.", KNOWN) == [
        "retail.low_stock",
        "label_failed",
    ]


def test_a_name_ending_a_sentence_or_a_longer_dotted_word():
    assert tt.technical_values("It runs on sale.order.", KNOWN) == ["sale.order"]
    assert tt.technical_values("See sale.order.whatever now", KNOWN) == ["sale.order"]


def test_method_names_whatever_is_known():
    assert tt.technical_values("call button_validate or _cron_scan", frozenset()) == [
        "button_validate",
        "_cron_scan",
    ]


def test_digests_json_planning_ids_and_database_ids():
    sha1 = "b5fc6153720c6cc555d0f2df357e81042de86bd6"
    sha256 = "a" * 64
    text = f'fp {sha1} and {sha256}; {{"amount": 5}} (D2) (R1, R3) (seed 003) id=42'
    assert tt.technical_values(text) == [
        sha1,
        sha256,
        '{"amount":',
        "(D2)",
        "(R1, R3)",
        "(seed 003)",
        "id=42",
    ]


def test_what_is_not_a_digest_or_a_planning_id():
    # Hex of other lengths, upper-case codes in brackets that are words, plain braces.
    text = "ref abc123, EAN 4006381333931, (SKU), {not json}, (2 items), Level 2 (Finance)"
    assert tt.technical_values(text) == []


def test_any_snake_case_code_when_asked():
    text = "Sign-off Reasons: cash_difference, price_override; code FURN_0001, carla@ex_ample.com"
    assert tt.technical_values(text, KNOWN) == []
    assert tt.technical_values(text, KNOWN, snake_case=True) == [
        "cash_difference",
        "price_override",
    ]
