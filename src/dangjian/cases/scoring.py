"""Pure functions of the review: reviewer assignment, score normalisation, ranking.

No database here, so the property tests can throw anything at them.

**Normalisation: z-score per reviewer.** Experts differ in leniency (one gives 85 on average,
another 70) and in how widely they spread their marks. Each expert scores several cases, so
``z = (score − reviewer's mean) / reviewer's standard deviation`` removes both effects; a case's
normalised score is the mean of its reviewers' z-scores, mapped back onto the 0–100 scale with the
pooled mean and standard deviation of all scores so that it reads like a mark. A trimmed mean was
rejected: with three reviewers per case, trimming leaves one score (the median) and throws away
two thirds of the information, and it does nothing about a reviewer who is harsh on everyone.
Where a reviewer's own statistics cannot be estimated (one score, or all scores equal) the
pooled mean and standard deviation stand in for theirs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

# Whatever identifies a submission and a reviewer (primary keys in the app, anything in the tests).
S = TypeVar("S", bound=Hashable)
R = TypeVar("R", bound=Hashable)


def conflicts(reviewer_keys: set, submission_keys: set) -> bool:
    """A reviewer and a submission conflict when they share an affiliation (unit or federation)."""
    return bool(reviewer_keys & submission_keys)


def plan_assignments(
    submissions: Mapping[S, set],
    reviewers: Mapping[R, set],
    per_submission: int,
    existing: Iterable[tuple[S, R]] = (),
) -> list[tuple[S, R]]:
    """New (submission, reviewer) pairs so that each submission has ``per_submission`` reviewers
    (or every eligible one, if fewer), never a conflicted one, with loads as even as the conflicts
    allow. ``existing`` pairs count towards both the submission's reviewers and the loads.

    Greedy (most constrained submission first, least loaded reviewer first), then moves from a
    loaded reviewer to a lighter eligible one until no move lowers the imbalance: afterwards, for
    every assigned pair (s, r) and every eligible reviewer r' not on s, load(r) − load(r') ≤ 1.
    """
    order = sorted(reviewers, key=repr)
    load = {r: 0 for r in order}
    assigned: dict[S, set[R]] = defaultdict(set)
    fixed = set()
    for s, r in existing:
        assigned[s].add(r)
        fixed.add((s, r))
        if r in load:
            load[r] += 1
    eligible = {
        s: [r for r in order if not conflicts(reviewers[r], keys)]
        for s, keys in submissions.items()
    }
    for s in sorted(submissions, key=lambda s: (len(eligible[s]), repr(s))):
        while len(assigned[s]) < per_submission:
            free = [r for r in eligible[s] if r not in assigned[s]]
            if not free:
                break
            pick = min(free, key=lambda r: (load[r], order.index(r)))
            assigned[s].add(pick)
            load[pick] += 1
    # Rebalance: each move lowers the sum of squared loads, so this ends.
    moved = True
    while moved:
        moved = False
        for s in sorted(submissions, key=repr):
            for r in sorted(assigned[s], key=lambda r: (-load[r], order.index(r))):
                if (s, r) in fixed:
                    continue
                lighter = [
                    x for x in eligible[s] if x not in assigned[s] and load[r] - load[x] >= 2
                ]
                if lighter:
                    x = min(lighter, key=lambda x: (load[x], order.index(x)))
                    assigned[s].discard(r)
                    assigned[s].add(x)
                    load[r] -= 1
                    load[x] += 1
                    moved = True
                    break
    return sorted(
        ((s, r) for s in submissions for r in assigned[s] if (s, r) not in fixed), key=repr
    )


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _sd(xs: list[float]) -> float:
    """Population standard deviation (the reviewer's scores are all we have of them)."""
    if len(xs) < 2:
        return 0.0
    m = _mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


@dataclass
class Ranked(Generic[S]):
    submission: S
    normalised: float  # on the 0–100 scale
    mean_z: float
    raw_mean: float
    raw_min: float
    raw_max: float
    z_spread: float  # standard deviation of the reviewers' z-scores: their disagreement
    count: int
    rank: int = 0
    borderline: bool = False

    @property
    def raw_range(self) -> float:
        return self.raw_max - self.raw_min


def z_scores(scores: Iterable[tuple[R, S, float]]) -> dict[tuple[R, S], float]:
    """{(reviewer, submission): z} from (reviewer, submission, score) triples."""
    scores = list(scores)
    if not scores:
        return {}
    everything = [x for _, _, x in scores]
    pooled_mean, pooled_sd = _mean(everything), _sd(everything) or 1.0
    by_reviewer: dict[R, list[float]] = defaultdict(list)
    for r, _, x in scores:
        by_reviewer[r].append(x)
    stats = {}
    for r, xs in by_reviewer.items():
        sd = _sd(xs)
        stats[r] = (_mean(xs), sd) if sd > 0 else (pooled_mean, pooled_sd)
    return {(r, s): (x - stats[r][0]) / stats[r][1] for r, s, x in scores}


def rank(scores: Iterable[tuple[R, S, float]], quota: int = 0, margin: int = 0) -> list[Ranked[S]]:
    """Rank submissions by the mean of their reviewers' z-scores (highest first).

    ``borderline`` marks the ranks within ``margin`` of the cut-off after ``quota``: those
    ``quota − margin + 1`` … ``quota + margin`` go to a second round.
    """
    scores = list(scores)
    if not scores:
        return []
    z = z_scores(scores)
    everything = [x for _, _, x in scores]
    pooled_mean, pooled_sd = _mean(everything), _sd(everything) or 1.0
    per_sub: dict[S, list[tuple[float, float]]] = defaultdict(list)
    for r, s, x in scores:
        per_sub[s].append((x, z[(r, s)]))
    rows = []
    for s, pairs in per_sub.items():
        raws = [x for x, _ in pairs]
        zs = [v for _, v in pairs]
        mz = _mean(zs)
        rows.append(
            Ranked(
                submission=s,
                normalised=round(pooled_mean + pooled_sd * mz, 2),
                mean_z=mz,
                raw_mean=_mean(raws),
                raw_min=min(raws),
                raw_max=max(raws),
                z_spread=_sd(zs),
                count=len(pairs),
            )
        )
    rows.sort(key=lambda row: (-row.mean_z, -row.raw_mean, repr(row.submission)))
    for i, row in enumerate(rows, start=1):
        row.rank = i
        row.borderline = bool(quota and margin) and quota - margin < i <= quota + margin
    return rows


def weighted_total(rubric: list[dict], scores: Mapping[str, float]) -> float:
    """The 0–100 total of criterion scores (each 0–10) under the rubric's weights."""
    weight = sum(float(c["weight"]) for c in rubric) or 1.0
    return round(sum(float(c["weight"]) * float(scores[c["key"]]) for c in rubric) / weight * 10, 2)
