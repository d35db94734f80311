"""Tests of wfmon_retail's price, refund and cash policies (loaded by path, odoo-free)."""

import math
from datetime import date, datetime

import pytest
from conftest import load_tool

price = load_tool("wfmon_retail", "retail_pos_price")
refund = load_tool("wfmon_retail", "retail_pos_refund")
cash = load_tool("wfmon_retail", "retail_pos_cash")


# --- price overrides and discounts ---------------------------------------------------------


def test_a_line_at_the_list_price_is_within_policy():
    verdict = price.judge_line(100, 0, 3, 100, price.PriceLimits(max_discount=10))
    assert not verdict.flagged
    assert verdict.kinds == ()
    assert verdict.effective == 100
    assert verdict.deviation == 0


def test_a_discount_above_the_store_limit_is_flagged_with_what_it_gave_away():
    verdict = price.judge_line(100, 25, 2, 100, price.PriceLimits(max_discount=10))
    assert verdict.kinds == ("discount",)
    assert verdict.effective == 75
    assert verdict.deviation == 25
    assert verdict.amount == 50


def test_a_discount_at_the_limit_passes():
    assert not price.judge_line(100, 10, 1, 100, price.PriceLimits(max_discount=10)).flagged


def test_a_price_below_the_pricelist_is_an_override():
    verdict = price.judge_line(60, 0, 1, 100, price.PriceLimits(price_tolerance=2))
    assert verdict.kinds == ("price",)
    assert verdict.amount == 40


def test_override_within_the_tolerance_passes_and_both_findings_can_hold():
    limits = price.PriceLimits(max_discount=10, price_tolerance=5)
    assert not price.judge_line(96, 0, 1, 100, limits).flagged
    both = price.judge_line(80, 20, 1, 100, limits)
    assert both.kinds == ("discount", "price")
    assert both.amount == pytest.approx(36)


def test_refunds_free_lines_and_small_amounts_are_not_judged():
    limits = price.PriceLimits(max_discount=0, min_amount=5)
    assert not price.judge_line(100, 50, -1, 100, limits).flagged
    assert not price.judge_line(0, 0, 1, 0, limits).flagged
    small = price.judge_line(98, 0, 1, 100, limits)
    assert not small.flagged and small.amount == 2
    assert price.judge_line(90, 0, 1, 100, limits).flagged


def test_a_price_above_the_list_is_no_override():
    verdict = price.judge_line(120, 0, 1, 100, price.PriceLimits())
    assert not verdict.flagged
    assert verdict.deviation == -20


@pytest.mark.parametrize("bad", [math.nan, math.inf, "10", None, True])
def test_bad_figures_are_refused(bad):
    with pytest.raises(ValueError):
        price.judge_line(bad, 0, 1, 100, price.PriceLimits())


@pytest.mark.parametrize(
    "limits", [{"max_discount": 120}, {"price_tolerance": -1}, {"min_amount": -1}]
)
def test_bad_limits_are_refused(limits):
    with pytest.raises(ValueError):
        price.PriceLimits(**limits)


def test_list_price_changes():
    assert price.list_price_change(100, 70) == -30
    assert price.list_price_change(100, 150) == 50
    assert price.list_price_change(0, 10) == 100
    assert price.list_price_change(0, 0) == 0
    changes = {1: (100, 70), 2: (100, 95), 3: (50, 80), 4: (10, 10)}
    assert price.bulk_change_beyond(changes, 20) == {1: -30, 3: 60}
    assert price.bulk_change_beyond(changes, 100) == {}
    with pytest.raises(ValueError):
        price.bulk_change_beyond(changes, -1)


# --- returns and refunds -------------------------------------------------------------------


def test_a_return_within_window_and_quantity_is_valid():
    line = refund.ReturnLine(origin=7, qty=-2, sold=3, returned_before=1, sold_on=date(2026, 3, 1))
    verdict = refund.judge_return([line], date(2026, 3, 20), 30)
    assert verdict.valid
    assert verdict.codes == ()


def test_a_return_without_an_original_sale():
    verdict = refund.judge_return([refund.ReturnLine(origin=None, qty=1)], date(2026, 3, 1), 30)
    assert verdict.codes == ("no_origin",)
    assert "without an original sale" in verdict.sentences()[0]


def test_a_return_after_the_window():
    line = refund.ReturnLine(origin=7, qty=1, sold=1, sold_on=datetime(2026, 1, 1, 18, 0))
    verdict = refund.judge_return([line], datetime(2026, 2, 5, 9, 0), 30, labels={7: "Chair"})
    assert verdict.codes == ("outside_window",)
    assert verdict.sentences() == [
        "Chair: returned 35 days after the sale; the return window is 30 days."
    ]
    # the last day of the window is still inside; no window means any day
    assert refund.judge_return([line], date(2026, 1, 31), 30).valid
    assert refund.judge_return([line], date(2027, 1, 1), 0).valid


def test_more_returned_than_sold_adds_up_lines_of_the_same_origin():
    lines = [
        refund.ReturnLine(origin=7, qty=-2, sold=3, returned_before=0, sold_on=date(2026, 3, 1)),
        refund.ReturnLine(origin=7, qty=-2, sold=3, returned_before=0, sold_on=date(2026, 3, 1)),
    ]
    verdict = refund.judge_return(lines, date(2026, 3, 2), 30, labels={7: "Lamp"})
    assert verdict.codes == ("over_return",)
    assert verdict.sentences() == ["Lamp: 4 returned now and 0 before, but only 3 sold."]
    previous = refund.ReturnLine(origin=7, qty=1, sold=3, returned_before=2.5)
    assert refund.judge_return([previous], date(2026, 3, 2), 30).codes == ("over_return",)


def test_several_problems_are_all_reported_in_a_stable_order():
    lines = [
        refund.ReturnLine(origin=1, qty=5, sold=1, sold_on=date(2025, 1, 1)),
        refund.ReturnLine(origin=None, qty=1),
    ]
    verdict = refund.judge_return(lines, date(2026, 1, 1), 30)
    assert verdict.codes == ("no_origin", "outside_window", "over_return")
    assert len(verdict.problems) == 3


@pytest.mark.parametrize("window", [-1, 1.5, True, None])
def test_bad_windows_are_refused(window):
    with pytest.raises(ValueError):
        refund.judge_return([], date(2026, 1, 1), window)


def test_bad_dates_and_quantities_are_refused():
    with pytest.raises(ValueError):
        refund.judge_return([], "2026-01-01", 30)
    with pytest.raises(ValueError):
        refund.judge_return(
            [refund.ReturnLine(origin=1, qty=math.nan, sold=1)], date(2026, 1, 1), 30
        )


# --- cash differences ----------------------------------------------------------------------


def test_the_store_tolerance_comes_first_then_odoo_then_the_company():
    assert cash.tolerance(store=20, pos_limit=5, company=50) == (20, "store")
    assert cash.tolerance(store=0, pos_limit=5, company=50) == (5, "pos")
    assert cash.tolerance(store=0, pos_limit=None, company=50) == (50, "company")
    assert cash.tolerance() == (0, "company")


def test_a_difference_within_tolerance_passes_either_way():
    assert not cash.judge_cash(-9.99, company=10).exceeded
    assert not cash.judge_cash(10, company=10).exceeded
    assert not cash.judge_cash(0.004, company=0).exceeded


def test_a_difference_above_tolerance_is_graded_by_its_ratio():
    short = cash.judge_cash(-25, pos_limit=10)
    assert short.exceeded and short.source == "pos" and short.ratio == 2.5
    assert short.severity == "medium"
    assert cash.judge_cash(35, company=10).severity == "high"
    assert cash.judge_cash(-150, company=10).severity == "critical"
    zero = cash.judge_cash(-1, company=0)
    assert zero.exceeded and zero.ratio == math.inf and zero.severity == "critical"


@pytest.mark.parametrize("bad", [math.nan, "5", None])
def test_bad_cash_figures_are_refused(bad):
    with pytest.raises(ValueError):
        cash.judge_cash(bad)
