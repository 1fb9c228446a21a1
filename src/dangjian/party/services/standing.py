"""Flowing members (流动党员), contacts with members and decisions on a member's standing
(失联, 停止党籍, 恢复党籍, 除名) — LIFECYCLE T-7, T-8, M-5.

The system proposes (the lost-contact rule); people decide, each decision recorded with its
date and the body that took it. ``PartyMember.is_flowing`` / ``is_lost_contact`` are kept here
as today's values for the lists, beside the dated records every as-of read uses.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_change, snapshot
from dangjian.party import queries, standing_queries
from dangjian.party.models import (
    ContactRecord,
    FlowingPeriod,
    PartyMember,
    PartyOrganization,
    StandingDecision,
)
from dangjian.party.services.relations import holder_of
from dangjian.rulebook import params
from dangjian.rulebook.periods import add_months

Kind = StandingDecision.Kind
RULE = "members.lost_contact"


def _sync_flags(member: PartyMember, *, actor, note="") -> None:
    """Today's flowing and lost-contact flags from the dated records."""
    from django.utils import timezone

    today = timezone.localdate()
    flowing = standing_queries.flowing_on(today).filter(member=member).exists()
    lost = standing_queries.standing_on(member, today) in (
        standing_queries.LOST,
        standing_queries.SUSPENDED,
    )
    if (member.is_flowing, member.is_lost_contact) != (flowing, lost):
        before = snapshot(member)
        member.is_flowing, member.is_lost_contact = flowing, lost
        member.save(update_fields=["is_flowing", "is_lost_contact", "updated_at"])
        record_change(actor, member, before, note=note)


@transaction.atomic
def register_flowing(
    member: PartyMember,
    *,
    since: datetime.date,
    whereabouts: str,
    certificate_no: str = "",
    host: PartyOrganization | str | None = None,
    actor,
    note: str = "",
) -> FlowingPeriod:
    """Register the member as flowing from ``since``: away from their branch without having
    transferred their relation. ``host``: the party organization (of the system, or the name
    of one outside it) where they take part in organizational life, without a vote."""
    PartyMember.objects.select_for_update().filter(pk=member.pk).first()
    if since is None:
        raise ValidationError(_("The start date is required."))
    if not (whereabouts or "").strip():
        raise ValidationError(_("Say where the member is."))
    if since < member.joined_party_on:
        raise ValidationError(_("The member had not joined the party on that date."))
    holder = holder_of(host)
    if isinstance(host, PartyOrganization):
        relation = queries.relation_on(member, since)
        if relation is not None and relation.party_organization_id == host.pk:
            raise ValidationError(
                _(
                    "The host branch is the member's own branch: a flowing member takes part elsewhere."
                )
            )
    overlapping = FlowingPeriod.objects.filter(member=member, valid_to__isnull=True).exists() or (
        FlowingPeriod.objects.filter(member=member, valid_to__gte=since).exists()
    )
    if overlapping:
        raise ValidationError(_("The member is already registered as flowing on that date."))
    period = FlowingPeriod.objects.create(
        member=member,
        valid_from=since,
        whereabouts=whereabouts.strip(),
        certificate_no=(certificate_no or "").strip(),
        host_party_organization_id=holder[0] if holder else None,
        host_external=holder[1] if holder else "",
    )
    record_change(actor, period, None, note=note)
    _sync_flags(member, actor=actor, note=note)
    return period


@transaction.atomic
def end_flowing(
    period: FlowingPeriod, *, on: datetime.date, actor, note: str = ""
) -> FlowingPeriod:
    """The member is back (or has transferred): the flowing period ends on ``on``."""
    period = FlowingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.valid_to is not None:
        raise ValidationError(_("This record has already ended."))
    if on < period.valid_from:
        raise ValidationError(_("The end date must not be earlier than the start date."))
    before = snapshot(period)
    period.valid_to = on
    period.save(update_fields=["valid_to", "updated_at"])
    record_change(actor, period, before, note=note)
    _sync_flags(period.member, actor=actor, note=note)
    return period


@transaction.atomic
def record_contact(
    member: PartyMember,
    *,
    on: datetime.date,
    method: str,
    reached: bool,
    note: str = "",
    actor,
) -> ContactRecord:
    """One contact with the member, or one attempt to reach them (a documented search)."""
    if on is None:
        raise ValidationError(_("The date is required."))
    if method not in ContactRecord.Method.values:
        raise ValidationError(_("Choose how the member was contacted."))
    record = ContactRecord.objects.create(
        member=member, on=on, method=method, reached=bool(reached), note=(note or "").strip()
    )
    record_change(actor, record, None)
    return record


def _refuse(message) -> None:
    raise ValidationError(message)


@transaction.atomic
def record_standing_decision(
    member: PartyMember,
    *,
    kind: str,
    decided_on: datetime.date,
    decided_by: str,
    document_no: str = "",
    reason: str = "",
    actor,
) -> StandingDecision:
    """Record a decision on the member's standing, taken by people (LIFECYCLE M-5, T-8):

    - declared lost contact, or contact restored (from lost contact);
    - membership suspended (停止党籍): only a member declared lost, after at least one
      recorded attempt to reach them since (the documented search);
    - restored (恢复党籍): only a suspended member;
    - removed (除名): only a member suspended for the rulebook's ``removal_review_months``
      (two years) or more; the member leaves the ledger that day, their history kept.

    Decisions follow each other in date order.
    """
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    if kind not in Kind.values:
        _refuse(_("Choose a decision."))
    if decided_on is None:
        _refuse(_("The date of the decision is required."))
    if not (decided_by or "").strip():
        _refuse(_("Name the body that took the decision."))
    latest = StandingDecision.objects.filter(member=member).order_by("-decided_on", "-id").first()
    if latest is not None and decided_on < latest.decided_on:
        _refuse(
            _("A later decision is already recorded (%(day)s): decisions are recorded in order.")
            % {"day": latest.decided_on.isoformat()}
        )
    standing = standing_queries.STANDING_AFTER[latest.kind] if latest else standing_queries.NORMAL
    if standing == standing_queries.REMOVED:
        _refuse(_("The member has been removed from the party."))
    federation = (
        member.relation_party_organization.federation
        if member.relation_party_organization
        else None
    )
    if kind == Kind.LOST_CONTACT and standing != standing_queries.NORMAL:
        _refuse(_("Only a member in normal standing can be declared lost contact."))
    if kind == Kind.CONTACT_RESTORED and standing != standing_queries.LOST:
        _refuse(_("Contact can be restored only with a member declared lost contact."))
    if kind == Kind.SUSPENDED:
        if standing != standing_queries.LOST:
            _refuse(_("Only a member declared lost contact can have their membership suspended."))
        assert latest is not None
        searched = ContactRecord.objects.filter(
            member=member, reached=False, on__gte=latest.decided_on, on__lte=decided_on
        ).exists()
        if not searched:
            _refuse(
                _(
                    "Record at least one attempt to reach the member since they were declared "
                    "lost contact before suspending their membership (a documented search)."
                )
            )
    if kind == Kind.RESTORED and standing != standing_queries.SUSPENDED:
        _refuse(_("Only a suspended membership can be restored."))
    if kind == Kind.REMOVED:
        if standing != standing_queries.SUSPENDED:
            _refuse(_("Only a member whose membership is suspended can be removed."))
        assert latest is not None
        months = int(
            params.value(RULE, "removal_review_months", day=decided_on, federation=federation)
        )
        earliest = add_months(latest.decided_on, months)
        if decided_on < earliest:
            _refuse(
                _(
                    "Removal is decided after the membership has been suspended for %(months)d "
                    "months: not before %(day)s."
                )
                % {"months": months, "day": earliest.isoformat()}
            )
    decision = StandingDecision.objects.create(
        member=member,
        kind=kind,
        decided_on=decided_on,
        decided_by=decided_by.strip(),
        document_no=(document_no or "").strip(),
        reason=(reason or "").strip(),
    )
    record_change(actor, decision, None)
    if kind == Kind.REMOVED and member.left_on is None:
        before = snapshot(member)
        member.left_on = decided_on
        member.save(update_fields=["left_on", "updated_at"])
        record_change(actor, member, before)
    _sync_flags(member, actor=actor)
    return decision
