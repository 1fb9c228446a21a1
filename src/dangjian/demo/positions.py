"""Party posts in the demo: secretaries, committees where ≥ 7 full members, and a vacancy."""

import datetime

from dangjian.party import term_queries
from dangjian.party.models import Position
from dangjian.party.services import appoint_position

R = Position.Role
COMMITTEE_ROLES = [R.SECRETARY, R.DEPUTY_SECRETARY, R.ORGANIZATION, R.PUBLICITY, R.DISCIPLINE]


def assign_posts(builder, committee, branches, members_by_branch):
    today = builder.today
    leaders = [
        builder.people.member(probationary=False, today=today, relation=committee) for _ in range(5)
    ]
    for role, member in zip(COMMITTEE_ROLES, leaders, strict=True):
        appoint_position(committee, member, actor=None, role=role, valid_from=committee.valid_from)
    for key, branch in branches.items():
        full = [m for m in members_by_branch[key] if m.full_member_on]
        start = branch.valid_from
        if key == "iot":
            # Deliberate: the secretary left four months ago and nobody took over.
            appoint_position(
                branch,
                full[0],
                actor=None,
                role=R.SECRETARY,
                valid_from=start,
                valid_to=today - datetime.timedelta(days=120),
            )
            continue
        if key == "internet":
            # History: a first secretary until the re-election, then the association's president.
            elected = term_queries.term_in_force(branch, today).started_on
            appoint_position(
                branch,
                full[2],
                actor=None,
                role=R.SECRETARY,
                valid_from=start,
                valid_to=elected - datetime.timedelta(days=1),
            )
            start = elected
        if len(full) >= 7 and key != "ai":
            roles = COMMITTEE_ROLES
        elif key == "finance":
            roles = [R.SECRETARY, R.DEPUTY_SECRETARY]
        else:
            roles = [R.SECRETARY]
        for role, member in zip(roles, full, strict=False):
            appoint_position(branch, member, actor=None, role=role, valid_from=start)
