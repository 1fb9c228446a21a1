"""Instructors (党建工作指导员) and their assignments to units; designations of liaison and
demonstration points."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.party.models import (
    Designation,
    Instructor,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.party.services.common import check_period, end_fact

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
    return end_fact(
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
    return end_fact(
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
