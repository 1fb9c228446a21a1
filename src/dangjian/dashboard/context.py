"""What a panel computes over: a federation (its subtree), a day, and what the viewer may see.

Every queryset comes from the one door (``access.scope``) for ``viewer``, narrowed to the
federation's subtree. The dashboard is opened on a federation the viewer may see
(``scope.federations``): the officers of it or of a federation above it, and the system
administrator — all of whom see at least what an officer of that federation sees. So the
nightly snapshot, computed for ``scope.officer_of(federation)``, holds the same figures the
viewer would compute live.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from dangjian.access import scope
from dangjian.access.models import Action
from dangjian.core.models import valid_on_q
from dangjian.dues.queries import month_end, month_start
from dangjian.party.models import Employment, PartyMember, PartyOrganization
from dangjian.party.queries import held_in_q, member_in_ledger_q
from dangjian.registry.models import Federation, Membership
from dangjian.rulebook.periods import add_months


@dataclass
class Context:
    federation: Federation
    day: datetime.date
    viewer: Any  # a signed-in user, or scope.officer_of(federation) for the snapshots
    months: int = 12
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def for_snapshot(cls, federation: Federation, day: datetime.date) -> Context:
        return cls(federation, day, scope.officer_of(federation))

    # -- the months shown: the last ``months`` ended ones (the day's own when it is its last) --
    @cached_property
    def last_month(self) -> datetime.date:
        month = month_start(self.day)
        return month if month_end(month) <= self.day else add_months(month, -1)

    @cached_property
    def month_list(self) -> list[datetime.date]:
        return [add_months(self.last_month, -i) for i in range(self.months - 1, -1, -1)]

    # -- the one door, narrowed to the federation's subtree ------------------------------------
    @cached_property
    def federation_ids(self) -> list[int]:
        return list(self.federation.subtree().values_list("pk", flat=True))

    def units(self):
        """Member units of the subtree on the day that the viewer may see."""
        members_now = Membership.objects.filter(
            valid_on_q(self.day), organization=OuterRef("pk"), federation_id__in=self.federation_ids
        )
        return scope.organizations(self.viewer).filter(Exists(members_now))

    def party_organizations(self) -> QuerySet[PartyOrganization]:
        """The subtree's party organizations standing on the day that the viewer may see."""
        return scope.party_organizations(self.viewer).filter(
            valid_on_q(self.day), federation_id__in=self.federation_ids
        )

    def members(self) -> QuerySet[PartyMember]:
        """Party members of the subtree on the day (employed by one of its member units, or
        holding their 组织关系 in one of its party organizations), joined by then and still in
        the ledger, that the viewer may see (personal data: ``scope.members``)."""
        units = Membership.objects.filter(
            valid_on_q(self.day), federation_id__in=self.federation_ids
        ).values("organization")
        employed = Employment.objects.filter(
            valid_on_q(self.day), member=OuterRef("pk"), organization__in=units
        )
        party_orgs = PartyOrganization.objects.filter(federation_id__in=self.federation_ids)
        return scope.members(self.viewer).filter(
            Q(Exists(employed)) | held_in_q(self.day, party_orgs),
            member_in_ledger_q(self.day),
            joined_party_on__lte=self.day,
        )

    def findings(self):
        return scope.visible("rules.Finding", self.viewer).filter(
            federation_id__in=self.federation_ids
        )

    def notices(self):
        """Published notices of the subtree on the sender's side (``notices.access_rules``)."""
        from dangjian.notices.access_rules import managed_notices

        return managed_notices(self.viewer).filter(federation_id__in=self.federation_ids)

    def duties(self):
        """Recurring duties (N-8) set up in the subtree: configured by its officers, whom
        alone the dashboard is opened for (``scope.federations``)."""
        from dangjian.notices.models import Duty

        return Duty.objects.filter(federation_id__in=self.federation_ids)

    def dues_branches(self) -> QuerySet[PartyOrganization]:
        return scope.dues_branches(self.viewer, Action.VIEW).filter(
            federation_id__in=self.federation_ids
        )

    # -- links to the lists behind the figures -------------------------------------------------
    def url(self, name: str, **query: Any) -> str:
        query = {k: v for k, v in query.items() if v not in (None, "")}
        return reverse(name) + ("?" + urlencode(query) if query else "")
