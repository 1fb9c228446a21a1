"""A member's standing and flowing on a day (LIFECYCLE M-5, T-7, T-8), read from the dated
standing decisions (失联, 恢复联系, 停止党籍, 恢复党籍, 除名) and flowing periods (流动党员).

- one member's standing on a day: ``standing_on`` (``NORMAL``, ``LOST``, ``SUSPENDED``,
  ``REMOVED``; ``STANDING_LABELS``), from ``last_decision``;
- its set forms: ``standing_q``, and the two the counts read, ``suspended_q`` (no vote, no
  quorum count) and ``lost_q``;
- the flowing periods in force on a day: ``flowing_on``; the rulebook's months away after
  which a member is registered as flowing: ``flowing_months``.

Their own module, apart from ``party.queries``: the decisions and flowing periods alone answer
these, and the transfers, the lost-contact rule and the standing workflow
(``party.services.standing``, which records the decisions) read them. ``party.queries`` reads
them in turn (a suspended member does not vote; the flowing members a branch hosts), never the
other way round.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import valid_on_q
from dangjian.party.models import FlowingPeriod, PartyMember, StandingDecision
from dangjian.rulebook import params

NORMAL, LOST, SUSPENDED, REMOVED = "normal", "lost_contact", "suspended", "removed"
# The standing each decision leaves the member in.
STANDING_AFTER: dict[str, str] = {
    StandingDecision.Kind.LOST_CONTACT: LOST,
    StandingDecision.Kind.CONTACT_RESTORED: NORMAL,
    StandingDecision.Kind.SUSPENDED: SUSPENDED,
    StandingDecision.Kind.RESTORED: NORMAL,
    StandingDecision.Kind.REMOVED: REMOVED,
}
STANDING_LABELS = {
    NORMAL: _("normal"),
    LOST: _("lost contact"),
    SUSPENDED: _("party membership suspended"),
    REMOVED: _("removed from the party"),
}


def last_decision(member: PartyMember, day: datetime.date) -> StandingDecision | None:
    """The member's latest standing decision taken on or before ``day``."""
    return (
        StandingDecision.objects.filter(member=member, decided_on__lte=day)
        .order_by("-decided_on", "-id")
        .first()
    )


def standing_on(member: PartyMember, day: datetime.date) -> str:
    """The member's standing on ``day``: what their latest decision by then left it (normal
    when none was recorded)."""
    decision = last_decision(member, day)
    return STANDING_AFTER[decision.kind] if decision else NORMAL


def standing_q(day: datetime.date, kinds, ref: str = "pk") -> Q:
    """The member at ``ref``'s latest decision on or before ``day`` is one of ``kinds``.

    The first condition (a decision of those kinds by that day, an IN over the few members who
    have one) is implied by the second; it lets the database skip the latest-decision subquery
    for the members without any, filtered or excluded: counting a federation's members declared
    lost contact tested each of a million members' latest decision (12 s on PostgreSQL)."""
    decided = StandingDecision.objects.filter(kind__in=kinds, decided_on__lte=day).values("member")
    return Q(**{f"{ref}__in": decided}) & Q(
        Exists(
            StandingDecision.objects.filter(
                pk=Subquery(
                    StandingDecision.objects.filter(
                        member=OuterRef(OuterRef(ref)), decided_on__lte=day
                    )
                    .order_by("-decided_on", "-id")
                    .values("pk")[:1]
                ),
                kind__in=kinds,
            )
        )
    )


def suspended_q(day: datetime.date, ref: str = "pk") -> Q:
    """Membership suspended (停止党籍) on ``day``: no vote, no quorum count (LIFECYCLE O-5)."""
    return standing_q(day, [StandingDecision.Kind.SUSPENDED], ref)


def lost_q(day: datetime.date, ref: str = "pk") -> Q:
    """Declared lost contact, or suspended after it, on ``day``."""
    return standing_q(
        day, [StandingDecision.Kind.LOST_CONTACT, StandingDecision.Kind.SUSPENDED], ref
    )


def flowing_on(day: datetime.date) -> QuerySet[FlowingPeriod]:
    """The flowing periods in force on ``day`` (a member is flowing in one at a time)."""
    return FlowingPeriod.objects.filter(valid_on_q(day))


def flowing_months(federation=None, day: datetime.date | None = None) -> int:
    """Months away after which a member who has not transferred is registered as flowing."""
    return int(
        params.value("members.lost_contact", "flowing_months", day=day, federation=federation)
    )
