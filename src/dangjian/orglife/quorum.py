"""Whether a meeting could decide (LIFECYCLE.md §4, O-2 and O-3), by the rulebook's numbers.

- 支部党员大会: valid only if more than half of the members with a vote attend (2P > E); a
  resolution passes if more than half of them say yes (2·Yes > E).
- 支部委员会会议: valid if at least half of the committee attends.
- an election (选举工作条例 2020, O-4): valid only if more than four fifths of the members with a
  vote attend (5P > 4E); a candidate is elected with the votes of more than half of those
  present (2·Yes > P).

The shares and whether "half" itself is enough are parameters of ``orglife.meetings`` (a
federation may set its own). Other kinds have no quorum: they count when held.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from dangjian.rulebook import params

RULE = "orglife.meetings"
GENERAL = "general_meeting"
COMMITTEE = "committee_meeting"
# The kinds whose validity depends on who attended, and their parameter.
QUORUM_PARAMETER = {GENERAL: "general_meeting_quorum", COMMITTEE: "committee_quorum"}


@dataclass(frozen=True)
class Threshold:
    share: Fraction
    strict: bool  # True: more than the share; False: at least the share

    @classmethod
    def of(cls, value: dict[str, Any]) -> Threshold:
        return cls(Fraction(str(value["share"])), bool(value.get("strict", True)))

    def met(self, count: int, base: int) -> bool:
        if base <= 0:
            return False  # nobody to decide: never valid
        if self.strict:
            return count > self.share * base
        return count >= self.share * base

    def needed(self, base: int) -> int:
        """The smallest count that meets the threshold on ``base``."""
        exact = self.share * base
        whole = int(exact)
        if self.strict:
            return whole + 1
        return whole if whole == exact else whole + 1


def threshold(
    name: str, *, day: datetime.date, federation=None, cache: dict | None = None
) -> Threshold:
    """The threshold in force on ``day`` for ``federation``; ``cache`` (a dict the caller keeps
    for one run) spares a bulk path reading the rulebook and the overrides once per row."""
    if cache is None:
        return Threshold.of(params.value(RULE, name, day=day, federation=federation))
    key = (name, day, getattr(federation, "pk", None))
    if key not in cache:
        cache[key] = Threshold.of(params.value(RULE, name, day=day, federation=federation))
    return cache[key]


def has_quorum_rule(kind: str) -> bool:
    return kind in QUORUM_PARAMETER


def quorum_met(
    kind: str,
    voters_expected: int | None,
    voters_present: int | None,
    *,
    day,
    federation=None,
    cache: dict | None = None,
) -> bool | None:
    """True or False where the kind has a quorum and the numbers are known, else None."""
    if kind not in QUORUM_PARAMETER or voters_expected is None or voters_present is None:
        return None
    rule = threshold(QUORUM_PARAMETER[kind], day=day, federation=federation, cache=cache)
    return rule.met(voters_present, voters_expected)


def quorum_needed(kind: str, voters_expected: int, *, day, federation=None) -> int | None:
    if kind not in QUORUM_PARAMETER:
        return None
    return threshold(QUORUM_PARAMETER[kind], day=day, federation=federation).needed(voters_expected)


def resolution_passes(votes_for: int, voters_expected: int, *, day, federation=None) -> bool:
    return threshold("resolution_majority", day=day, federation=federation).met(
        votes_for, voters_expected
    )


def election_valid(voters_expected: int, voters_present: int, *, day, federation=None) -> bool:
    """O-4: an election is valid only if more than four fifths of the voters attend."""
    return threshold("election_quorum", day=day, federation=federation).met(
        voters_present, voters_expected
    )


def election_needed(voters_expected: int, *, day, federation=None) -> int:
    return threshold("election_quorum", day=day, federation=federation).needed(voters_expected)


def elected(votes: int, voters_present: int, *, day, federation=None) -> bool:
    """O-4: a candidate is elected with the votes of more than half of those present."""
    return threshold("election_majority", day=day, federation=federation).met(votes, voters_present)


def election_explanation(election) -> str:
    """Why an election (``orglife.MeetingElection``) is or is not valid, for its page."""
    meeting = election.meeting
    federation = meeting.party_organization.federation
    words = {
        "expected": election.voters_expected,
        "present": election.voters_present,
        "needed": election_needed(
            election.voters_expected, day=meeting.held_on, federation=federation
        ),
    }
    if election.valid:
        return (
            _(
                "Election valid: %(present)d of the %(expected)d members with a vote attended "
                "(at least %(needed)d needed)."
            )
            % words
        )
    return (
        _(
            "Election not valid: only %(present)d of the %(expected)d members with a vote "
            "attended; at least %(needed)d must attend. Nobody was elected and the term "
            "history is unchanged."
        )
        % words
    )


def explanation(meeting) -> str:
    """Why the meeting does or does not count, in words for the meeting's page ("" when there
    is nothing to say: no quorum applies, or the meeting is only planned)."""
    if meeting.is_planned or meeting.quorum_met is None:
        return ""
    federation = meeting.party_organization.federation
    needed = quorum_needed(
        meeting.kind, meeting.voters_expected or 0, day=meeting.held_on, federation=federation
    )
    words = {
        "kind": meeting.get_kind_display(),
        "expected": meeting.voters_expected or 0,
        "present": meeting.voters_present or 0,
        "needed": needed,
    }
    if meeting.kind == COMMITTEE:
        if meeting.quorum_met:
            return (
                _(
                    "Valid: %(present)d of the %(expected)d committee members attended (at least "
                    "%(needed)d needed)."
                )
                % words
            )
        return (
            _(
                "Not valid: only %(present)d of the %(expected)d committee members attended; at "
                "least %(needed)d must attend. The meeting is recorded as held but does not count as "
                "the required %(kind)s."
            )
            % words
        )
    if meeting.quorum_met:
        return (
            _(
                "Valid: %(present)d of the %(expected)d members with a vote attended (at least "
                "%(needed)d needed)."
            )
            % words
        )
    return (
        _(
            "Not valid: only %(present)d of the %(expected)d members with a vote attended; at least "
            "%(needed)d must attend. The meeting is recorded as held but does not "
            "count as the required %(kind)s, and its resolutions were not adopted."
        )
        % words
    )
