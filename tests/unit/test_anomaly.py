"""Tests of wfmon_core/tools/anomaly.py (loaded by path, odoo-free).

Random figures come from ``random.Random(seed)``: every run draws the same
numbers, so the bounds below are checked on fixed samples, not on luck.
"""

import json
import math
import random
import statistics

import pytest
from conftest import load_tool

an = load_tool("wfmon_core", "anomaly")
Policy = an.Policy


def binomial(rng, trials, rate):
    """One draw of Binomial(trials, rate)."""
    return sum(rng.random() < rate for _ in range(trials))


# --- robust statistics ---------------------------------------------------------------------


def test_median_and_mad():
    assert an.median([3, 1, 2]) == 2
    assert an.median([4, 1, 3, 2]) == 2.5
    assert an.mad([1, 2, 3, 4, 100]) == 1
    assert an.mad([1, 2, 3, 4, 100], center=0) == 3
    with pytest.raises(ValueError, match="at least one"):
        an.median([])
    with pytest.raises(ValueError, match="finite"):
        an.median([1, math.nan])
    with pytest.raises(ValueError, match="number"):
        an.mad([1, "2"])


def test_scaled_mad_estimates_a_normal_sigma():
    rng = random.Random(1)
    values = [rng.gauss(50, 4) for _ in range(20000)]
    sigma, method = an.robust_spread(values)
    assert method == "mad"
    assert sigma == pytest.approx(4, rel=0.03)
    assert an.MAD_SCALE == pytest.approx(1 / statistics.NormalDist().inv_cdf(0.75), rel=1e-4)


def test_spread_when_mad_is_zero_uses_the_mean_absolute_deviation():
    # median 5, MAD 0 (three of five equal), mean absolute deviation 6/5
    sigma, method = an.robust_spread([5, 5, 5, 2, 8])
    assert method == "mean_ad"
    assert sigma == pytest.approx(math.sqrt(math.pi / 2) * 6 / 5)


def test_spread_when_all_equal_is_none_unless_floored():
    assert an.robust_spread([7, 7, 7]) == (0.0, "none")
    assert an.robust_spread([7, 7, 7], min_spread=0.5) == (0.5, "floor")
    # a floor below the real spread changes nothing
    assert an.robust_spread([1, 2, 3, 4, 5], min_spread=0.1)[1] == "mad"
    with pytest.raises(ValueError, match="min_spread"):
        an.robust_spread([1, 2], min_spread=-1)


def test_robust_z():
    assert an.robust_z(13, 10, 1.5) == 2
    assert an.robust_z(10, 10, 0) == 0
    assert an.robust_z(11, 10, 0) is None
    with pytest.raises(ValueError, match="sigma"):
        an.robust_z(1, 0, -1)


@pytest.mark.parametrize(
    ("events", "trials", "low", "high"),
    [
        (1, 2, 0.0945, 0.9055),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (30, 200, 0.1072, 0.2061),
    ],
)
def test_wilson_interval_known_values(events, trials, low, high):
    got = an.wilson_interval(events, trials)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_wilson_interval_edges_and_errors():
    assert an.wilson_interval(0, 0) == (0.0, 1.0)
    narrow = an.wilson_interval(1, 2, confidence=0.5)
    assert narrow[0] > 0.0945 and narrow[1] < 0.9055
    with pytest.raises(ValueError, match="3 events out of 2"):
        an.wilson_interval(3, 2)
    with pytest.raises(ValueError, match="confidence"):
        an.wilson_interval(1, 2, confidence=1)


def brute_tail(k, n, p, upper):
    terms = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    return math.fsum(terms[k:]) if upper else math.fsum(terms[: k + 1])


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [(0, 10, 0.3), (3, 10, 0.3), (8, 10, 0.3), (10, 10, 0.3), (30, 200, 0.05), (2, 200, 0.05)],
)
def test_binomial_tail_matches_the_definition(k, n, p):
    for upper in (True, False):
        assert an.binomial_tail(k, n, p, upper) == pytest.approx(brute_tail(k, n, p, upper))


def test_binomial_tail_edges():
    assert an.binomial_tail(0, 5, 0.0) == 1.0
    assert an.binomial_tail(1, 5, 0.0) == 0.0
    assert an.binomial_tail(5, 5, 1.0) == 1.0
    assert an.binomial_tail(5, 5, 1.0, upper=False) == 1.0
    assert an.binomial_tail(4, 5, 1.0, upper=False) == 0.0
    # far in the tail of a large sample: tiny, never negative, quickly computed
    assert 0 <= an.binomial_tail(3000, 5000, 0.05) < 1e-300
    with pytest.raises(ValueError, match="rate"):
        an.binomial_tail(1, 5, 1.5)


# --- values ----------------------------------------------------------------------------------


def test_planted_outlier_among_normal_values_is_the_only_one_flagged():
    rng = random.Random(7)
    figures = {f"S{i:02d}": (rng.gauss(100, 10), 50) for i in range(40)}
    figures["S40"] = (200.0, 50)
    findings = an.scan_values(
        figures,
        metric="adjustment_value",
        metric_label="adjusted value",
        unit="EUR",
        window="the last 28 days",
        labels={"S40": "Store 40"},
    )
    assert [f.subject for f in an.outliers(findings)] == ["S40"]
    s40 = findings[-1]
    assert s40.status == "outlier" and s40.flagged
    assert s40.peer_count == 40 and s40.sample_size == 50
    assert s40.peer_median == pytest.approx(an.median(v for v, _n in list(figures.values())[:40]))
    assert s40.score > 8
    assert s40.sentence.startswith("Store 40: adjusted value 200.00 EUR (sample 50) over the last")
    assert "the median of 40 peers is" in s40.sentence and s40.sentence.endswith("unusual.")
    assert findings[0].status == "normal" and findings[0].sentence.endswith("normal range.")


def test_robust_scores_do_not_mask_several_outliers():
    rng = random.Random(3)
    normal = [rng.gauss(20, 2) for _ in range(30)]
    planted = [60.0, 62.0, 65.0, 70.0]
    figures = {i: (v, 40) for i, v in enumerate(normal + planted)}
    flagged = {f.subject for f in an.outliers(an.scan_values(figures, metric="x"))}
    assert flagged == {30, 31, 32, 33}
    # the classic mean / standard deviation z-score misses some of them: they inflate it
    values = normal + planted
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    assert min((v - mean) / sd for v in planted) < 3


@pytest.mark.parametrize(
    ("draw", "bound"),
    [
        (lambda rng: rng.gauss(0, 1), 0.005),
        (lambda rng: rng.uniform(0, 1), 0.0005),
        # a skewed positive amount is scored on its logarithm (see the module docstring)
        (lambda rng: math.log(rng.lognormvariate(0, 0.5)), 0.005),
    ],
    ids=["normal", "uniform", "log-of-lognormal"],
)
def test_false_positive_rate_is_bounded(draw, bound):
    rng = random.Random(11)
    judged = flagged = 0
    for _group in range(200):
        figures = {i: (draw(rng), 50) for i in range(40)}
        findings = an.scan_values(figures, metric="x", policy=Policy(direction="both"))
        judged += len(findings)
        flagged += sum(f.flagged for f in findings)
    assert judged == 8000
    assert flagged / judged <= bound


def test_values_when_mad_is_zero_or_all_peers_equal():
    peers = {f"p{i}": (10.0, 40) for i in range(8)}
    same = an.scan_values({**peers, "x": (10.0, 40)}, metric="m")[-1]
    assert (same.status, same.score, same.spread_method) == ("normal", 0.0, "none")
    other = an.scan_values({**peers, "x": (12.0, 40)}, metric="m")[-1]
    assert (other.status, other.score, other.flagged) == ("no_spread", None, False)
    assert "all peers are equal" in other.sentence
    floored = an.scan_values({**peers, "x": (12.0, 40)}, metric="m", policy=Policy(min_spread=0.5))
    assert (floored[-1].status, floored[-1].score, floored[-1].sigma) == ("outlier", 4.0, 0.5)
    # more than half equal: MAD 0, the mean absolute deviation gives the scale
    mixed = {**peers, "p8": (11.0, 40), "p9": (9.0, 40), "x": (30.0, 40)}
    found = an.scan_values(mixed, metric="m")[-1]
    assert found.spread_method == "mean_ad" and found.peer_mad == 0 and found.flagged


def test_minimum_sample_sizes_for_subjects_and_peers():
    figures = {f"p{i}": (100.0 + i, 40) for i in range(6)}
    figures["noisy peer"] = (5000.0, 3)
    figures["x"] = (900.0, 12)
    findings = {f.subject: f for f in an.scan_values(figures, metric="m")}
    assert findings["x"].status == "few_samples" and not findings["x"].flagged
    assert "a sample of at least 30 is needed" in findings["x"].sentence
    assert findings["noisy peer"].status == "few_samples"
    # the small-sample peers are left out of every yardstick, and counted as such
    p0 = findings["p0"]
    assert (p0.peer_count, p0.peers_excluded) == (5, 2)
    assert p0.peer_median == 103.0


def test_too_few_peers():
    figures = {f"p{i}": (float(i), 40) for i in range(4)}
    findings = an.scan_values({**figures, "x": (99.0, 40)}, metric="m")
    assert {f.status for f in findings} == {"few_peers"}
    assert "4 comparable peer(s), at least 5 needed" in findings[-1].sentence
    assert an.scan_values({**figures, "x": (99.0, 40)}, metric="m", policy=Policy(min_peers=4))[
        -1
    ].flagged


def test_direction():
    rng = random.Random(5)
    figures = {i: (rng.gauss(50, 2), 40) for i in range(20)}
    figures["low"], figures["high"] = (10.0, 40), (90.0, 40)

    def flagged(direction):
        found = an.scan_values(figures, metric="m", policy=Policy(direction=direction))
        return {f.subject for f in found if f.flagged}

    assert flagged("high") == {"high"}
    assert flagged("low") == {"low"}
    assert flagged("both") == {"low", "high"}


def test_peer_groups_compare_like_with_like():
    rng = random.Random(9)
    figures, groups = {}, {}
    for i in range(15):
        figures[f"flagship{i}"] = (rng.gauss(1000, 50), 100)
        groups[f"flagship{i}"] = "flagship"
        figures[f"outlet{i}"] = (rng.gauss(100, 5), 100)
        groups[f"outlet{i}"] = "outlet"
    # an ordinary flagship store; across all stores it would look odd to nobody,
    # but an outlet at flagship level is unusual among outlets
    figures["odd outlet"], groups["odd outlet"] = (900.0, 100), "outlet"
    findings = an.scan_values(figures, metric="m", groups=groups)
    assert [f.subject for f in an.outliers(findings)] == ["odd outlet"]
    assert {f.peer_count for f in findings if f.subject.startswith("flagship")} == {14}
    assert next(f for f in findings if f.subject == "odd outlet").peer_count == 15


def test_scan_equals_leave_one_out_by_the_definition():
    rng = random.Random(21)
    figures = {i: (round(rng.gauss(10, 3), 1), rng.choice([5, 40, 60])) for i in range(60)}
    figures.update({60: (10.0, 40), 61: (10.0, 40), 62: (31.0, 40)})  # ties and an outlier
    policy = Policy(min_sample=30)
    for found in an.scan_values(figures, metric="m", policy=policy):
        if found.status == "few_samples":
            continue
        peers = [v for k, (v, n) in figures.items() if k != found.subject and n >= 30]
        center = an.median(peers)
        sigma, method = an.robust_spread(peers, center)
        assert found.peer_median == center
        assert found.peer_mad == an.mad(peers, center)
        assert (found.sigma, found.spread_method) == (pytest.approx(sigma), method)
        assert found.score == pytest.approx(an.robust_z(figures[found.subject][0], center, sigma))
        single = an.judge_value(
            found.subject,
            *figures[found.subject],
            [f for k, f in figures.items() if k != found.subject],
            metric="m",
            policy=policy,
        )
        assert single.as_dict() == found.as_dict()


def test_findings_do_not_depend_on_input_order():
    rng = random.Random(4)
    figures = {i: (rng.gauss(0, 1), 40) for i in range(25)}
    figures[25] = (9.0, 40)
    forward = {f.subject: f.as_dict() for f in an.scan_values(figures, metric="m")}
    backward_figures = dict(reversed(list(figures.items())))
    backward = {f.subject: f.as_dict() for f in an.scan_values(backward_figures, metric="m")}
    assert forward == backward
    assert [f.subject for f in an.scan_values(backward_figures, metric="m")] == list(
        backward_figures
    )


# --- rates -----------------------------------------------------------------------------------


def test_two_sales_one_refund_is_never_flagged():
    rng = random.Random(2)
    figures = {f"c{i}": (binomial(rng, 200, 0.05), 200) for i in range(20)}
    figures["new cashier"] = (1, 2)
    found = an.scan_rates(figures, metric="refund_rate", metric_label="refund rate")[-1]
    assert (found.status, found.flagged) == ("few_samples", False)
    assert found.value == 0.5 and found.events == 1 and found.sample_size == 2
    assert (found.wilson_low, found.wilson_high) == pytest.approx((0.0945, 0.9055), abs=1e-4)
    assert found.sentence == (
        "new cashier: refund rate 50.0% (1 of 2); not judged: a sample of at least 30 is needed."
    )


def test_high_refund_rate_is_flagged_with_its_evidence():
    rng = random.Random(2)
    figures = {f"c{i}": (binomial(rng, 200, 0.05), 200) for i in range(20)}
    figures["Eve"] = (30, 200)
    findings = an.scan_rates(figures, metric="refund_rate", metric_label="refund rate")
    assert [f.subject for f in an.outliers(findings)] == ["Eve"]
    eve = findings[-1]
    assert eve.is_rate and eve.events == 30 and eve.value == 0.15
    assert eve.reference_rate == pytest.approx(0.05, abs=0.01)
    assert eve.p_value < eve.threshold and eve.p_value < Policy().alpha
    assert eve.wilson_low > eve.peer_median
    assert "30 or more of 200 at the peers'" in eve.sentence and eve.sentence.endswith("unusual.")
    data = eve.as_dict()
    for key in ("subject", "metric", "value", "peer_median", "peer_mad", "score", "threshold"):
        assert data[key] is not None
    assert (data["sample_size"], data["peer_count"]) == (200, 20)
    json.dumps(data, allow_nan=False)


def test_an_extreme_peer_neither_sets_the_reference_nor_hides_the_subject():
    rng = random.Random(2)
    figures = {f"c{i}": (binomial(rng, 200, 0.05), 200) for i in range(20)}
    # a peer with a huge sample at 60 % would drag a plain pooled rate to about 40 %
    figures["huge"] = (3000, 5000)
    figures["Eve"] = (30, 200)
    findings = {f.subject: f for f in an.scan_rates(figures, metric="r")}
    assert findings["Eve"].flagged and findings["huge"].flagged
    assert findings["Eve"].reference_rate < 0.07


def test_sparse_counts_at_a_median_of_zero():
    # nine cashiers without a refund in 100 sales: median, MAD and mean deviation are 0
    figures = {f"c{i}": (0, 100) for i in range(9)}
    two = an.scan_rates({**figures, "x": (2, 30)}, metric="r")[-1]
    assert two.spread_method == "binomial" and two.score > 3.5
    assert (two.status, two.flagged) == ("few_events", False)
    assert "fewer than 3 events" in two.sentence
    three = an.scan_rates({**figures, "x": (3, 30)}, metric="r")[-1]
    assert three.status == "outlier" and three.p_value < 1e-5


def test_a_score_past_the_threshold_can_still_be_sampling_error():
    # peers all at exactly 10 %: the spread is the binomial error of the subject's
    # own rate; 8 of 30 scores past 3 but happens once in 130 at 10 %
    figures = {f"c{i}": (20, 200) for i in range(8)}
    found = an.scan_rates({**figures, "x": (8, 30)}, metric="r", policy=Policy(threshold=3.0))[-1]
    assert found.score >= 3.0
    assert found.status == "not_significant" and not found.flagged
    assert Policy(threshold=3.0).alpha < found.p_value
    assert found.p_value == pytest.approx(brute_tail(8, 30, found.reference_rate, upper=True))
    assert found.sentence.endswith("chance 1 in 130: within sampling error.")


@pytest.mark.parametrize(
    ("rate", "low", "high", "bound"),
    [(0.05, 30, 300, 0.002), (0.01, 30, 100, 0.002), (0.3, 30, 60, 0.002)],
    ids=["5%", "1%-sparse", "30%"],
)
def test_rate_false_positive_rate_is_bounded(rate, low, high, bound):
    rng = random.Random(17)
    judged = flagged = 0
    for _group in range(100):
        figures = {}
        for i in range(40):
            trials = rng.randint(low, high)
            figures[i] = (binomial(rng, trials, rate), trials)
        findings = an.scan_rates(figures, metric="r", policy=Policy(direction="both"))
        judged += sum(f.status != "few_samples" for f in findings)
        flagged += sum(f.flagged for f in findings)
    assert judged == 4000
    assert flagged / judged <= bound


def test_low_rates_are_flagged_only_when_watched():
    rng = random.Random(8)
    figures = {f"c{i}": (binomial(rng, 300, 0.2), 300) for i in range(15)}
    figures["x"] = (3, 300)  # 1 % against about 20 %
    assert not an.scan_rates(figures, metric="r")[-1].flagged
    low = an.scan_rates(figures, metric="r", policy=Policy(direction="low"))[-1]
    assert low.flagged and low.score < -3.5
    assert "3 or fewer of 300" in low.sentence


def test_judge_rate_is_one_subject_of_a_scan():
    peers = [(10, 200), (12, 210), (9, 190), (11, 205), (8, 180)]
    single = an.judge_rate("x", 40, 200, peers, metric="r", subject_label="Eve")
    figures = {"x": (40, 200), **{("peer", i): figure for i, figure in enumerate(peers)}}
    scanned = an.scan_rates(figures, metric="r", labels={"x": "Eve"})[0]
    assert single.as_dict() == scanned.as_dict()
    assert single.flagged and single.sentence.startswith("Eve: r 20.0% (40 of 200)")


# --- input checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"a": (3, 2)}, "3 events out of 2 trials"),
        ({"a": (-1, 2)}, "events must be an integer >= 0"),
        ({"a": (1.5, 2)}, "events must be an integer"),
        ({"a": (True, 2)}, "events must be an integer"),
    ],
)
def test_bad_rates_are_refused(figures, message):
    with pytest.raises(ValueError, match=message):
        an.scan_rates(figures, metric="r")


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"a": (math.inf, 2)}, "finite"),
        ({"a": ("12", 2)}, "number"),
        ({"a": (1.0, -2)}, "sample must be an integer >= 0"),
    ],
)
def test_bad_values_are_refused(figures, message):
    with pytest.raises(ValueError, match=message):
        an.scan_values(figures, metric="v")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": -1}, "threshold"),
        ({"min_sample": 2.5}, "min_sample"),
        ({"min_peers": -1}, "min_peers"),
        ({"direction": "up"}, "direction"),
        ({"min_spread": math.nan}, "min_spread"),
        ({"confidence": 0}, "confidence"),
    ],
)
def test_bad_policies_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Policy(**kwargs)


def test_policy_alpha_is_the_tail_of_the_threshold():
    assert Policy().alpha == pytest.approx(2.326e-4, rel=1e-3)
    assert Policy(threshold=3).alpha == pytest.approx(1.35e-3, rel=1e-2)


def test_outliers_are_sorted_by_strength():
    rng = random.Random(6)
    figures = {i: (rng.gauss(0, 1), 40) for i in range(30)}
    figures.update({"mild": (6.0, 40), "strong": (-20.0, 40), "middle": (10.0, 40)})
    found = an.outliers(an.scan_values(figures, metric="m", policy=Policy(direction="both")))
    assert [f.subject for f in found] == ["strong", "middle", "mild"]
