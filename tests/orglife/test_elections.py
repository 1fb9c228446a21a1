"""An election recorded at a general meeting: the four-fifths quorum, the majority of those
present, and — only when valid — the term history and the posts through party's terms service."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.orglife import services
from dangjian.orglife.models import Meeting
from dangjian.party import term_queries
from dangjian.party.models import Election, Position

DAY = datetime.date(2023, 3, 10)
SECRETARY, MEMBER = Position.Role.SECRETARY, Position.Role.MEMBER


def elect(world, present, votes, kind=Election.Kind.GENERAL):
    a, b, c = world.full[3], world.full[4], world.full[5]
    return services.record_election(
        world.branch,
        held_on=DAY,
        kind=kind,
        voters_expected=6,
        voters_present=present,
        candidates=[(a, SECRETARY, votes[0]), (b, MEMBER, votes[1]), (c, MEMBER, votes[2])],
        actor=world.secretary_user,
    )


def test_a_valid_election_writes_the_term_and_the_posts(world):
    # E = 6 voters: 5P > 24 → 5 present needed; elected with more than half of 5: 3 votes.
    record = elect(world, 5, (5, 3, 2))
    assert record.valid and record.election is not None
    assert record.election.kind == Election.Kind.GENERAL and record.election.term_years == 3
    elected = {c.member_id: c.elected for c in record.candidates.all()}
    assert elected == {world.full[3].pk: True, world.full[4].pk: True, world.full[5].pk: False}
    # The posts held before end the day before; the elected hold theirs from the day.
    on_day = Position.objects.filter(party_organization=world.branch, valid_from__lte=DAY)
    current = {(p.member_id, p.role) for p in on_day if p.valid_to is None}
    assert current == {(world.full[3].pk, SECRETARY), (world.full[4].pk, MEMBER)}
    term = term_queries.term_in_force(world.branch, DAY + datetime.timedelta(days=1))
    assert term.started_on == DAY and term.years == 3
    # The meeting is the quarter's general meeting (5 of 6: more than half).
    meeting = record.meeting
    assert meeting.kind == Meeting.Kind.GENERAL_MEETING and meeting.counts


def test_four_fifths_exactly_is_not_enough(world):
    before = set(Position.objects.filter(valid_to__isnull=True).values_list("pk", flat=True))
    # E = 6, P = 4: 5 × 4 = 20 is not more than 24.
    record = elect(world, 4, (4, 4, 4))
    assert not record.valid and record.election is None
    assert not any(c.elected for c in record.candidates.all())
    assert not Election.objects.filter(party_organization=world.branch).exists()
    after = set(Position.objects.filter(valid_to__isnull=True).values_list("pk", flat=True))
    assert after == before
    # The general meeting itself had its quorum (4 of 6) and counts.
    assert record.meeting.counts


def test_votes_beyond_those_present_are_refused(world):
    with pytest.raises(ValidationError):
        elect(world, 5, (6, 1, 1))
    with pytest.raises(ValidationError):
        services.record_election(
            world.branch,
            held_on=DAY,
            kind=Election.Kind.GENERAL,
            voters_expected=6,
            voters_present=7,
            candidates=[(world.full[0], SECRETARY, 5)],
            actor=None,
        )


def test_the_secretary_records_an_election_on_its_page(world):
    from django.urls import reverse

    from dangjian.orglife.models import MeetingElection

    client = world.client(world.secretary_user)
    url = reverse("orglife:election_record") + f"?org={world.branch.pk}"
    page = client.get(url).content.decode()
    assert "四分之五" not in page and "五分之四" in page
    day = datetime.date.today() - datetime.timedelta(days=3)
    response = client.post(
        url,
        {
            "org": world.branch.pk,
            "held_on": day.isoformat(),
            "kind": Election.Kind.GENERAL,
            "voters_expected": 6,
            "voters_present": 4,
            "candidate_0": world.full[0].pk,
            "role_0": SECRETARY,
            "votes_0": 4,
            **{f"role_{i}": MEMBER for i in range(1, 7)},
        },
    )
    record = MeetingElection.objects.get(meeting__party_organization=world.branch)
    assert response.status_code == 302
    detail = client.get(reverse("orglife:meeting_detail", args=[record.meeting_id])).content
    text = detail.decode()
    # 4 of 6 is not more than four fifths: 5 were needed; nobody elected.
    assert "选举无效" in text and "至少须 5 名" in text
    assert not Election.objects.filter(party_organization=world.branch).exists()


@pytest.mark.parametrize(("months_left", "months"), [(7, None), (5, 6), (2, 3)])
def test_the_workspace_reminds_before_the_term_ends(world, months_left, months):
    from django.urls import reverse

    from dangjian.party.services import record_election
    from dangjian.rulebook.periods import add_months

    today = datetime.date.today()
    # A term of 3 years that ends months_left months from today.
    held_on = add_months(today, months_left - 36)
    record_election(world.branch, held_on=held_on, kind=Election.Kind.GENERAL, actor=None)
    client = world.client(world.secretary_user)
    page = client.get(reverse("orglife:workspace")).content.decode()
    detail = client.get(reverse("party:party_organization_detail", args=[world.branch.pk]))
    for text in (page, detail.content.decode()):
        if months is None:
            assert 'id="term-reminder"' not in text
        else:
            assert f'data-months="{months}"' in text
            assert f"不到 {months} 个月" in text
