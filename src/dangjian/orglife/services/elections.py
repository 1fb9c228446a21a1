"""Elections (换届 / 补选) held at a general meeting.

The meeting is recorded as a held 支部党员大会 (its own quorum decides whether it counts as the
quarter's general meeting); the election is valid only if more than four fifths of the members
with a vote attended (``quorum.election_valid``), and a candidate is elected with the votes of
more than half of those present (``quorum.elected``). Only a valid election writes the term
history and the posts, through ``party.services.terms.record_election`` (the one writer of
terms); an invalid one is kept with its numbers, and its page says why nobody was elected.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change
from dangjian.orglife import quorum
from dangjian.orglife.models import ElectionCandidate, Meeting, MeetingElection
from dangjian.orglife.services.meetings import record_meeting
from dangjian.party.models import Election, PartyMember, PartyOrganization, Position
from dangjian.party.services import terms


@transaction.atomic
def record_election(
    party_org: PartyOrganization,
    *,
    held_on: datetime.date,
    kind: str,
    voters_expected: int,
    voters_present: int,
    candidates: Iterable[tuple[PartyMember, str, int]],
    term_years: int | None = None,
    meeting_values: dict | None = None,
    actor,
    note: str = "",
) -> MeetingElection:
    """Record an election held at a general meeting on ``held_on``: ``candidates`` are
    ``(member, post, votes)``. Writes the meeting, the election's numbers and each candidate;
    when the election is valid, the term history and the new posts (a founding or general
    election ends every post held before)."""
    if kind not in Election.Kind.values:
        raise ValidationError(_("Unknown kind of election."))
    if held_on is None or held_on > timezone.localdate():
        raise ValidationError(_("An election can be recorded only on or after its day."))
    if voters_expected is None or voters_present is None or voters_expected <= 0:
        raise ValidationError(_("Give the members with a vote expected and present."))
    if voters_present > voters_expected:
        raise ValidationError(_("More members with a vote present than expected."))
    rows = [(m, role, int(votes or 0)) for m, role, votes in candidates if m is not None]
    if not rows:
        raise ValidationError(_("Name at least one candidate."))
    seen = set()
    for member, role, votes in rows:
        if role not in Position.Role.values:
            raise ValidationError(_("Unknown post."))
        if votes > voters_present:
            raise ValidationError(
                _("%(name)s has more votes (%(votes)d) than members present (%(present)d).")
                % {"name": member.name, "votes": votes, "present": voters_present}
            )
        if member.pk in seen:
            raise ValidationError(
                _("%(name)s is named twice among the candidates.") % {"name": member.name}
            )
        seen.add(member.pk)
    federation = party_org.federation
    values = {
        "topic": _("Election: %(kind)s") % {"kind": Election.Kind(kind).label},
        **(meeting_values or {}),
    }
    meeting = record_meeting(
        party_org,
        kind=Meeting.Kind.GENERAL_MEETING,
        held_on=held_on,
        voters_expected=voters_expected,
        voters_present=voters_present,
        expected_count=voters_expected,
        present_count=voters_present,
        actor=actor,
        note=note,
        **values,
    )
    valid = quorum.election_valid(
        voters_expected, voters_present, day=held_on, federation=federation
    )
    record = MeetingElection.objects.create(
        meeting=meeting,
        kind=kind,
        term_years=term_years if kind in Election.TERM_KINDS else None,
        voters_expected=voters_expected,
        voters_present=voters_present,
        valid=valid,
    )
    chosen = []
    for member, role, votes in rows:
        won = valid and quorum.elected(votes, voters_present, day=held_on, federation=federation)
        ElectionCandidate.objects.create(
            meeting_election=record, member=member, role=role, votes=votes, elected=won
        )
        if won:
            chosen.append((member, role))
    if valid:
        record.election = terms.record_election(
            party_org,
            held_on=held_on,
            kind=kind,
            term_years=term_years,
            posts=chosen,
            actor=actor,
            note=note,
        )
        record.term_years = record.election.term_years
        record.save(update_fields=["election", "term_years", "updated_at"])
    record_change(actor, record, None, note=note)
    return record
