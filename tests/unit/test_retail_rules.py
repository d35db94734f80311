"""wfmon_retail/tools/retail_rules.py: the retail decisions (no odoo)."""

import pytest
from conftest import load_tool

rules = load_tool("wfmon_retail", "retail_rules")


def test_velocity_and_cover():
    assert rules.velocity(42, 14) == 3.0
    assert rules.velocity(5, 0) == 0.0
    assert rules.velocity(-3, 7) == 0.0
    assert rules.days_of_cover(9, 3.0) == 3.0
    assert rules.days_of_cover(-2, 3.0) == 0.0
    assert rules.days_of_cover(9, 0.0) is None


def test_low_stock_is_raised_by_promotion_velocity_and_stockout():
    assert rules.low_stock(10, 10, True, 50, 3) is None
    assert rules.low_stock(4, 10, False, 0.5, 3) == rules.Finding(0, ())
    found = rules.low_stock(4, 10, True, 6, 3)
    assert found.raises == 2
    assert found.reasons == ("promotion", "fast_mover")
    assert rules.low_stock(0, 10, True, 6, 3).reasons == ("promotion", "fast_mover", "stockout")
    # No fast-mover threshold: velocity never raises.
    assert rules.low_stock(4, 10, False, 100, 0).raises == 0


@pytest.mark.parametrize(
    "lead, limit, expected",
    [(10, 7, True), (7, 7, False), (3, 7, False), (None, 7, False), (30, 0, False)],
)
def test_lead_time_policy(lead, limit, expected):
    assert rules.lead_time_exceeded(lead, limit) is expected


def test_vendor_late_escalates_by_tier_and_cover():
    assert rules.vendor_late("standard", None, 3).raises == 0
    assert rules.vendor_late("strategic", 10, 3).reasons == ("strategic_vendor",)
    assert rules.vendor_late(None, 2, 3).reasons == ("stockout_risk",)
    assert rules.vendor_late("strategic", 0, 3).raises == 3
    assert rules.vendor_late(None, 1, 0).raises == 0


def test_thresholds():
    assert rules.over_threshold(-600, 500)
    assert not rules.over_threshold(500, 500)
    assert not rules.over_threshold(10**9, 0)
    assert rules.transfer_threshold(1000, 400) == 400
    assert rules.transfer_threshold(0, 400) == 400
    assert rules.transfer_threshold(0, 0) == 0.0
