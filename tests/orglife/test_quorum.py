"""The quorum and the majority, hand-computed at their boundaries (LIFECYCLE.md §4, O-2/O-3),
and read from the rulebook so a federation's own numbers apply."""

import datetime

import pytest

from dangjian.orglife import quorum
from dangjian.registry.models import Federation
from dangjian.rulebook.models import RuleOverride

DAY = datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("voters", "present", "valid"),
    [(20, 10, False), (20, 11, True), (7, 3, False), (7, 4, True), (1, 1, True), (0, 0, False)],
)
def test_general_meeting_needs_more_than_half_of_the_voters(db, voters, present, valid):
    assert quorum.quorum_met("general_meeting", voters, present, day=DAY) is valid


@pytest.mark.parametrize(
    ("committee", "present", "valid"),
    [(5, 2, False), (5, 3, True), (4, 2, True), (4, 1, False), (3, 2, True)],
)
def test_committee_meeting_needs_at_least_half_of_the_committee(db, committee, present, valid):
    assert quorum.quorum_met("committee_meeting", committee, present, day=DAY) is valid


def test_needed_is_the_smallest_count_that_meets_it(db):
    assert quorum.quorum_needed("general_meeting", 20, day=DAY) == 11
    assert quorum.quorum_needed("general_meeting", 7, day=DAY) == 4
    assert quorum.quorum_needed("committee_meeting", 5, day=DAY) == 3
    assert quorum.quorum_needed("committee_meeting", 4, day=DAY) == 2


def test_other_kinds_and_unknown_numbers_have_no_quorum(db):
    assert quorum.quorum_met("theme_day", 20, 1, day=DAY) is None
    assert quorum.quorum_met("general_meeting", None, 5, day=DAY) is None


@pytest.mark.parametrize(("yes", "passes"), [(10, False), (11, True)])
def test_a_resolution_passes_with_more_than_half_of_the_voters(db, yes, passes):
    # E = 20 voters expected: 11 yes needed, whatever the number present.
    assert quorum.resolution_passes(yes, 20, day=DAY) is passes


def test_a_federation_may_set_its_own_share(db):
    federation = Federation.objects.create(
        name="参数测试联合会", short_name="参", level=Federation.Level.CITY, founded_on=DAY
    )
    RuleOverride.objects.create(
        federation=federation,
        rule_id="orglife.meetings",
        valid_from=datetime.date(2020, 1, 1),
        parameters={"general_meeting_quorum": {"share": "2/3", "strict": False}},
    )
    assert quorum.quorum_met("general_meeting", 9, 5, day=DAY, federation=federation) is False
    assert quorum.quorum_met("general_meeting", 9, 6, day=DAY, federation=federation) is True
    assert quorum.quorum_met("general_meeting", 9, 5, day=DAY) is True


@pytest.mark.parametrize(
    ("voters", "present", "valid"),
    # O-4: 5P > 4E. E = 20 → 17 needed (16 is exactly four fifths: not more).
    [(20, 16, False), (20, 17, True), (5, 4, False), (5, 5, True), (9, 8, True), (9, 7, False)],
)
def test_an_election_needs_more_than_four_fifths(db, voters, present, valid):
    assert quorum.election_valid(voters, present, day=DAY) is valid


def test_election_needed_is_the_smallest_count(db):
    assert quorum.election_needed(20, day=DAY) == 17
    assert quorum.election_needed(10, day=DAY) == 9
    assert quorum.election_needed(9, day=DAY) == 8


@pytest.mark.parametrize(
    ("votes", "present", "elected"), [(9, 17, True), (8, 17, False), (9, 18, False), (10, 18, True)]
)
def test_a_candidate_is_elected_by_more_than_half_of_those_present(db, votes, present, elected):
    assert quorum.elected(votes, present, day=DAY) is elected
