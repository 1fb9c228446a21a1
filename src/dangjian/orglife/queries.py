"""Who is expected at a meeting, read from the party ledger's one definitions (party.queries).

- a committee meeting: the committee on the day (each member votes there);
- every other kind: the branch's full members (vote) and probationary members (attend without
  a vote) holding their 组织关系 in it on the day, and the flowing members it hosts that day
  (流动党员 with the branch as their host: expected and counted in 应到 / 实到, never a vote
  nor the quorum — ``party.queries.hosted_flowing_members``);
- a heart-to-heart talk has no expected list: its participants are named.

Members of other branches (flowing members working in a unit the branch covers) may attend
without being expected or counted: ``guest_candidates``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from dangjian.core.models import valid_on_q
from dangjian.orglife.models import Attendance, Meeting
from dangjian.party import queries as party_queries
from dangjian.party.models import Coverage, PartyMember

Role = Attendance.Role
COUNTED_ROLES = (Role.VOTER, Role.PROBATIONARY, Role.COMMITTEE, Role.FLOWING)
VOTING_ROLES = (Role.VOTER, Role.COMMITTEE)
# Kinds without an expected list (the participants are named).
NO_EXPECTED = (Meeting.Kind.HEART_TO_HEART,)


@dataclass(frozen=True)
class Expected:
    member: PartyMember
    role: str

    @property
    def votes(self) -> bool:
        return self.role in VOTING_ROLES

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def expected_attendees(meeting: Meeting) -> list[Expected]:
    """Who is expected at ``meeting`` on its day, in the order of the sign-in sheet."""
    org, day = meeting.party_organization, meeting.held_on
    if meeting.kind in NO_EXPECTED:
        return []
    if meeting.kind == Meeting.Kind.COMMITTEE_MEETING:
        return [Expected(m, Role.COMMITTEE) for m in party_queries.committee_members(org, on=day)]
    voters = party_queries.voting_members(org, on=day).order_by("name", "pk")
    return (
        [Expected(m, Role.VOTER) for m in voters]
        + [Expected(m, Role.PROBATIONARY) for m in party_queries.probationary_members(org, on=day)]
        + [Expected(m, Role.FLOWING) for m in party_queries.hosted_flowing_members(org, on=day)]
    )


def guest_candidates(meeting: Meeting) -> QuerySet[PartyMember]:
    """Members who may attend without being expected: those employed on the day in a unit the
    party organization covers whose 组织关系 is held elsewhere (flowing members), and, for a
    heart-to-heart talk, the branch's own members."""
    org, day = meeting.party_organization, meeting.held_on
    units = Coverage.objects.filter(valid_on_q(day), party_organization=org).values("organization")
    # Dated: whose relation is in the branch that day (a transfer moves it on its day).
    employed = party_queries.employed_members(units, day).exclude(
        party_queries.held_in_q(day, [org])
    )
    if meeting.kind in NO_EXPECTED:
        own = party_queries.voting_members(org, on=day) | party_queries.probationary_members(
            org, on=day
        )
        employed = employed | own
    return employed.order_by("name", "pk")


def people_of(meeting: Meeting, expected: list[Expected] | None = None) -> set[int]:
    """Ids of the members who may chair or record the meeting: those expected, the committee
    (O-6: the host and the recorder are members of the organization). ``expected``: the
    meeting's ``expected_attendees``, when the caller already read them."""
    org, day = meeting.party_organization, meeting.held_on
    if expected is None:
        expected = expected_attendees(meeting)
    ids = {e.member.pk for e in expected}
    ids |= set(party_queries.committee_members(org, on=day).values_list("pk", flat=True))
    if meeting.kind in NO_EXPECTED:
        ids |= set(guest_candidates(meeting).values_list("pk", flat=True))
    return ids
