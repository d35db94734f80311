"""Tests of wfmon_approvals/tools/approval_matrix.py (policy selection, routing,
level outcome, snapshots). Loaded by path; never imports odoo."""

from datetime import date

import pytest
from conftest import load_tool

am = load_tool("wfmon_approvals", "approval_matrix")

PO = {"model": "purchase.order", "action": "button_confirm"}


def policy(key, name, **kw):
    return am.PolicySpec(key=key, name=name, **{**PO, **kw})


def facts(**kw):
    return am.DocumentFacts(**{**PO, **kw})


def test_no_policy_matches_other_model():
    sel = am.select_policy([policy(1, "P")], am.DocumentFacts(model="x", action="y"))
    assert sel.policy is None
    assert sel.explanation == "no approval policy matches"


def test_amount_band_is_half_open_and_zero_max_is_unbounded():
    assert am.in_band(1000, 1000, 5000)
    assert not am.in_band(5000, 1000, 5000)
    assert not am.in_band(999.99, 1000, 0)
    assert am.in_band(10**9, 1000, 0)


def test_most_specific_wins_site_over_company_over_global():
    generic = policy(1, "Global", min_amount=1000)
    company = policy(2, "Company", company_id=1, min_amount=1000)
    store = policy(3, "Store S01", site_id=7, min_amount=1000, sequence=99)
    doc = facts(amount=1200, company_id=1, site_id=7, site_label="S01")
    sel = am.select_policy([generic, company, store], doc)
    assert sel.policy.key == 3
    assert sel.explanation == (
        "Store S01 applies: the document is at S01 and the amount, 1,200.00, is from "
        "1,000.00 up; it is the most specific of 3 matching policies (next: Company)."
    )
    for code in ("specificity", "guards", "site_id", "[", "'"):
        assert code not in sel.explanation
    # another store: the company policy wins
    sel = am.select_policy([generic, company, store], facts(amount=1200, company_id=1, site_id=8))
    assert sel.policy.key == 2


def test_equal_specificity_falls_back_to_sequence_then_key():
    a = policy(5, "A", sequence=20)
    b = policy(4, "B", sequence=10)
    c = policy(3, "C", sequence=10)
    sel = am.select_policy([a, b, c], facts())
    assert sel.policy.key == 3
    assert sel.explanation == (
        "C applies: it applies to every such action; 3 policies match, equally specific: "
        "it comes first in the matrix's order (before B)."
    )


def test_condition_and_case_type_and_extra_scope():
    cond = policy(1, "Cond", has_condition=True)
    typed = policy(2, "Typed", case_type_id=11)
    extra = policy(3, "Category", extra_scopes=("product_category",))
    doc = facts(condition_ok=frozenset({1}), case_type_id=11, case_type_label="credit hold")
    sel = am.select_policy([cond, typed, extra], doc)
    assert sel.policy.key == 2
    assert "it concerns credit hold" in sel.explanation
    doc = facts(condition_ok=frozenset(), extra_ok={3: frozenset({"product_category"})})
    assert am.select_policy([cond, typed, extra], doc).policy.key == 3
    assert am.mismatch(cond, facts()) == "condition not met"
    assert am.mismatch(extra, facts()) == "outside its product category"


def test_specificity_weights():
    assert am.specificity(policy(1, "x")) == 0
    assert am.specificity(policy(1, "x", site_id=1, company_id=1, max_amount=5)) == 11


def test_required_approvals():
    assert am.required_approvals("any", 3, 4) == 1
    assert am.required_approvals("all", 3, 4) == 4
    assert am.required_approvals("n", 3, 4) == 3
    assert am.required_approvals("n", 3, 2) == 2
    assert am.required_approvals("n", 0, 2) == 1
    assert am.required_approvals("all", 1, 0) == 0
    with pytest.raises(ValueError):
        am.required_approvals("most", 1, 1)


def test_route_level_excludes_requester_previous_deciders_and_incompatible():
    routing = am.route_level(
        [1, 2, 3, 4, 2], mode="all", requester=1, decided=[2], incompatible=[3]
    )
    assert routing.users == (4,)
    assert routing.required == 1
    assert dict(routing.excluded) == {
        1: "requester",
        2: "decided an earlier level",
        3: "incompatible group",
    }


def test_route_level_uses_backup_then_fails_clearly():
    routing = am.route_level([1], requester=1, backup=9)
    assert routing.users == (9,) and routing.used_backup
    with pytest.raises(ValueError, match="no eligible approver: 1 \\(requester\\)"):
        am.route_level([1], requester=1, backup=1)
    with pytest.raises(ValueError, match="nobody configured"):
        am.route_level([])


def test_delegation_routes_to_substitute_on_behalf_during_absence_only():
    away = [
        am.Delegation(
            user=2, substitute=5, date_from=date(2026, 11, 20), date_to=date(2026, 11, 27)
        )
    ]
    routing = am.route_level([2, 3], mode="all", delegations=away, day=date(2026, 11, 23))
    assert routing.assignments == (am.Assignment(5, 2), am.Assignment(3, None))
    routing = am.route_level([2], delegations=away, day=date(2026, 11, 28))
    assert routing.assignments == (am.Assignment(2, None),)


def test_delegation_to_the_requester_is_excluded_and_chains_stop_on_cycles():
    away = [am.Delegation(2, 1, date(2026, 1, 1), date(2026, 12, 31))]
    with pytest.raises(ValueError, match="requester"):
        am.route_level([2], requester=1, delegations=away, day=date(2026, 6, 1))
    cycle = [
        am.Delegation(2, 3, date(2026, 1, 1), date(2026, 12, 31)),
        am.Delegation(3, 2, date(2026, 1, 1), date(2026, 12, 31)),
    ]
    assert am.substitute_of(2, cycle, date(2026, 6, 1)) == 3
    chain = [
        am.Delegation(2, 3, date(2026, 1, 1), date(2026, 12, 31)),
        am.Delegation(3, 4, date(2026, 1, 1), date(2026, 12, 31)),
    ]
    assert am.substitute_of(2, chain, date(2026, 6, 1)) == 4


def test_level_outcome():
    assert am.level_outcome(2, 1, 0) == "pending"
    assert am.level_outcome(2, 2, 0) == "approved"
    assert am.level_outcome(2, 1, 1) == "rejected"
    assert am.level_outcome(0, 0, 0) == "pending"


def test_snapshot_fingerprint_is_stable_and_sensitive():
    a = {"amount": 1200.0, "currency": "EUR", "site": 7, "on": date(2026, 11, 23)}
    b = {"site": 7, "currency": "EUR", "amount": 1200.0000000001, "on": date(2026, 11, 23)}
    assert am.snapshot_fingerprint(a) == am.snapshot_fingerprint(b)
    c = dict(a, amount=1300.0)
    assert am.snapshot_fingerprint(a) != am.snapshot_fingerprint(c)
    assert am.changed_keys(a, c) == ["amount"]
    assert len(am.snapshot_fingerprint(a)) == 64


def test_amount_per_policy_overrides_document_amount():
    # Each policy reads its own amount field / currency: 500 for "Small", 1,500 for "Large".
    small = policy(1, "Small", max_amount=1000)
    large = policy(2, "Large", min_amount=1000, sequence=1)
    doc = facts(amount=500, amounts={2: 1500})
    sel = am.select_policy([small, large], doc)
    assert [p.key for p in sel.candidates] == [2, 1]
    assert sel.policy.key == 2
    assert "the amount, 1,500.00, is from 1,000.00 up" in sel.explanation
    assert am.mismatch(large, facts(amount=1500, amounts={2: 999})) == "amount outside its band"


# --- the guard's verdict ------------------------------------------------------------
def test_guard_without_policy_passes_and_expires_the_open_request():
    assert am.guard_verdict(False, None) == am.Verdict("pass")
    stale = am.guard_verdict(False, am.OpenRequest(True, "abc"))
    assert (stale.action, stale.expire, stale.allowed) == ("pass", "no_policy", True)


def test_guard_uses_an_approval_of_the_same_values_once():
    approved = am.OpenRequest(approved=True, fingerprint="abc")
    assert am.guard_verdict(True, approved, "abc") == am.Verdict("consume")
    pending = am.OpenRequest(approved=False, fingerprint="abc")
    verdict = am.guard_verdict(True, pending, "abc")
    assert (verdict.action, verdict.allowed) == ("wait", False)


def test_guard_asks_again_when_the_values_changed():
    approved = am.OpenRequest(approved=True, fingerprint="abc")
    assert am.guard_verdict(True, approved, "xyz", 50.0) == am.Verdict("request", "changed")
    assert am.guard_verdict(True, None, "xyz", 50.0) == am.Verdict("request")


def test_guard_auto_approves_below_the_limit_only():
    assert am.guard_verdict(True, None, "abc", 99.0, 100.0) == am.Verdict("auto")
    assert am.guard_verdict(True, None, "abc", 100.0, 100.0).action == "request"
    assert am.guard_verdict(True, None, "abc", 0.0, 0.0).action == "request"
    assert am.guard_verdict(True, None, "abc", 99.0, 100.0).allowed


def test_level_gaps_finds_levels_that_may_have_nobody():
    finance, sales, both, backup = 1, 2, 3, 9
    plan = am.LevelPlan
    # Finance, then a sales manager who is the Finance approver: nobody is left
    # for level 2 once she decided level 1 (the demo's dead end).
    gaps = am.level_gaps([plan("Finance", frozenset({both})), plan("Sales", frozenset({both}))])
    assert gaps == [am.LevelGap("Sales", "earlier", (both,))]
    # Another sales manager, or a backup, closes the gap.
    assert not am.level_gaps(
        [plan("Finance", frozenset({both})), plan("Sales", frozenset({both, sales}))]
    )
    assert not am.level_gaps(
        [plan("Finance", frozenset({both})), plan("Sales", frozenset({both}), backup)]
    )
    # A backup who decided an earlier level does not.
    assert am.level_gaps(
        [plan("Finance", frozenset({finance})), plan("Sales", frozenset({both}), finance)],
        incompatible={both},
    ) == [am.LevelGap("Sales", "incompatible")]
    assert am.level_gaps([plan("Nobody", frozenset())]) == [am.LevelGap("Nobody", "empty")]
    # A person on the document is known per document only: a backup covers it.
    assert am.level_gaps([plan("Store manager", None)]) == [
        am.LevelGap("Store manager", "document")
    ]
    assert not am.level_gaps([plan("Store manager", None, backup)])


def test_the_explanation_names_the_signals_in_words():
    credit = policy(1, "Credit release", extra_scopes=("credit_hold",))
    both = policy(2, "Credit release and margin approval", extra_scopes=("credit_hold", "margin"))
    reasons = {
        "credit_hold": "the customer is over its credit limit",
        "margin": "the margin is low",
    }
    doc = facts(
        extra_ok={1: frozenset({"credit_hold"}), 2: frozenset({"credit_hold", "margin"})},
        scope_reasons=reasons,
    )
    sel = am.select_policy([credit, both], doc)
    assert sel.explanation == (
        "Credit release and margin approval applies: the customer is over its credit limit "
        "and the margin is low; it is the most specific of 2 matching policies "
        "(next: Credit release)."
    )
    only = am.select_policy([credit], facts(extra_ok={1: frozenset({"credit_hold"})}))
    assert only.explanation == (
        "Credit release applies: credit hold applies; it is the only policy that matches."
    )
