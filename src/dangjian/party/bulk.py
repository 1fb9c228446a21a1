"""The bulk forms of the party services: many rows in one call, for the ledger import, the
workflows and the demo builders.

Rows are plain dicts of model field values (``*_id`` for foreign keys), what an import row
holds once checked. The caller has checked them (the import's check/classify); these still
refuse a missing start date or an end before the start. New rows are inserted in batches and
the audit trail gets one event per call with the counts; changed rows get a field-level record
each, as the single-row services write (``record_changes``: in batches, the objects the
records name loaded a batch at a time).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core import bulk, crypto
from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.audit_bulk import record_changes
from dangjian.core.events import AuditEvent
from dangjian.core.validators import id_number_birth_date
from dangjian.party.models import (
    Coverage,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.party.services import (
    INSTRUCTOR_FIELDS,
    MEMBER_FIELDS,
    PARTY_ORG_FIELDS,
    check_period,
    start_relations_bulk,
)

BATCH = 2000
# Blind indexes per statement when flagging shared ID numbers (under SQLite's variable limit).
HASHES_PER_QUERY = 500


def mark_shared_id_numbers(hashes: Iterable[str] | None = None) -> int:
    """Flag (``PartyMember.id_number_shared``) every ledger entry whose ID number another entry
    also holds, among the entries with these blind indexes — every entry when None, which also
    clears the flags that no longer hold (the consistency rebuild). Returns how many flags
    changed. Called by ``PartyMember.save`` and by the bulk paths that can enter a number twice;
    the ledger import cannot (it links a known number to its entry and refuses one twice in a
    file), nor can ``services.register_or_link_member``."""
    if hashes is None:
        return _mark_shared(PartyMember.objects.exclude(id_number_hash=""), clear=True)
    wanted = sorted({h for h in hashes if h})
    return sum(
        _mark_shared(
            PartyMember.objects.filter(id_number_hash__in=wanted[i : i + HASHES_PER_QUERY]),
            clear=False,
        )
        for i in range(0, len(wanted), HASHES_PER_QUERY)
    )


def _mark_shared(members, *, clear: bool) -> int:
    twice = (
        members.order_by()
        .values("id_number_hash")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("id_number_hash")
    )
    changed = members.filter(id_number_shared=False, id_number_hash__in=twice).update(
        id_number_shared=True
    )
    if clear:
        changed += (
            members.filter(id_number_shared=True)
            .exclude(id_number_hash__in=twice)
            .update(id_number_shared=False)
        )
    return changed


def _insert(model, rows: list[dict], *, actor, event: str, note: str, obj=None, **counts):
    """bulk_create the rows as ``model`` instances; one audit event with the count and ids."""
    objs = [model(**row) for row in rows]
    model.objects.bulk_create(objs, batch_size=BATCH)
    if objs:
        record_event(
            actor,
            event,
            obj,
            note=note,
            created=len(objs),
            ids=[o.pk for o in objs if o.pk is not None][:1000],
            **counts,
        )
    return objs


def _update_each(changes, *, actor, note: str, allowed=None, periods: bool = True) -> int:
    """Apply ``{field: value}`` to each object and write them with one short UPDATE per
    object (``core.bulk.update``, batched); one audit record per object that really changed.
    Returns how many changed."""
    changed, fields, rows = [], set(), []
    renumbered: list[str] = []  # the members' new blind indexes (a number may now be twice)
    now = timezone.now()
    for obj, values in changes:
        if allowed is not None:
            unknown = set(values) - set(allowed)
            if unknown:
                raise ValidationError(
                    _("The field %(field)s cannot be changed here.") % {"field": sorted(unknown)[0]}
                )
        before = snapshot(obj)
        differs = {f: v for f, v in values.items() if getattr(obj, f) != v}
        if not differs:
            continue
        for field, value in differs.items():
            setattr(obj, field, value)
        if periods and hasattr(obj, "valid_from"):
            check_period(obj.valid_from, obj.valid_to)
        if isinstance(obj, PartyMember) and "id_number" in differs:
            # PartyMember.save keeps the blind index; a bulk UPDATE does not call save.
            obj.id_number_hash = crypto.blind_index(obj.id_number) if obj.id_number else ""
            obj.id_suffix_hash = crypto.suffix_index(obj.id_number) if obj.id_number else ""
            differs["id_number_hash"] = obj.id_number_hash
            renumbered.append(obj.id_number_hash)
            differs["id_suffix_hash"] = obj.id_suffix_hash
        obj.updated_at = now
        fields |= {f.removesuffix("_id") if f.endswith("_id") else f for f in differs}
        rows.append(obj)
        changed.append((obj, before))
    if rows:
        # Every row gets every changed field (its own values), as bulk_update writes them;
        # not bulk_update itself: its CASE per field grows with the batch (100,000 members
        # re-imported with a new education took 42 s in it).
        bulk.update_objects(rows, [*sorted(fields), "updated_at"])
        mark_shared_id_numbers(renumbered)
    _audit(actor, changed, note)
    return len(changed)


def _audit(actor, changed: list, note: str) -> int:
    """One ``update`` record per changed ``(object, before)``, written in batches.
    ``always``: every object here did change, even where its masked values compare equal (a
    phone changed within its hidden digits still leaves its record, with the note)."""
    return record_changes(actor, changed, note=note, always=True)


def _end_each(pairs, *, actor, note: str) -> int:
    """End each open validity-period fact on its last day (``(obj, last day)`` pairs)."""
    ended, now = [], timezone.now()
    for obj, on in pairs:
        before = snapshot(obj)
        obj.valid_to = max(on, obj.valid_from)
        obj.updated_at = now
        ended.append((obj, before))
    if ended:
        bulk.update_objects([obj for obj, _before in ended], ["valid_to", "updated_at"])
    return _audit(actor, ended, note)


def _periods(rows: list[dict], start: str = "valid_from") -> None:
    for row in rows:
        check_period(row.get(start), row.get("valid_to"))


# -- members -------------------------------------------------------------------------------------


@transaction.atomic
def create_members_bulk(rows: Iterable[dict], *, actor, note: str = "") -> list[PartyMember]:
    """Enter many party members. Each row holds PartyMember fields with the ID number in clear
    (``id`` may be given, e.g. reserved beforehand); the blind index and the birth date are
    derived from the ID number when absent. The 组织关系 (``relation_party_organization_id``
    or ``relation_external``, from ``relation_since``) becomes the member's first period. No duplicate check: the caller has matched the
    rows against the ledger (``party.queries.members_of_federation``)."""
    prepared, relations = [], []
    for row in rows:
        values = {k: v for k, v in row.items() if k in MEMBER_FIELDS or k == "id"}
        number = values.get("id_number") or ""
        values["id_number_hash"] = row.get("id_number_hash") or (
            crypto.blind_index(number) if number else ""
        )
        values["id_suffix_hash"] = row.get("id_suffix_hash") or (
            crypto.suffix_index(number) if number else ""
        )
        if number and not values.get("birth_date"):
            values["birth_date"] = id_number_birth_date(number)
        prepared.append(values)
        relations.append(
            (
                row.get("relation_party_organization_id") or row.get("relation_external"),
                row.get("relation_since"),
            )
        )
    members = _insert(
        PartyMember, prepared, actor=actor, event=AuditEvent.PARTY_MEMBERS_CREATED, note=note
    )
    mark_shared_id_numbers(m["id_number_hash"] for m in prepared)
    # Each member's first 组织关系 becomes its first dated period (services.relations).
    party_orgs = PartyOrganization.objects.in_bulk(
        [to for to, _since in relations if isinstance(to, int)]
    )
    start_relations_bulk(
        [
            (member, party_orgs[to] if isinstance(to, int) else to, since)
            for member, (to, since) in zip(members, relations, strict=True)
            if to
        ],
        actor=actor,
        note=note,
    )
    return members


@transaction.atomic
def update_members_bulk(
    changes: Iterable[tuple[PartyMember, dict]], *, actor, note: str = ""
) -> int:
    """Change many members: ``(member, {field: value})`` pairs. Returns how many changed."""
    return _update_each(changes, actor=actor, note=note, allowed=MEMBER_FIELDS, periods=False)


@transaction.atomic
def move_relations_bulk(
    moves: Iterable[tuple[PartyMember, PartyOrganization | str | None]],
    *,
    on: datetime.date,
    actor,
    note: str = "",
) -> int:
    """Move many members' 组织关系 on the same day (see ``services.move_relation``)."""
    from dangjian.party.services import move_relation

    moved = 0
    for member, to in moves:
        move_relation(member, to=to, on=on, actor=actor, note=note)
        moved += 1
    return moved


@transaction.atomic
def move_relations_of_units(
    party_org: PartyOrganization, units, *, on: datetime.date, actor, note: str = ""
) -> int:
    """Move the 组织关系 of every member employed by ``units`` on ``on`` (and still in the
    ledger) to ``party_org`` — what forming a branch for those units does. Returns how many
    moved; those already held there are left alone."""
    from dangjian.party.queries import employed_members, held_in_q

    members = employed_members(units, on).exclude(held_in_q(on, [party_org]))
    return move_relations_bulk(
        [(member, party_org) for member in members.order_by("pk")], on=on, actor=actor, note=note
    )


# -- employment ------------------------------------------------------------------------------


@transaction.atomic
def start_employments_bulk(rows: Iterable[dict], *, actor, note: str = "") -> list[Employment]:
    """Start many employments: rows of ``member_id``, ``organization_id``, ``job_title``,
    ``valid_from``, ``valid_to``."""
    rows = [
        {k: r.get(k) for k in ("member_id", "organization_id", "valid_from", "valid_to")}
        | {"job_title": r.get("job_title") or ""}
        for r in rows
    ]
    _periods(rows)
    return _insert(
        Employment, rows, actor=actor, event=AuditEvent.PARTY_EMPLOYMENTS_STARTED, note=note
    )


@transaction.atomic
def close_employments_bulk(
    closes: Iterable[tuple[Employment, datetime.date]], *, actor, note: str = ""
) -> int:
    """Close many employments: ``(employment, last day)`` pairs (never before its start)."""
    return _end_each(closes, actor=actor, note=note)


@transaction.atomic
def update_employments_bulk(
    changes: Iterable[tuple[Employment, dict]], *, actor, note: str = ""
) -> int:
    return _update_each(
        changes, actor=actor, note=note, allowed=("job_title", "valid_from", "valid_to")
    )


# -- party organizations and coverage --------------------------------------------------------


@transaction.atomic
def form_party_organizations_bulk(
    federation, rows: Iterable[dict], *, actor, note: str = ""
) -> list[PartyOrganization]:
    """Form many party organizations of ``federation``, in the order given (parents before
    children, when a row names its parent by ``parent_id``). Each row holds PartyOrganization
    fields; with ``units`` (organization ids) and ``coverage_kind`` it also covers them from
    its ``valid_from``. One audit record per organization (they are few)."""
    created = []
    coverage_rows = []
    for row in rows:
        row = dict(row)
        units = row.pop("units", ())
        kind = row.pop("coverage_kind", None) or Coverage.Kind.OWN
        values = {k: v for k, v in row.items() if k in PARTY_ORG_FIELDS}
        check_period(values.get("valid_from"), values.get("valid_to"))
        party_org = PartyOrganization.objects.create(federation=federation, **values)
        record_change(actor, party_org, None, note=note)
        created.append(party_org)
        coverage_rows += [
            {
                "party_organization_id": party_org.pk,
                "organization_id": unit,
                "kind": kind,
                "valid_from": party_org.valid_from,
                "valid_to": party_org.valid_to,
            }
            for unit in units
        ]
    if coverage_rows:
        add_coverages_bulk(coverage_rows, actor=actor, note=note)
    return created


@transaction.atomic
def update_party_organizations_bulk(
    changes: Iterable[tuple[PartyOrganization, dict]], *, actor, note: str = ""
) -> int:
    return _update_each(changes, actor=actor, note=note, allowed=PARTY_ORG_FIELDS)


@transaction.atomic
def add_coverages_bulk(rows: Iterable[dict], *, actor, note: str = "") -> list[Coverage]:
    """Add many coverages: rows of ``party_organization_id``, ``organization_id``, ``kind``
    (default own), ``valid_from``, ``valid_to``."""
    rows = [
        {
            "party_organization_id": r["party_organization_id"],
            "organization_id": r["organization_id"],
            "kind": r.get("kind") or Coverage.Kind.OWN,
            "valid_from": r.get("valid_from"),
            "valid_to": r.get("valid_to"),
        }
        for r in rows
    ]
    _periods(rows)
    return _insert(Coverage, rows, actor=actor, event=AuditEvent.PARTY_COVERAGES_ADDED, note=note)


@transaction.atomic
def end_coverages_bulk(
    ends: Iterable[tuple[Coverage, datetime.date]], *, actor, note: str = ""
) -> int:
    """End many coverages: ``(coverage, last day)`` pairs (never before its start)."""
    return _end_each(ends, actor=actor, note=note)


# -- posts -------------------------------------------------------------------------------------


@transaction.atomic
def appoint_positions_bulk(rows: Iterable[dict], *, actor, note: str = "") -> list[Position]:
    """Appoint many posts: rows of ``party_organization_id``, ``member_id``, ``role``,
    ``valid_from``, ``valid_to``."""
    rows = [
        {
            k: r.get(k)
            for k in ("party_organization_id", "member_id", "role", "valid_from", "valid_to")
        }
        for r in rows
    ]
    _periods(rows)
    return _insert(
        Position, rows, actor=actor, event=AuditEvent.PARTY_POSITIONS_APPOINTED, note=note
    )


@transaction.atomic
def update_positions_bulk(changes: Iterable[tuple[Position, dict]], *, actor, note="") -> int:
    return _update_each(changes, actor=actor, note=note, allowed=("role", "valid_from", "valid_to"))


@transaction.atomic
def end_positions_bulk(
    ends: Iterable[tuple[Position, datetime.date]], *, actor, note: str = ""
) -> int:
    return _end_each(ends, actor=actor, note=note)


# -- instructors -----------------------------------------------------------------------------


@transaction.atomic
def appoint_instructors_bulk(rows: Iterable[dict], *, actor, note: str = "") -> list[Instructor]:
    """Appoint many instructors: rows of Instructor fields (name, kind, phone, dispatched_by,
    notice_no, notice_date, valid_from, valid_to). Returns them with their ids, in order."""
    rows = [{k: v for k, v in r.items() if k in INSTRUCTOR_FIELDS} for r in rows]
    _periods(rows)
    return _insert(
        Instructor, rows, actor=actor, event=AuditEvent.PARTY_INSTRUCTORS_APPOINTED, note=note
    )


@transaction.atomic
def assign_instructors_bulk(
    rows: Iterable[dict], *, actor, note: str = ""
) -> list[InstructorAssignment]:
    """Assign many instructors to units: rows of ``instructor_id`` (or ``instructor``),
    ``organization_id``, ``notice_no``, ``notice_date``, ``valid_from``, ``valid_to``."""
    prepared = []
    for r in rows:
        instructor = r.get("instructor")
        prepared.append(
            {
                "instructor_id": instructor.pk if instructor is not None else r["instructor_id"],
                "organization_id": r["organization_id"],
                "notice_no": r.get("notice_no") or "",
                "notice_date": r.get("notice_date"),
                "valid_from": r.get("valid_from"),
                "valid_to": r.get("valid_to"),
            }
        )
    _periods(prepared)
    return _insert(
        InstructorAssignment,
        prepared,
        actor=actor,
        event=AuditEvent.PARTY_INSTRUCTORS_ASSIGNED,
        note=note,
    )


@transaction.atomic
def update_instructor_assignments_bulk(
    changes: Iterable[tuple[InstructorAssignment, dict]], *, actor, note: str = ""
) -> int:
    return _update_each(
        changes,
        actor=actor,
        note=note,
        allowed=("notice_no", "notice_date", "valid_from", "valid_to"),
    )
