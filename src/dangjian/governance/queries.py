"""Derived governance facts: 一肩挑 and whether principal leaders are party members."""

import datetime

from dangjian.governance.models import CharterRevision, UnitLeader
from dangjian.party.models import Coverage, Position

# A party post held together with a unit post by one person counts as 一肩挑.
PAIRS = {
    Position.Role.SECRETARY: (UnitLeader.Role.PRESIDENT, UnitLeader.Role.CHAIRMAN),
    Position.Role.DEPUTY_SECRETARY: (UnitLeader.Role.VICE_PRESIDENT,),
}


def one_shoulder(organization, day: datetime.date) -> list[tuple[Position, UnitLeader]]:
    """Pairs of (party post, unit post) held by the same member on ``day``."""
    party_orgs = (
        Coverage.objects.valid_on(day)
        .filter(organization=organization)
        .values("party_organization")
    )
    posts = list(
        Position.objects.valid_on(day)
        .filter(party_organization__in=party_orgs, role__in=list(PAIRS))
        .select_related("member", "party_organization")
    )
    leaders = list(
        UnitLeader.objects.valid_on(day).filter(organization=organization, member__isnull=False)
    )
    return [
        (post, leader)
        for post in posts
        for leader in leaders
        if leader.member_id == post.member_id and leader.role in PAIRS[post.role]
    ]


def principal_leaders(organization, day: datetime.date) -> list[UnitLeader]:
    return list(
        UnitLeader.objects.valid_on(day).filter(
            organization=organization, role__in=UnitLeader.PRINCIPAL_ROLES
        )
    )


def charter_in_force(organization, day: datetime.date) -> CharterRevision | None:
    return (
        CharterRevision.objects.filter(organization=organization, adopted_on__lte=day)
        .order_by("-adopted_on")
        .first()
    )
