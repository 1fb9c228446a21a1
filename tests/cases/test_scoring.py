"""Reviewer assignment (property tests) and score normalisation computed by hand."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.cases.scoring import plan_assignments, rank, weighted_total, z_scores

KEYS = [("org", i) for i in range(4)] + [("fed", i) for i in range(3)]


@st.composite
def worlds(draw, with_conflicts=True):
    n_subs = draw(st.integers(1, 12))
    n_revs = draw(st.integers(1, 7))
    keyset = st.sets(st.sampled_from(KEYS), max_size=2) if with_conflicts else st.just(set())
    subs = {f"s{i}": draw(keyset) for i in range(n_subs)}
    revs = {f"r{i}": draw(keyset) for i in range(n_revs)}
    per = draw(st.integers(1, 4))
    return subs, revs, per


def _loads(revs, pairs):
    load = dict.fromkeys(revs, 0)
    for _, r in pairs:
        load[r] += 1
    return load


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_no_conflicts_full_panels_and_local_balance(world):
    subs, revs, per = world
    pairs = plan_assignments(subs, revs, per)
    assert len(pairs) == len(set(pairs))
    load = _loads(revs, pairs)
    for s, keys in subs.items():
        mine = {r for x, r in pairs if x == s}
        eligible = {r for r, rkeys in revs.items() if not (rkeys & keys)}
        # Never a reviewer from the submission's own unit or federation.
        assert mine <= eligible
        # Each submission gets N reviewers, or every eligible one when fewer exist.
        assert len(mine) == min(per, len(eligible))
        # No move to a lighter eligible reviewer would even the loads out.
        for r in mine:
            for other in eligible - mine:
                assert load[r] - load[other] <= 1


@settings(max_examples=200, deadline=None)
@given(worlds(with_conflicts=False))
def test_without_conflicts_loads_differ_by_at_most_one(world):
    subs, revs, per = world
    load = _loads(revs, plan_assignments(subs, revs, per))
    assert max(load.values()) - min(load.values()) <= 1
    assert sum(load.values()) == len(subs) * min(per, len(revs))


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_existing_pairs_are_kept_and_counted(world):
    subs, revs, per = world
    first = plan_assignments(subs, revs, per)
    again = plan_assignments(subs, revs, per, existing=first)
    assert again == []


def test_conflicted_reviewer_is_excluded_by_hand():
    subs = {"tianjin": {("fed", 1)}, "jiangdong": {("fed", 2)}}
    revs = {"a": {("fed", 2)}, "b": set(), "c": {("org", 9), ("fed", 1)}}
    pairs = set(plan_assignments(subs, revs, 3))
    assert pairs == {("tianjin", "a"), ("tianjin", "b"), ("jiangdong", "b"), ("jiangdong", "c")}


def test_normalisation_by_hand():
    # Reviewer A: 80, 70, 60 → mean 70, sd √(200/3); B (stricter spread): 90, 90, 60 → mean 80,
    # sd √200. All six: mean 75, sd √(950/6).
    scores = [
        ("A", "s1", 80),
        ("A", "s2", 70),
        ("A", "s3", 60),
        ("B", "s1", 90),
        ("B", "s2", 90),
        ("B", "s3", 60),
    ]
    z = z_scores(scores)
    assert z[("A", "s1")] == pytest.approx(10 / math.sqrt(200 / 3))  # 1.2247
    assert z[("A", "s2")] == pytest.approx(0)
    assert z[("B", "s1")] == pytest.approx(10 / math.sqrt(200))  # 0.7071
    assert z[("B", "s3")] == pytest.approx(-20 / math.sqrt(200))  # -1.4142
    rows = {r.submission: r for r in rank(scores, quota=1, margin=1)}
    pooled_sd = math.sqrt(950 / 6)
    mean_z_s1 = (1.224745 + 0.707107) / 2
    assert rows["s1"].mean_z == pytest.approx(mean_z_s1, abs=1e-5)
    assert rows["s1"].normalised == pytest.approx(75 + pooled_sd * mean_z_s1, abs=0.01)  # 87.15
    assert rows["s2"].normalised == pytest.approx(79.45, abs=0.01)
    assert rows["s3"].normalised == pytest.approx(58.40, abs=0.01)
    assert [rows[s].rank for s in ("s1", "s2", "s3")] == [1, 2, 3]
    # Spread: the standard deviation of s1's two z-scores, (1.2247 − 0.7071) / 2.
    assert rows["s1"].z_spread == pytest.approx(0.2588, abs=1e-4)
    assert (rows["s1"].raw_min, rows["s1"].raw_max) == (80, 90)
    # quota 1, margin 1: ranks 1 and 2 are borderline.
    assert [rows[s].borderline for s in ("s1", "s2", "s3")] == [True, True, False]


def test_normalisation_cancels_a_strict_reviewer():
    # A lenient expert scored s1, s2; a strict one s3, s4. Raw means order them 90 > 80 > 70 > 60,
    # but each expert's best case is equally good relative to that expert.
    scores = [("A", "s1", 90), ("A", "s2", 80), ("B", "s3", 70), ("B", "s4", 60)]
    rows = {r.submission: r for r in rank(scores)}
    assert rows["s1"].mean_z == pytest.approx(1) and rows["s3"].mean_z == pytest.approx(1)
    assert rows["s1"].normalised == rows["s3"].normalised


def test_single_score_reviewer_falls_back_to_pooled_statistics():
    scores = [("A", "s1", 80), ("A", "s2", 60), ("C", "s1", 70)]
    z = z_scores(scores)
    pooled_mean, pooled_sd = 70, math.sqrt(200 / 3)
    assert z[("C", "s1")] == pytest.approx((70 - pooled_mean) / pooled_sd)


def test_weighted_total():
    rubric = [{"key": "a", "weight": 30}, {"key": "b", "weight": 70}]
    assert weighted_total(rubric, {"a": 10, "b": 5}) == 65.0
