"""Every write on the party ledger's facts: members, employments, 组织关系, party
organizations, their coverage of units, posts, instructors and designations.

One function per business action, keyword ``actor``, atomic, audited, raising Django's
ValidationError with a Chinese message on bad input. The workflows (applications, recognition),
the ledger import, the demo builders and the admin all call these; the bulk forms are in
``party/bulk.py``. Nothing else writes these models (tests/test_services_only.py).
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto, personal
from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.core.models import AuditLog
from dangjian.core.validators import id_number_birth_date
from dangjian.party.models import (
    Coverage,
    Designation,
    Employment,
    Instructor,
    InstructorAssignment,
    PartyMember,
    PartyOrganization,
    Position,
)
from dangjian.party.queries import members_of_federation

ANONYMOUS_NAME = personal.ANONYMOUS_NAME


@transaction.atomic
def anonymise_member(member: PartyMember, *, actor, left_on=None) -> PartyMember:
    """Erase a departed member's personal data (PIPL art. 47), keeping the facts for statistics.

    Which fields are personal is core.personal's registry; it also names the copies of a
    member's data elsewhere (an applying unit's member list), erased with the member. The audit
    trail keeps its history and that the member was anonymised, with the personal values in it
    (name in the object label, masked numbers) redacted.
    """
    today = timezone.localdate()
    # The member and the copies of their data in other apps (an applicant's member list), as
    # core.personal lists them: found before erasing, since the blind index goes with it.
    copies = []
    for label, link in personal.COPIES_OF_SUBJECT.items():
        model = apps.get_model(label)
        found = Q(**{link: member})
        if member.id_number_hash and any(f.blind_index for f in personal.fields_of(label)):
            found |= Q(id_number_hash=member.id_number_hash)
        copies.append(
            (label, model, list(model.objects.filter(found).values_list("pk", flat=True)))
        )
    for field, value in personal.erasure(personal.SUBJECT, member.pk).items():
        setattr(member, field, value)
    member.left_on = member.left_on or left_on or today
    member.anonymised_at = timezone.now()
    member.save()
    member.employments.filter(valid_to__isnull=True).update(valid_to=member.left_on)
    for label, model, pks in copies:
        model.objects.filter(pk__in=pks).update(**personal.erasure(label, member.pk))
    # Old audit rows keep the non-personal history; only the personal values go.
    trail: list[tuple[str, list[int], str | None]] = [(personal.SUBJECT, [member.pk], member.name)]
    trail += [(label, pks, None) for label, _model, pks in copies if pks]
    for label, pks, new_repr in trail:
        logs = AuditLog.objects.filter(object_type=label, object_id__in=[str(pk) for pk in pks])
        for log in logs.only("pk", "changes", "object_repr"):
            AuditLog.objects.filter(pk=log.pk).update(
                object_repr=new_repr or f"{personal.ANONYMOUS_NAME}#{member.pk}",
                changes=personal.redact_changes(label, log.changes),
            )
    record_event(actor, AuditEvent.MEMBER_ANONYMISED, member)
    return member


# -- helpers -------------------------------------------------------------------------------------


def check_period(valid_from, valid_to) -> None:
    """The one period check of the party services: a start, and no end before it."""
    if valid_from is None:
        raise ValidationError(_("The start date is required."))
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("The end date must not be earlier than the start date."))


def _update(obj, values: dict, *, actor, note="", allowed=None):
    before = snapshot(obj)
    for field, value in values.items():
        if allowed is not None and field not in allowed:
            raise ValidationError(
                _("The field %(field)s cannot be changed here.") % {"field": field}
            )
        setattr(obj, field, value)
    if hasattr(obj, "valid_from"):
        check_period(obj.valid_from, obj.valid_to)
    obj.save()
    record_change(actor, obj, before, note=note)
    return obj


def _end(model, obj, on: datetime.date, *, actor, note="", event=""):
    obj = model.objects.select_for_update().get(pk=obj.pk)
    if obj.valid_to is not None:
        raise ValidationError(_("This record has already ended."))
    if on < obj.valid_from:
        raise ValidationError(_("The end date must not be earlier than the start date."))
    before = snapshot(obj)
    obj.valid_to = on
    obj.save(update_fields=["valid_to", "updated_at"])
    record_change(actor, obj, before, note=note)
    if event:
        record_event(actor, event, obj, valid_to=str(on))
    return obj


def _delete(obj, *, actor, note="") -> None:
    """Remove a record entered by mistake (real history is ended, never deleted)."""
    record_change(actor, obj, snapshot(obj), deleted=True, note=note)
    obj.delete()


# -- members ---------------------------------------------------------------------------------

MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "joined_party_on",
    "full_member_on",
    "relation_party_organization",
    "relation_party_organization_id",
    "relation_external",
    "is_flowing",
    "is_lost_contact",
    "left_on",
)


def _check_member(values: dict) -> None:
    if not values.get("name"):
        raise ValidationError(_("The member's name is required."))
    if not values.get("id_number"):
        raise ValidationError(_("The member's ID number is required."))
    if not values.get("joined_party_on"):
        raise ValidationError(_("The date of joining the party is required."))
    full = values.get("full_member_on")
    if full and full < values["joined_party_on"]:
        raise ValidationError(_("Full membership cannot come before joining the party."))


@transaction.atomic
def create_member(data: dict, *, actor, note="") -> PartyMember:
    """Enter a party member in the ledger (no duplicate check: see ``register_or_link_member``).
    The birth date is derived from the ID number when not given."""
    values = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    _check_member(values)
    if not values.get("birth_date"):
        values["birth_date"] = id_number_birth_date(values["id_number"])
    member = PartyMember.objects.create(**values)
    record_change(actor, member, None, note=note)
    return member


@transaction.atomic
def register_or_link_member(data: dict, *, federation, actor, note="") -> tuple[PartyMember, bool]:
    """The member with this ID number in ``federation``'s ledger, or a new one. Returns
    (member, created).

    Linking is scoped to what the acting officer may see: the ledger of the federation being
    worked on and those below it (``party.queries.members_of_federation``), found by the ID
    number's blind index. A member held only in another federation's ledger is never linked
    silently across federations (that would let one federation's approval attach employments
    to another's member record) and never duplicated (the national ledger keeps one record per
    person): it is refused, as the ledger import refuses it, with the advice to have the
    holding federation transfer the member (组织关系转接). The refusal says only that the
    number is held elsewhere, not where or by whom.
    """
    number = data.get("id_number") or ""
    digest = crypto.blind_index(number) if number else ""
    if digest:
        found = members_of_federation(federation).filter(id_number_hash=digest).first()
        if found is not None:
            return found, False
        if PartyMember.objects.filter(id_number_hash=digest).exists():
            raise ValidationError(
                _(
                    "This ID number belongs to a party member outside your scope; ask the "
                    "federation holding the record to transfer them."
                )
            )
    return create_member(data, actor=actor, note=note), True


@transaction.atomic
def update_member(member: PartyMember, values: dict, *, actor, note="") -> PartyMember:
    """Change a member's ledger data; only the fields given change."""
    return _update(member, values, actor=actor, note=note, allowed=MEMBER_FIELDS)


@transaction.atomic
def move_relation(
    member: PartyMember, *, to: PartyOrganization | str | None, on: datetime.date, actor, note=""
) -> PartyMember:
    """Move the member's 组织关系 to a party organization of the system (``to`` a
    PartyOrganization) or outside it (``to`` its name as text; None clears it), from ``on``.

    The ledger keeps only the current holder (the field is undated); the day of the move is
    kept in the audit trail (event ``member.relation_moved``) until the transfer history comes.
    """
    before = snapshot(member)
    old = member.relation_party_organization_id or member.relation_external
    if isinstance(to, PartyOrganization):
        if to.valid_to is not None and to.valid_to < on:
            raise ValidationError(_("That party organization no longer exists on that date."))
        member.relation_party_organization = to
        member.relation_external = ""
    else:
        member.relation_party_organization = None
        member.relation_external = (to or "")[:200]
    member.save(update_fields=["relation_party_organization", "relation_external", "updated_at"])
    if record_change(actor, member, before, note=note) is not None:
        record_event(
            actor,
            AuditEvent.MEMBER_RELATION_MOVED,
            member,
            note=note,
            on=str(on),
            before=old,
            after=member.relation_party_organization_id or member.relation_external,
        )
    return member


# -- employment ------------------------------------------------------------------------------


@transaction.atomic
def start_employment(
    member: PartyMember,
    organization,
    *,
    on: datetime.date,
    job_title: str = "",
    valid_to: datetime.date | None = None,
    actor,
    note="",
) -> Employment:
    """The member works for ``organization`` from ``on`` (the "≥ 3 full members" rule counts
    members by employer). Refused when the member already works there on that day."""
    check_period(on, valid_to)
    if Employment.objects.valid_on(on).filter(member=member, organization=organization).exists():
        raise ValidationError(
            _("%(name)s already works for this unit on that date.") % {"name": member.name}
        )
    employment = Employment.objects.create(
        member=member,
        organization=organization,
        job_title=job_title,
        valid_from=on,
        valid_to=valid_to,
    )
    record_change(actor, employment, None, note=note)
    return employment


@transaction.atomic
def close_employment(employment: Employment, *, on: datetime.date, actor, note="") -> Employment:
    """The employment ends; ``on`` is its last day."""
    return _end(Employment, employment, on, actor=actor, note=note)


# -- party organizations and coverage --------------------------------------------------------

PARTY_ORG_FIELDS = (
    "name",
    "kind",
    "parent",
    "parent_id",
    "formation_mode",
    "approval_doc_no",
    "approval_date",
    "term_started_on",
    "term_years",
    "status",
    "valid_from",
    "valid_to",
)


@transaction.atomic
def form_party_organization(
    federation,
    *,
    name: str,
    kind: str,
    valid_from: datetime.date,
    units=(),
    coverage_kind: str | None = None,
    actor,
    note="",
    **fields,
) -> PartyOrganization:
    """A party organization is established on ``valid_from`` in ``federation`` and covers
    ``units`` from that day. ``fields`` are the other PartyOrganization fields (parent,
    formation_mode, approval_doc_no, approval_date, term_started_on, term_years, valid_to,
    status). The coverage kind defaults to: via the board for a board-formed organization,
    joint for a joint branch or several units, otherwise own."""
    if not name:
        raise ValidationError(_("The party organization's name is required."))
    check_period(valid_from, fields.get("valid_to"))
    unknown = set(fields) - set(PARTY_ORG_FIELDS)
    if unknown:
        raise ValidationError(
            _("The field %(field)s cannot be changed here.") % {"field": sorted(unknown)[0]}
        )
    party_org = PartyOrganization.objects.create(
        federation=federation, name=name, kind=kind, valid_from=valid_from, **fields
    )
    record_change(actor, party_org, None, note=note)
    units = list(units)
    if units:
        if coverage_kind is None:
            if party_org.formation_mode == PartyOrganization.FormationMode.IN_BOARD:
                coverage_kind = Coverage.Kind.BOARD
            elif kind == PartyOrganization.Kind.JOINT_BRANCH or len(units) > 1:
                coverage_kind = Coverage.Kind.JOINT
            else:
                coverage_kind = Coverage.Kind.OWN
        for unit in units:
            add_coverage(party_org, unit, kind=coverage_kind, valid_from=valid_from, actor=actor)
    return party_org


@transaction.atomic
def update_party_organization(
    party_org: PartyOrganization, values: dict, *, actor, note=""
) -> PartyOrganization:
    return _update(party_org, values, actor=actor, note=note, allowed=PARTY_ORG_FIELDS)


@transaction.atomic
def dissolve_party_organization(
    party_org: PartyOrganization, *, on: datetime.date, actor, note=""
) -> PartyOrganization:
    """The party organization is dissolved; ``on`` is its last day. Its open coverage ends
    the same day."""
    for coverage in party_org.coverages.filter(valid_to__isnull=True):
        end_coverage(coverage, on=max(on, coverage.valid_from), actor=actor, note=note)
    party_org = _end(PartyOrganization, party_org, on, actor=actor, note=note)
    before = snapshot(party_org)
    party_org.status = PartyOrganization.Status.DISSOLVED
    party_org.save(update_fields=["status", "updated_at"])
    record_change(actor, party_org, before, note=note)
    record_event(actor, AuditEvent.PARTY_ORGANIZATION_DISSOLVED, party_org, valid_to=str(on))
    return party_org


@transaction.atomic
def add_coverage(
    party_org: PartyOrganization,
    organization,
    *,
    kind: str = Coverage.Kind.OWN,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    actor,
    note="",
) -> Coverage:
    """The party organization covers ``organization`` from ``valid_from``. Refused when it
    already covers it on that day."""
    check_period(valid_from, valid_to)
    if (
        Coverage.objects.valid_on(valid_from)
        .filter(party_organization=party_org, organization=organization)
        .exists()
    ):
        raise ValidationError(_("This party organization already covers the unit on that date."))
    coverage = Coverage.objects.create(
        party_organization=party_org,
        organization=organization,
        kind=kind or Coverage.Kind.OWN,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    record_change(actor, coverage, None, note=note)
    return coverage


@transaction.atomic
def end_coverage(coverage: Coverage, *, on: datetime.date, actor, note="") -> Coverage:
    """The coverage ends; ``on`` is its last day."""
    return _end(Coverage, coverage, on, actor=actor, note=note)


# -- posts -------------------------------------------------------------------------------------


@transaction.atomic
def appoint_position(
    party_org: PartyOrganization,
    member: PartyMember,
    *,
    role: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    actor,
    note="",
) -> Position:
    """``member`` holds the post ``role`` in the party organization from ``valid_from``."""
    check_period(valid_from, valid_to)
    if member is None:
        raise ValidationError(_("Choose the member who holds the post."))
    position = Position.objects.create(
        party_organization=party_org,
        member=member,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    record_change(actor, position, None, note=note)
    return position


@transaction.atomic
def end_position(position: Position, *, on: datetime.date, actor, note="") -> Position:
    """The post ends; ``on`` is its last day."""
    return _end(Position, position, on, actor=actor, note=note)


# -- instructors (moved from applications: they are party facts) -------------------------------

INSTRUCTOR_FIELDS = (
    "name",
    "kind",
    "member",
    "member_id",
    "phone",
    "dispatched_by",
    "notice_no",
    "notice_date",
    "valid_from",
    "valid_to",
)


@transaction.atomic
def appoint_instructor(data: dict, *, actor, note="") -> Instructor:
    """Appoint an instructor or liaison (dispatching body, notice number and date, period).
    The applications workflow adds the notice file and the federation's dossier around it."""
    unknown = set(data) - set(INSTRUCTOR_FIELDS)
    if unknown:
        raise ValidationError(
            _("The field %(field)s cannot be changed here.") % {"field": sorted(unknown)[0]}
        )
    if not data.get("name"):
        raise ValidationError(_("The instructor's name is required."))
    check_period(data.get("valid_from"), data.get("valid_to"))
    instructor = Instructor.objects.create(**data)
    record_change(actor, instructor, None, note=note)
    record_event(
        actor,
        "instructor.appointed",
        instructor,
        dispatched_by=instructor.dispatched_by,
        notice_no=instructor.notice_no,
    )
    return instructor


@transaction.atomic
def end_instructor(instructor: Instructor, *, on: datetime.date, actor, note="") -> Instructor:
    """The instructor's appointment ends; ``on`` is its last day."""
    return _end(
        Instructor, instructor, on, actor=actor, note=note, event=AuditEvent.INSTRUCTOR_ENDED
    )


@transaction.atomic
def assign_instructor(
    instructor: Instructor,
    organization,
    *,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    notice_no: str = "",
    notice_date: datetime.date | None = None,
    actor,
    note="",
) -> InstructorAssignment:
    """Send the instructor to a unit from ``valid_from`` by a dispatch notice."""
    check_period(valid_from, valid_to)
    if instructor.valid_to and valid_from > instructor.valid_to:
        raise ValidationError(_("The instructor's appointment ended before that date."))
    if (
        InstructorAssignment.objects.filter(instructor=instructor, organization=organization)
        .valid_on(valid_from)
        .exists()
    ):
        raise ValidationError(
            _("%(name)s is already assigned to this unit on that date.") % {"name": instructor}
        )
    assignment = InstructorAssignment.objects.create(
        instructor=instructor,
        organization=organization,
        notice_no=notice_no,
        notice_date=notice_date,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    record_change(actor, assignment, None, note=note)
    record_event(
        actor,
        "instructor.assigned",
        assignment,
        instructor=instructor.pk,
        organization=organization.pk,
    )
    return assignment


@transaction.atomic
def end_instructor_assignment(
    assignment: InstructorAssignment, *, on: datetime.date, actor, note=""
) -> InstructorAssignment:
    """End an assignment on its last day; history is kept (never deleted)."""
    assignment = InstructorAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.valid_to is not None:
        raise ValidationError(_("This assignment has already ended."))
    return _end(
        InstructorAssignment,
        assignment,
        on,
        actor=actor,
        note=note,
        event="instructor.assignment_ended",
    )


# -- designations (liaison and demonstration points) ---------------------------------------------


@transaction.atomic
def designate(
    kind: str,
    *,
    year: int,
    granted_by: str,
    organization=None,
    party_organization: PartyOrganization | None = None,
    revoked_on: datetime.date | None = None,
    actor,
    note="",
) -> Designation:
    """Designate a unit or a party organization as a liaison or demonstration point."""
    if organization is None and party_organization is None:
        raise ValidationError(_("Choose the unit or the party organization designated."))
    designation = Designation.objects.create(
        kind=kind,
        organization=organization,
        party_organization=party_organization,
        year=year,
        granted_by=granted_by,
        revoked_on=revoked_on,
    )
    record_change(actor, designation, None, note=note)
    return designation


@transaction.atomic
def revoke_designation(
    designation: Designation, *, on: datetime.date, actor, note=""
) -> Designation:
    if designation.revoked_on is not None:
        raise ValidationError(_("This designation has already been revoked."))
    before = snapshot(designation)
    designation.revoked_on = on
    designation.save(update_fields=["revoked_on", "updated_at"])
    record_change(actor, designation, before, note=note)
    return designation


# -- corrections (the admin) -----------------------------------------------------------------

# What may be corrected on each fact; a real change of state has its own service above (end a
# post, close an employment, move a relation...).
CORRECTABLE = {
    PartyMember: MEMBER_FIELDS,
    Employment: ("job_title", "valid_from", "valid_to"),
    PartyOrganization: PARTY_ORG_FIELDS,
    Coverage: ("kind", "valid_from", "valid_to"),
    Position: ("role", "valid_from", "valid_to"),
    Instructor: INSTRUCTOR_FIELDS,
    InstructorAssignment: ("notice_no", "notice_date", "valid_from", "valid_to"),
    Designation: ("kind", "year", "granted_by", "revoked_on", "organization", "party_organization"),
}


@transaction.atomic
def correct(obj, values: dict, *, actor, note=""):
    """Correct a party fact entered wrongly: only the fields of ``CORRECTABLE`` may change."""
    return _update(obj, values, actor=actor, note=note, allowed=CORRECTABLE[type(obj)])


@transaction.atomic
def remove(obj, *, actor, note="") -> None:
    """Remove a party fact entered by mistake (real history is ended, never deleted; a departed
    member's personal data goes with ``anonymise_member``)."""
    if type(obj) not in CORRECTABLE:
        raise ValidationError(_("This record cannot be removed here."))
    _delete(obj, actor=actor, note=note)
