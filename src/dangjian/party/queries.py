"""The one definition of each party-ledger concept that several apps read.

The rules, the workflows' checks, the inspections' party section and the profile page all ask
these questions; each is answered here once, as querysets and subquery expressions (never Python
loops), so a workflow never accepts what the rules will flag later.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from dangjian.core.models import valid_on_q
from dangjian.party.models import Employment, PartyMember
from dangjian.registry.models import Federation, Membership


def members_of_federation(federation: Federation) -> QuerySet[PartyMember]:
    """Party members held in ``federation``'s ledger (or a ledger below it): employed, now or
    before, by one of its member units, or holding their 组织关系 in one of its party
    organizations. This is what the federation's officers may see and link to."""
    units = Membership.objects.filter(federation__path__startswith=federation.path).values(
        "organization"
    )
    employed = Employment.objects.filter(member=OuterRef("pk"), organization__in=units)
    return PartyMember.objects.filter(
        Q(Exists(employed))
        | Q(relation_party_organization__federation__path__startswith=federation.path)
    )


def held_elsewhere(hashes: list[str], federation: Federation) -> set[str]:
    """Of these ID-number blind indexes, those held only outside ``federation``'s ledger.

    Only the fact "held elsewhere" comes back (no name, no federation): the minimum a reviewer
    needs to know the member must be transferred first."""
    everywhere = set(
        PartyMember.objects.filter(id_number_hash__in=hashes).values_list(
            "id_number_hash", flat=True
        )
    )
    inside = set(
        members_of_federation(federation)
        .filter(id_number_hash__in=hashes)
        .values_list("id_number_hash", flat=True)
    )
    return everywhere - inside


def member_in_ledger_q(day: datetime.date, prefix: str = "") -> Q:
    """Still in the ledger on ``day``: not left, or left after it (a member who left on the
    day is gone that day)."""
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})


def employed_members(units, day: datetime.date) -> QuerySet[PartyMember]:
    """Members (full or probationary) employed by any of ``units`` on ``day`` and still in the
    ledger that day."""
    employed = Employment.objects.filter(
        valid_on_q(day), organization__in=units, member=OuterRef("pk")
    )
    return PartyMember.objects.filter(Exists(employed)).filter(member_in_ledger_q(day))
