"""A new day's run over findings found the day before (the nightly job): every finding found
again moves to the day with that day's observation; findings given the same values — the
closed years' texts, which do not change, or many resolved at once — are written together
(``sync.SAME_VALUES``), the others one by one, with the same result.

The world: 22 branches of one unit each, created in 2019, with no meeting recorded. The
organizational-life rule finds each branch's 2024 (a closed year: its text says "截至
2024-12-31" on every later day) and 2025 (whose text carries the day of the run)."""

import datetime

import pytest

from dangjian.rules import sync
from dangjian.rules.models import Finding, FindingObservation, FindingStatusChange

D = datetime.date
pytestmark = pytest.mark.django_db
ORG = "orglife.irregular"
DAY, NEXT = D(2025, 6, 30), D(2025, 7, 1)
BRANCHES = 22


@pytest.fixture
def branches(world):
    assert sync.SAME_VALUES <= BRANCHES  # the closed year's findings are written together
    return [
        world.party_org(f"第{i}支部", units=[world.unit(f"第{i}协会", full=3)])
        for i in range(BRANCHES)
    ]


def by_year(world, year):
    return Finding.objects.filter(federation=world.fed, rule_id=ORG, period_key=str(year))


def test_a_new_days_run_moves_every_finding_to_the_day_with_its_observation(world, branches):
    (first,) = world.run(DAY, [ORG])
    assert first.created == 2 * BRANCHES
    closed_before = {f.pk: (f.explanation, f.updated_at) for f in by_year(world, 2024)}
    assert len(closed_before) == BRANCHES
    assert all("2024 年（截至 2024-12-31）" in text for text, _ in closed_before.values())

    (result,) = world.run(NEXT, [ORG])

    assert (result.found, result.created, result.updated) == (2 * BRANCHES, 0, 2 * BRANCHES)
    for f in by_year(world, 2024):  # written together: the same day, nothing else
        text, updated_at = closed_before[f.pk]
        assert (f.last_seen, f.first_seen, f.version) == (NEXT, DAY, 2)
        assert f.explanation == text and f.updated_at > updated_at
        assert list(f.observations.values_list("as_of", "explanation")) == [
            (DAY, text),
            (NEXT, text),
        ]
    for f in by_year(world, 2025):  # one by one: the text carries the day
        assert (f.last_seen, f.version) == (NEXT, 2)
        assert "2025 年（截至 2025-07-01）" in f.explanation
        assert list(f.observations.values_list("as_of", flat=True)) == [DAY, NEXT]
    assert FindingObservation.objects.filter(as_of=NEXT, finding__federation=world.fed).count() == (
        2 * BRANCHES
    )

    # The same day again: nothing to write.
    (again,) = world.run(NEXT, [ORG])
    assert (again.created, again.updated, again.resolved) == (0, 0, 0)
    mine = FindingObservation.objects.filter(finding__rule_id=ORG, finding__federation=world.fed)
    assert mine.count() == 4 * BRANCHES


def test_findings_resolved_together_each_have_their_history(world, branches):
    world.run(DAY, [ORG])
    for po in branches:  # every 2024 meeting recorded after the fact
        world.meet_regularly(po, D(2024, 1, 1), D(2024, 12, 31))

    (result,) = world.run(NEXT, [ORG])

    assert (result.resolved, result.found) == (BRANCHES, BRANCHES)
    closed = by_year(world, 2024)
    assert {(f.status, f.resolved_on, f.version, f.last_seen) for f in closed} == {
        (Finding.Status.RESOLVED, NEXT, 2, DAY)
    }
    changes = FindingStatusChange.objects.filter(finding__in=closed)
    assert (
        sorted(changes.values_list("from_status", "to_status", "as_of"))
        == [("open", "resolved", NEXT)] * BRANCHES
    )
    assert {f.status for f in by_year(world, 2025)} == {Finding.Status.OPEN}
