"""Whom a notice goes to: the units and party organizations a sender speaks to, and the
targets resolved once, by name, when it is published (N-1)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from dangjian.core.models import valid_on_q
from dangjian.notices.models import Notice
from dangjian.party.models import Coverage, PartyMember, PartyOrganization
from dangjian.party.queries import held_in_q, member_in_ledger_q
from dangjian.registry.models import Membership, Organization


@dataclass(frozen=True)
class Target:
    field: str  # "organization", "party_organization" or "member"
    pk: int
    name: str


def sender_units(federation_id: int, party_organization_id: int | None, day: datetime.date) -> Any:
    """The member units a sender speaks to: the federation's current members, or the units a
    sending party organization covers today."""
    if party_organization_id is not None:
        covered = Coverage.objects.filter(
            valid_on_q(day), party_organization_id=party_organization_id
        )
        return Organization.objects.filter(pk__in=covered.values("organization"))
    members = Membership.objects.filter(valid_on_q(day), federation_id=federation_id)
    return Organization.objects.filter(pk__in=members.values("organization"))


def sender_branches(
    federation_id: int, party_organization_id: int | None, day: datetime.date
) -> Any:
    """The party organizations a sender speaks to: the federation's, or a sending party
    organization and those directly below it."""
    current = PartyOrganization.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    if party_organization_id is not None:
        return current.filter(Q(pk=party_organization_id) | Q(parent_id=party_organization_id))
    return current.filter(federation_id=federation_id)


def resolve_targets(notice: Notice, day: datetime.date | None = None) -> list[Target]:
    """Who the notice goes to on ``day`` (today), each target once, by name."""
    day = day or timezone.localdate()
    audience = notice.audience
    if audience in (Notice.Audience.ALL_UNITS, Notice.Audience.CATEGORY, Notice.Audience.UNITS):
        units = sender_units(notice.federation_id, notice.party_organization_id, day)
        if audience == Notice.Audience.CATEGORY:
            units = units.filter(category=notice.category)
        elif audience == Notice.Audience.UNITS:
            units = units.filter(pk__in=notice.organizations.values("pk"))
        return [
            Target("organization", pk, name)
            for pk, name in units.order_by("name", "pk").values_list("pk", "name")
        ]
    branches = sender_branches(notice.federation_id, notice.party_organization_id, day)
    chosen = notice.target_branches.values("pk")
    if audience == Notice.Audience.BRANCHES:
        if notice.target_branches.exists():
            branches = branches.filter(pk__in=chosen)
        elif notice.party_organization_id is not None:
            # "Every party organization" from a secretary: those below theirs, not theirs.
            branches = branches.exclude(pk=notice.party_organization_id)
        return [
            Target("party_organization", pk, name)
            for pk, name in branches.order_by("name", "pk").values_list("pk", "name")
        ]
    if audience == Notice.Audience.MEMBERS:
        if notice.target_branches.exists():
            branches = branches.filter(pk__in=chosen)
        members = PartyMember.objects.filter(
            member_in_ledger_q(day), held_in_q(day, branches.values("pk"))
        )
        return [
            Target("member", pk, name)
            for pk, name in members.order_by("name", "pk").values_list("pk", "name")
        ]
    raise ValueError(f"unknown audience {audience!r}")
