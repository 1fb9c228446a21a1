"""A member's 组织关系 through time: each move dated, from and to a party organization of the
system or one outside it (``RelationPeriod``). The transfers workflow (组织关系转接) writes its
moves here; every as-of read uses the periods (``party.queries``).

``PartyMember.relation_party_organization`` / ``relation_external`` hold the current relation
(the open period's) for today's lists and scoping; only this module writes them
(``_sync_current``), in the same transaction as the periods.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core import bulk
from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.audit_bulk import record_changes, record_creations, record_events
from dangjian.core.events import AuditEvent
from dangjian.party.models import PartyMember, PartyOrganization, RelationPeriod
from dangjian.party.services.common import delete_fact

ONE_DAY = datetime.timedelta(days=1)
BATCH = 2000
EXTERNAL_MAX = 200

Holder = tuple[int | None, str]  # (party organization id, outside holder's name)


def holder_of(to: PartyOrganization | str | None) -> Holder | None:
    """A move's destination as stored: a party organization of the system, the name of one
    outside it, or None (no relation recorded from that day)."""
    if isinstance(to, PartyOrganization):
        return (to.pk, "")
    text = (to or "").strip()
    if not text:
        return None
    if len(text) > EXTERNAL_MAX:
        raise ValidationError(
            _("The name of the party organization outside the system is at most %(n)d characters.")
            % {"n": EXTERNAL_MAX}
        )
    return (None, text)


def _held(period: RelationPeriod) -> Holder:
    return (period.party_organization_id, period.external)


def earliest_start(member: PartyMember, to: PartyOrganization | str | None) -> datetime.date:
    """The day a relation of unknown start is taken to begin: the earliest it can have been
    held — the member's joining the party, or the party organization's founding if later
    (what the migration of the undated field assumed, see party/migrations/0005)."""
    if isinstance(to, PartyOrganization):
        return max(member.joined_party_on, to.valid_from)
    return member.joined_party_on


def _sync_current(member: PartyMember) -> None:
    """The member's current relation (the cache on PartyMember) from the open period."""
    current = (
        RelationPeriod.objects.filter(member=member, valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )
    po, ext = _held(current) if current else (None, "")
    if (member.relation_party_organization_id, member.relation_external) != (po, ext):
        member.relation_party_organization_id = po
        member.relation_external = ext
        member.save(
            update_fields=["relation_party_organization", "relation_external", "updated_at"]
        )


def _check_destination(to, on: datetime.date) -> None:
    if isinstance(to, PartyOrganization):
        if on < to.valid_from:
            raise ValidationError(
                _("That party organization was established on %(day)s, after this date.")
                % {"day": to.valid_from.isoformat()}
            )
        if to.valid_to is not None and to.valid_to < on:
            raise ValidationError(_("That party organization no longer exists on that date."))


@dataclass
class _Move:
    """What a move does to the member's periods (``_planned``; the rules in ``move_relation``)."""

    holder: Holder | None
    on: datetime.date
    containing: RelationPeriod | None  # the period holding the relation on ``on``
    following: RelationPeriod | None  # the first period begun after ``on``
    until: datetime.date | None = None  # the new period's last day
    kept: bool = False  # already held there that day: nothing changes

    @property
    def old(self) -> Holder | None:
        return _held(self.containing) if self.containing else None

    @property
    def replaces(self) -> bool:
        """The containing period began that same day: it is removed, not ended."""
        return self.containing is not None and self.containing.valid_from == self.on

    @property
    def extends(self) -> bool:
        """A later period with the same holder starts back at ``on`` instead of a new one."""
        return (
            self.holder is not None
            and self.following is not None
            and _held(self.following) == self.holder
            and self.until == self.following.valid_from - ONE_DAY
        )

    def event(self) -> dict:
        """The data of the move's ``MEMBER_RELATION_MOVED`` event."""
        old, holder = self.old, self.holder
        return {
            "on": str(self.on),
            "before": (old[0] or old[1]) if old else None,
            "after": (holder[0] or holder[1]) if holder else None,
        }


def _planned(periods: list[RelationPeriod], holder: Holder | None, on: datetime.date) -> _Move:
    """The move of a member with these periods (by start) to ``holder`` from ``on``."""
    containing = next((p for p in periods if p.is_valid_on(on)), None)
    following = next((p for p in periods if p.valid_from > on), None)
    move = _Move(holder, on, containing, following)
    if containing is not None and holder is not None and _held(containing) == holder:
        move.kept = True
        return move
    move.until = containing.valid_to if containing else None
    if following is not None and (move.until is None or following.valid_from <= move.until):
        move.until = following.valid_from - ONE_DAY
    return move


def _checked_move(to, on) -> Holder | None:
    if on is None:
        raise ValidationError(_("The date of the move is required."))
    holder = holder_of(to)
    _check_destination(to, on)
    return holder


@transaction.atomic
def move_relation(
    member: PartyMember, *, to: PartyOrganization | str | None, on: datetime.date, actor, note=""
) -> RelationPeriod | None:
    """From ``on`` the member's 组织关系 is held by ``to``: a PartyOrganization of the
    system, the name (text) of one outside it, or None (no longer recorded).

    The history stays one line of periods that never overlap: the period containing ``on``
    ends the day before (a period begun that same day is replaced), and the new one runs until
    the next recorded move, if one is recorded later (a move entered after the fact), else
    open. Moving to where the relation already is that day changes nothing (a re-import); a
    later period with the same holder is extended back to ``on``. Returns the period holding
    the relation from ``on`` (None when cleared).
    """
    holder = _checked_move(to, on)
    PartyMember.objects.select_for_update().filter(pk=member.pk).first()  # one writer per member
    move = _planned(
        list(RelationPeriod.objects.filter(member=member).order_by("valid_from")), holder, on
    )
    if move.kept:
        return move.containing
    containing, following = move.containing, move.following
    result = None
    if containing is not None:
        if move.replaces:
            delete_fact(containing, actor=actor, note=note)
        else:
            before = snapshot(containing)
            containing.valid_to = on - ONE_DAY
            containing.save(update_fields=["valid_to", "updated_at"])
            record_change(actor, containing, before, note=note)
    if holder is not None:
        if move.extends:
            assert following is not None
            before = snapshot(following)
            following.valid_from = on
            following.save(update_fields=["valid_from", "updated_at"])
            record_change(actor, following, before, note=note)
            result = following
        else:
            result = RelationPeriod.objects.create(
                member=member,
                party_organization_id=holder[0],
                external=holder[1],
                valid_from=on,
                valid_to=move.until,
            )
            record_change(actor, result, None, note=note)
    _sync_current(member)
    record_event(actor, AuditEvent.MEMBER_RELATION_MOVED, member, note=note, **move.event())
    return result


@transaction.atomic
def move_relations_bulk(
    moves: Iterable[tuple[PartyMember, PartyOrganization | str | None, datetime.date]],
    *,
    actor,
    note="",
) -> int:
    """``move_relation`` for many members at once — ``(member, to, on)`` triples, each member
    once — with the same periods, trail records and events, in a fixed number of statements per
    batch of members instead of about twenty per member (the ledger import moving a whole
    federation's members: 100,000 moves took over six minutes one by one). Returns how many
    members moved (a move to where the relation already is changes nothing, as one by one)."""
    moves = list(moves)
    ids = [member.pk for member, _to, _on in moves]
    if len(set(ids)) != len(ids):
        raise ValueError("move_relations_bulk: a member moved twice in one call")
    holders = [_checked_move(to, on) for _member, to, on in moves]
    periods: dict[int, list[RelationPeriod]] = {}
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        list(PartyMember.objects.select_for_update().filter(pk__in=part).values_list("pk"))
        for period in RelationPeriod.objects.filter(member_id__in=part).order_by("valid_from"):
            periods.setdefault(period.member_id, []).append(period)
    ended, extended, created, events = [], [], [], []
    for (member, to, on), holder in zip(moves, holders, strict=True):
        for period in periods.get(member.pk, ()):
            period.member = member  # named in its trail record: no query for it
        move = _planned(periods.get(member.pk, []), holder, on)
        if move.kept:
            continue
        if move.containing is not None:
            if move.replaces:
                delete_fact(move.containing, actor=actor, note=note)
            else:
                ended.append((move.containing, snapshot(move.containing)))
                move.containing.valid_to = on - ONE_DAY
        if holder is not None and move.extends:
            assert move.following is not None
            extended.append((move.following, snapshot(move.following)))
            move.following.valid_from = on
        elif holder is not None:
            created.append(
                RelationPeriod(
                    member=member,
                    party_organization=to if isinstance(to, PartyOrganization) else None,
                    external=holder[1],
                    valid_from=on,
                    valid_to=move.until,
                )
            )
        events.append((member, move.event()))
    now = timezone.now()
    for field, changed in (("valid_to", ended), ("valid_from", extended)):
        for period, _before in changed:
            period.updated_at = now
        bulk.update_objects([period for period, _before in changed], [field, "updated_at"])
        record_changes(actor, changed, note=note, always=True)
    RelationPeriod.objects.bulk_create(created, batch_size=BATCH)
    record_creations(
        actor,
        RelationPeriod._meta.label_lower,
        [(period.pk, str(period), snapshot(period)) for period in created],
        note=note,
    )
    _sync_current_bulk([member for member, _data in events])
    record_events(actor, AuditEvent.MEMBER_RELATION_MOVED, events, note=note)
    return len(events)


def _sync_current_bulk(members: list[PartyMember]) -> None:
    """``_sync_current`` for many members: their open periods read a batch at a time."""
    changed = []
    for start in range(0, len(members), BATCH):
        part = members[start : start + BATCH]
        current: dict[int, Holder] = {}
        for member_id, po, external in (
            RelationPeriod.objects.filter(member__in=part, valid_to__isnull=True)
            .order_by("valid_from")
            .values_list("member_id", "party_organization_id", "external")
        ):
            current[member_id] = (po, external)  # the latest open period wins, as one by one
        for member in part:
            po, ext = current.get(member.pk, (None, ""))
            if (member.relation_party_organization_id, member.relation_external) != (po, ext):
                member.relation_party_organization_id, member.relation_external = po, ext
                changed.append(member)
    now = timezone.now()
    for member in changed:
        member.updated_at = now
    bulk.update_objects(changed, ["relation_party_organization", "relation_external", "updated_at"])


@transaction.atomic
def correct_relation_start(
    period: RelationPeriod, valid_from: datetime.date, *, actor, note=""
) -> RelationPeriod:
    """The relation recorded in ``period`` was in fact held from ``valid_from``, later than
    recorded (an earlier start is a move: ``move_relation`` ends the overlapped period). The
    days in between become unrecorded."""
    period = RelationPeriod.objects.select_for_update().get(pk=period.pk)
    if valid_from <= period.valid_from:
        raise ValidationError(_("Record an earlier start as a move of the relation."))
    if period.valid_to is not None and valid_from > period.valid_to:
        raise ValidationError(_("The end date must not be earlier than the start date."))
    before = snapshot(period)
    period.valid_from = valid_from
    period.save(update_fields=["valid_from", "updated_at"])
    record_change(actor, period, before, note=note)
    return period


@transaction.atomic
def remove_relation_period(period: RelationPeriod, *, actor, note="") -> None:
    """Remove a period recorded by mistake; the period before it runs on to where it ended
    (as if the mistaken move had never been recorded)."""
    period = RelationPeriod.objects.select_for_update().get(pk=period.pk)
    member = period.member
    previous = (
        RelationPeriod.objects.filter(member=member, valid_to=period.valid_from - ONE_DAY)
        .exclude(pk=period.pk)
        .first()
    )
    delete_fact(period, actor=actor, note=note)
    if previous is not None:
        before = snapshot(previous)
        previous.valid_to = period.valid_to
        previous.save(update_fields=["valid_to", "updated_at"])
        record_change(actor, previous, before, note=note)
    _sync_current(member)


def start_relations_bulk(
    rows: Iterable[tuple[PartyMember, PartyOrganization | str | None, datetime.date | None]],
    *,
    actor,
    note="",
) -> int:
    """The first relation of members that have none yet (new members): ``(member, holder,
    since)`` triples; ``since`` None is the earliest possible start (``earliest_start``).
    Returns how many periods were written."""
    periods, members = [], []
    for member, to, since in rows:
        holder = holder_of(to)
        if holder is None:
            continue
        start = since or earliest_start(member, to)
        _check_destination(to, start)
        periods.append(
            RelationPeriod(
                member=member,
                party_organization_id=holder[0],
                external=holder[1],
                valid_from=start,
            )
        )
        member.relation_party_organization_id, member.relation_external = holder
        members.append(member)
    RelationPeriod.objects.bulk_create(periods, batch_size=BATCH)
    bulk.update_objects(members, ["relation_party_organization", "relation_external"])
    if periods:
        record_event(
            actor,
            AuditEvent.MEMBER_RELATION_MOVED,
            None,
            note=note,
            created=len(periods),
            members=[m.pk for m in members][:1000],
        )
    return len(periods)
