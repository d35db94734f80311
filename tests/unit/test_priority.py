"""Tests of wfmon_core/tools/priority.py (loaded by path, odoo-free)."""

import itertools
import json
import random
from dataclasses import replace

import pytest
from conftest import load_tool

pr = load_tool("wfmon_core", "priority")
PriorityConfig = pr.PriorityConfig
PriorityInput = pr.PriorityInput

TIERS = ("standard", "silver", "gold", "strategic")
ALL = PriorityConfig(
    weights={
        "value": 25,
        "tier": 10,
        "sla": 25,
        "promotion": 10,
        "velocity": 10,
        "severity": 15,
        "recurrence": 5,
    },
    tier_order=TIERS,
)
# The case model's formula before this module: severity_rank * 10 + min(impact,
# 100,000) / 100,000 * 30 + {at_risk: 15, breached: 30} + min(occurrences, 10).
LEGACY = PriorityConfig(weights={"severity": 30, "value": 30, "sla": 30, "recurrence": 10})


def legacy_score(severity, impact, status, occurrences):
    rank = ("low", "medium", "high", "critical").index(severity)
    exposure = {"at_risk": 15, "breached": 30}.get(status, 0)
    return round(
        rank * 10 + min(impact, 100000.0) / 100000.0 * 30 + exposure + min(occurrences, 10), 2
    )


def score(config=ALL, **kw):
    return pr.priority(PriorityInput(**kw), config)


def test_reproduces_the_case_models_former_score():
    for severity, impact, status, occurrences in itertools.product(
        ("low", "medium", "high", "critical"),
        (0, 1, 999.99, 33333.33, 100000, 250000),
        ("on_track", "at_risk", "breached", "paused", "met"),
        (1, 3, 10, 40),
    ):
        got = pr.priority(
            PriorityInput(
                severity=severity, impact_amount=impact, sla_status=status, occurrences=occurrences
            ),
            LEGACY,
        )
        assert got.score == legacy_score(severity, impact, status, occurrences)


def test_contributions_explain_the_score():
    got = score(
        severity="high",
        impact_amount=50000,
        tier="gold",
        sla_ratio=0.75,
        promotion=True,
        velocity=5,
        occurrences=2,
    )
    points = {c.factor: c.points for c in got.contributions}
    # value 25 * 0.5; tier 10 * 2/3; sla 25 * 0.5; promotion 10; velocity 10 * 0.5;
    # severity 15 * 2/3; recurrence 5 * 0.2
    assert points == {
        "value": 12.5,
        "tier": 6.67,
        "sla": 12.5,
        "promotion": 10.0,
        "velocity": 5.0,
        "severity": 10.0,
        "recurrence": 1.0,
    }
    assert got.score == 57.67 == round(sum(points.values()), 2)
    assert [c.factor for c in got.contributions] == list(pr.FACTORS)
    lines = got.explain()
    assert (
        lines[0] == "Value at risk: 50,000.00 (counts fully from 100,000.00) -> 12.50 of 25 points"
    )
    assert "Customer tier: gold (3 of 4) -> 6.67 of 10 points" in lines
    assert "SLA exposure: 75% of the SLA budget used -> 12.50 of 25 points" in lines
    assert lines[-1] == "Recurrence: seen 2 times -> 1.00 of 5 points"
    json.dumps(got.as_dict(), allow_nan=False)


def test_rounded_contributions_always_add_up_to_the_score():
    rng = random.Random(12)
    config = replace(ALL, weights={"value": 1, "tier": 1, "sla": 1, "severity": 1})
    for _ in range(2000):
        got = score(
            config,
            severity=rng.choice(pr.SEVERITY_ORDER),
            impact_amount=rng.uniform(0, 150000),
            tier=rng.choice(TIERS),
            sla_ratio=rng.uniform(0, 2),
        )
        assert round(sum(c.points for c in got.contributions), 2) == got.score


def test_missing_factors_add_nothing_and_keep_their_weight():
    retail = score(severity="high", impact_amount=20000, promotion=True, velocity=10)
    helpdesk = score(severity="high", impact_amount=20000)
    by_factor = {c.factor: c for c in helpdesk.contributions}
    assert not by_factor["promotion"].available and by_factor["promotion"].points == 0
    assert by_factor["promotion"].detail == "not applicable"
    assert by_factor["promotion"].share == 10.0
    assert retail.score == helpdesk.score + 20
    assert score().score == 0
    assert all(not c.available for c in score().contributions)


def test_weights_summing_to_zero_give_zero():
    for weights in ({}, {"value": 0, "severity": 0}):
        got = score(PriorityConfig(weights=weights), severity="critical", impact_amount=1e9)
        assert got.score == 0
        assert {c.points for c in got.contributions} == {0}
        assert {c.share for c in got.contributions} == {0}
        assert got.explain() == ["No priority weights are set: every case scores 0."]


def test_only_the_ratio_of_weights_matters():
    data = {"severity": "medium", "impact_amount": 3000, "sla_ratio": 0.9, "tier": "silver"}
    doubled = replace(ALL, weights={k: 2 * v for k, v in ALL.weights.items()})
    assert score(**data).score == score(doubled, **data).score


def test_bounded_between_0_and_100():
    rng = random.Random(5)
    for _ in range(2000):
        weights = {f: rng.choice([0, 0.5, 1, 7, 100]) for f in pr.FACTORS}
        config = replace(ALL, weights=weights, value_scale=rng.choice(pr.VALUE_SCALES))
        got = score(
            config,
            severity=rng.choice([None, *pr.SEVERITY_ORDER]),
            impact_amount=rng.choice([None, 0, rng.uniform(-1e6, 1e7)]),
            tier=rng.choice([None, *TIERS]),
            sla_ratio=rng.choice([None, rng.uniform(0, 5)]),
            sla_status=rng.choice([None, *pr.SLA_STATUS_LEVELS]),
            promotion=rng.choice([None, True, False, rng.random()]),
            velocity=rng.choice([None, rng.uniform(0, 100)]),
            occurrences=rng.choice([None, rng.randint(0, 50)]),
        )
        assert 0 <= got.score <= 100
    top = score(
        severity="critical",
        impact_amount=1e9,
        tier="strategic",
        sla_status="breached",
        promotion=True,
        velocity=1e6,
        occurrences=99,
    )
    assert top.score == 100


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("impact_amount", [0, 1, 10, 999, 5000, 99999, 100000, 1e9]),
        ("severity", list(pr.SEVERITY_ORDER)),
        ("tier", list(TIERS)),
        ("sla_ratio", [0, 0.3, 0.5, 0.6, 0.99, 1.0, 3.0]),
        ("promotion", [False, 0.2, 0.7, True]),
        ("velocity", [0, 0.5, 3, 10, 50]),
        ("occurrences", [0, 1, 2, 9, 10, 11]),
    ],
)
@pytest.mark.parametrize("scale", pr.VALUE_SCALES)
def test_more_of_a_factor_never_lowers_the_score(field, values, scale):
    rng = random.Random(field)
    config = replace(ALL, value_scale=scale)
    for _ in range(50):
        base = {
            "severity": rng.choice(pr.SEVERITY_ORDER),
            "impact_amount": rng.uniform(0, 200000),
            "tier": rng.choice(TIERS),
            "sla_ratio": rng.uniform(0, 1.5),
            "promotion": rng.random(),
            "velocity": rng.uniform(0, 20),
            "occurrences": rng.randint(0, 20),
        }
        scores = [score(config, **{**base, field: v}).score for v in values]
        assert scores == sorted(scores)


def test_sla_exposure():
    def sla(**kw):
        return next(c for c in score(**kw).contributions if c.factor == "sla")

    assert sla(sla_ratio=0.5).level == 0  # exposure counts from half the budget
    assert sla(sla_ratio=0.75).level == 0.5
    assert sla(sla_ratio=1.4).level == 1
    assert sla(sla_ratio=0.2, sla_status="breached").level == 1
    assert sla(sla_ratio=0.9, sla_status="met").level == 0
    paused = sla(sla_ratio=0.9, sla_status="paused")
    assert paused.level == pytest.approx(0.8) and paused.detail.endswith(", paused")
    assert sla(sla_status="at_risk").level == 0.5  # status alone
    assert sla().detail == "no SLA" and not sla().available
    linear = replace(ALL, sla_exposure_from=0.0)
    got = pr.priority(PriorityInput(sla_ratio=0.3), linear)
    assert got.contributions[2].level == pytest.approx(0.3)


def test_value_scales():
    def level(config, amount):
        got = pr.priority(PriorityInput(impact_amount=amount), config)
        return got.contributions[0].level

    log = replace(ALL, value_scale="log")
    assert level(ALL, 1000) == pytest.approx(0.01)
    assert level(log, 1000) == pytest.approx(0.6, abs=0.001)
    assert level(log, 100000) == 1 == level(log, 1e12)
    assert level(ALL, -50000) == 0.5  # a refund's value at risk is its size


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"severity": "urgent"}, "unknown severity 'urgent'"),
        ({"tier": "platinum"}, "unknown customer tier 'platinum'"),
        ({"sla_status": "late"}, "unknown SLA status 'late'"),
        ({"sla_ratio": -0.1}, "sla_ratio must be >= 0"),
        ({"velocity": -1}, "velocity must be >= 0"),
        ({"promotion": 1.5}, "promotion must be a boolean or a share"),
        ({"occurrences": 2.5}, "occurrences must be an integer"),
        ({"impact_amount": float("nan")}, "impact_amount must be finite"),
        ({"impact_amount": "12"}, "impact_amount must be a number"),
    ],
)
def test_bad_inputs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        score(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": {"margin": 1}}, "unknown priority factor"),
        ({"weights": {"value": -1}}, "weight of value must be >= 0"),
        ({"weights": {"value": True}}, "weight of value must be a number"),
        ({"value_cap": 0}, "value_cap must be > 0"),
        ({"value_scale": "sqrt"}, "value_scale"),
        ({"velocity_cap": 0}, "velocity_cap must be > 0"),
        ({"recurrence_cap": 0}, "recurrence_cap must be >= 1"),
        ({"sla_exposure_from": 1}, "sla_exposure_from"),
        ({"sla_status_levels": {"late": 2}}, "SLA level of late"),
        ({"tier_order": "gold"}, "tier_order"),
        ({"tier_order": ("a", "a")}, "tier_order"),
    ],
)
def test_bad_configs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PriorityConfig(**kwargs)


def test_deterministic():
    data = PriorityInput(severity="high", impact_amount=1234.5, sla_ratio=0.8, velocity=2.5)
    assert pr.priority(data, ALL) == pr.priority(data, ALL)
    assert pr.priority(data, ALL).as_dict() == pr.priority(data, ALL).as_dict()
