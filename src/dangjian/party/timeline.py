"""A member's file (一人一档): one timeline of their life in the system, as of any day.

The registry: each app that holds a part of a member's life registers a source here (from its
AppConfig.ready) — the party ledger its own (joining, full membership, relation moves, posts,
employment, flowing periods, contacts, standing decisions), orglife the meetings attended, dues
the payments, transfers the letters; the recruitment app registers its steps the same way. A
source is ``source(member, as_of) -> iterable of Entry``, giving only what happened on or before
``as_of``. The member's page and its download read ``entries``; nothing else assembles it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dangjian.party.models import (
    ContactRecord,
    Employment,
    FlowingPeriod,
    PartyMember,
    Position,
    RelationPeriod,
    StandingDecision,
)


@dataclass(frozen=True)
class Entry:
    day: datetime.date
    topic: str  # what part of the life (组织关系, 党内职务, 组织生活 …), in words
    text: str  # what happened, in Chinese
    source: str  # the registering app's label


Source = Callable[[PartyMember, datetime.date], Iterable[Entry]]
_SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Add a source of timeline entries under ``name`` (once; a second registration of the
    same name replaces it, so a reloaded app does not count twice)."""
    _SOURCES[name] = source


def sources() -> list[str]:
    return list(_SOURCES)


def entries(member: PartyMember, *, as_of: datetime.date) -> list[Entry]:
    """Every entry of the member's life on or before ``as_of``, oldest first."""
    rows = [e for source in _SOURCES.values() for e in source(member, as_of) if e.day <= as_of]
    return sorted(rows, key=lambda e: (e.day, str(e.topic)))


# -- the party ledger's own entries ---------------------------------------------------------------


def _periods(qs, as_of, topic, began, ended):
    for p in qs.filter(valid_from__lte=as_of):
        yield Entry(p.valid_from, topic, began(p), "party")
        if p.valid_to is not None and p.valid_to <= as_of:
            yield Entry(p.valid_to, topic, ended(p), "party")


def _party(member: PartyMember, as_of: datetime.date) -> Iterable[Entry]:
    membership = str(_("party membership"))
    if member.joined_party_on <= as_of:
        yield Entry(member.joined_party_on, membership, "入党（预备党员）", "party")
    if member.full_member_on and member.full_member_on <= as_of:
        yield Entry(member.full_member_on, membership, "转为正式党员", "party")
    if member.left_on and member.left_on <= as_of:
        yield Entry(member.left_on, membership, "离开党员台账", "party")
    relation = str(_("organizational relation"))
    moves = RelationPeriod.objects.filter(member=member, valid_from__lte=as_of).select_related(
        "party_organization"
    )
    for p in moves:
        yield Entry(p.valid_from, relation, f"组织关系转入：{p.holder_name}", "party")
    posts = Position.objects.filter(member=member).select_related("party_organization")
    yield from _periods(
        posts,
        as_of,
        str(_("party post")),
        lambda p: f"任{p.party_organization.name}{p.get_role_display()}",
        lambda p: f"{p.party_organization.name}{p.get_role_display()}任职结束",
    )
    jobs = Employment.objects.filter(member=member).select_related("organization")
    yield from _periods(
        jobs,
        as_of,
        str(_("employment")),
        lambda e: f"入职{e.organization.name}" + (f"（{e.job_title}）" if e.job_title else ""),
        lambda e: f"离开{e.organization.name}",
    )
    flowing = FlowingPeriod.objects.filter(member=member).select_related("host_party_organization")
    yield from _periods(
        flowing,
        as_of,
        str(_("flowing member")),
        lambda f: (
            f"登记为流动党员：{f.whereabouts}"
            + (
                f"，在{f.host_party_organization.name if f.host_party_organization else f.host_external}参加组织生活"
                if (f.host_party_organization_id or f.host_external)
                else ""
            )
        ),
        lambda f: "流动结束",
    )
    for c in ContactRecord.objects.filter(member=member, on__lte=as_of):
        words = "联系上本人" if c.reached else "未能联系上本人"
        yield Entry(c.on, str(_("contact")), f"{c.get_method_display()}：{words}", "party")
    for d in StandingDecision.objects.filter(member=member, decided_on__lte=as_of):
        yield Entry(
            d.decided_on, str(_("standing")), f"{d.decided_by}决定：{d.get_kind_display()}", "party"
        )


register("party", _party)
