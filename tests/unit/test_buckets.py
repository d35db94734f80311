"""Tests of wfmon_core/tools/buckets.py: the cuts of the age buckets (and of
any other reporting bands)."""

from datetime import datetime, timedelta

import pytest
from conftest import load_tool

buckets = load_tool("wfmon_core", "buckets")
START = datetime(2026, 11, 23, 10, 0, 0)


@pytest.mark.parametrize(
    ("age", "code"),
    [
        (timedelta(0), "d0_1"),
        (timedelta(hours=23, minutes=59), "d0_1"),
        (timedelta(days=1), "d1_3"),
        (timedelta(days=2, hours=23), "d1_3"),
        (timedelta(days=3), "d3_7"),
        (timedelta(days=6, hours=23), "d3_7"),
        (timedelta(days=7), "d7"),
        (timedelta(days=400), "d7"),
        (timedelta(hours=-2), "d0_1"),  # a clock slightly ahead
    ],
)
def test_age_buckets_lower_bound_included(age, code):
    assert buckets.age_bucket(START, START + age) == code


def test_no_start_no_bucket():
    assert buckets.age_bucket(None, START) is None
    assert buckets.AGE_BUCKETS.classify(None) is None


def test_selection_labels_and_ranges():
    assert buckets.AGE_BUCKETS.selection == [
        ("d0_1", "0–1 d"),
        ("d1_3", "1–3 d"),
        ("d3_7", "3–7 d"),
        ("d7", "> 7 d"),
    ]
    assert buckets.AGE_BUCKETS.range_of("d0_1") == (None, 24)
    assert buckets.AGE_BUCKETS.range_of("d3_7") == (72, 168)
    assert buckets.AGE_BUCKETS.range_of("d7") == (168, None)


def test_bad_definitions_are_refused():
    with pytest.raises(ValueError):
        buckets.Buckets(codes=("a", "b"), labels=("A", "B"), bounds=(1, 2))
    with pytest.raises(ValueError):
        buckets.Buckets(codes=("a", "b", "c"), labels=("A", "B", "C"), bounds=(2, 1))
    with pytest.raises(ValueError):
        buckets.Buckets(codes=("b", "a"), labels=("B", "A"), bounds=(1,))
