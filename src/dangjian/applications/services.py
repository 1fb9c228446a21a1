"""Every write of the joining, formation and instructor workflows: one function per business
action, atomic, audited (record_change for facts, record_event for the business steps), with
the status history kept beside the audit trail."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.applications.checks import (
    covered_on,
    full_members_for_branch,
    joint_branch_max_units,
    standards,
    term_years,
)
from dangjian.applications.models import (
    ApplicantMember,
    Application,
    FormationCase,
    InstructorDossier,
    Invitation,
    StatusChange,
    StoredFile,
)
from dangjian.applications.uploads import check_upload, safe_name, sha256_of
from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.models import AuditLog
from dangjian.party import bulk as party_bulk
from dangjian.party import queries
from dangjian.party import services as party_services
from dangjian.party.models import (
    Employment,
    Instructor,
    InstructorAssignment,
    PartyOrganization,
    Position,
)
from dangjian.registry import services as registry_services

UNIT_FIELDS = [
    "name",
    "uscc",
    "legal_form",
    "category",
    "district",
    "supervising_unit",
    "registration_authority",
    "founded_on",
    "registered_address",
    "contact_name",
    "contact_phone",
    "requested_role",
    "statement",
]
MEMBER_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "phone",
    "education",
    "joined_party_on",
    "full_member_on",
    "relation_held_by",
    "job_title",
    "employed_since",
]


class WorkflowError(Exception):
    """A step the current state does not allow; ``str(exc)`` is the Chinese message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class Conflict(WorkflowError):
    """Someone else saved the object after the user opened it (optimistic locking)."""


def _actor_name(actor) -> str:
    if actor is None:
        return "system"
    if not getattr(actor, "is_authenticated", False):
        return "anonymous"
    return actor.get_username()


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def claim(model, pk: int, version) -> object:
    """Take the next version of a row, or raise Conflict if it moved since ``version`` was read.

    One conditional UPDATE, so two concurrent writers cannot both win on SQLite or PostgreSQL.
    """
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = -1
    if not model.objects.filter(pk=pk, version=version).update(version=F("version") + 1):
        last = (
            AuditLog.objects.filter(object_type=model._meta.label_lower, object_id=str(pk))
            .order_by("-at", "-id")
            .first()
        )
        if last:
            message = _(
                "Conflict: %(who)s changed this record at %(when)s, after you opened it. Your "
                "changes were not saved; reload the page to see the current version."
            ) % {
                "who": last.actor_name,
                "when": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M"),
            }
        else:
            message = _(
                "Conflict: someone changed this record after you opened it. Your changes were "
                "not saved; reload the page to see the current version."
            )
        raise Conflict(message)
    return model.objects.select_for_update().get(pk=pk)


def _history(obj, old: str, new: str, actor, reason: str = "") -> StatusChange:
    field = "application" if isinstance(obj, Application) else "formation_case"
    return StatusChange.objects.create(
        **{field: obj},
        from_status=old,
        to_status=new,
        actor=_user(actor),
        actor_name=_actor_name(actor),
        reason=reason,
    )


# -- files ---------------------------------------------------------------------------------


@transaction.atomic
def store_file(upload, federation, *, actor) -> StoredFile:
    """Archive an uploaded file under MEDIA_ROOT with a name of our own (never the user's)."""
    kind = check_upload(upload)
    stored = StoredFile(
        federation=federation,
        original_name=safe_name(upload.name),
        content_type=kind.content_type,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=_user(actor),
    )
    upload.seek(0)
    stored.file.save(f"{uuid.uuid4().hex}.{kind.extension}", upload, save=False)
    stored.save()
    # An event rather than a field snapshot: the audit log keeps JSON, not file handles.
    record_event(
        actor,
        "file.uploaded",
        stored,
        name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )
    return stored


# -- invitations and applications ------------------------------------------------------------


@transaction.atomic
def create_invitation(federation, *, expires_on, note="", actor) -> Invitation:
    invitation = Invitation.objects.create(
        federation=federation, expires_on=expires_on, note=note, created_by=_user(actor)
    )
    record_event(actor, "invitation.created", invitation, expires_on=str(expires_on))
    return invitation


@transaction.atomic
def revoke_invitation(invitation, *, actor) -> Invitation:
    before = snapshot(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    record_change(actor, invitation, before)
    return invitation


def _write_members(application: Application, members: list[dict]) -> None:
    application.members.all().delete()
    for row in members:
        ApplicantMember.objects.create(
            application=application, **{k: row.get(k) for k in MEMBER_FIELDS if k in row}
        )


@transaction.atomic
def start_application(invitation: Invitation, unit: dict, members: list[dict], *, actor):
    """A new draft from an invitation link. Returns (application, secret token)."""
    if not invitation.is_open():
        raise WorkflowError(_("This invitation link has expired or was withdrawn."))
    application = Application(federation=invitation.federation, invitation=invitation)
    for name in UNIT_FIELDS:
        if name in unit:
            setattr(application, name, unit[name])
    token = application.set_access_token()
    application.save()
    _write_members(application, members)
    record_change(actor, application, None)
    _history(application, "", Application.Status.DRAFT, actor)
    return application, token


@transaction.atomic
def save_application(application, unit: dict, members: list[dict], *, version, actor):
    """The applicant (draft or returned) or a reviewing officer (submitted) edits the data."""
    application = claim(Application, application.pk, version)
    if application.status not in (*Application.EDITABLE_BY_APPLICANT, *Application.OPEN_FOR_REVIEW):
        raise WorkflowError(_("This application is closed and can no longer be changed."))
    before = snapshot(application)
    for name in UNIT_FIELDS:
        if name in unit:
            setattr(application, name, unit[name])
    application.save()
    _write_members(application, members)
    record_change(actor, application, before, note=f"members={len(members)}")
    return application


@transaction.atomic
def submit_application(application, *, version, actor):
    application = claim(Application, application.pk, version)
    if application.status not in Application.EDITABLE_BY_APPLICANT:
        raise WorkflowError(_("This application has already been submitted."))
    old = application.status
    application.status = Application.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.reason = ""
    application.save()
    _history(application, old, application.status, actor)
    record_event(actor, "application.submitted", application, members=application.members.count())
    return application


def _decide(application, new_status, *, version, reason, actor, event):
    application = claim(Application, application.pk, version)
    if application.status != Application.Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted application can be decided."))
    old = application.status
    application.status = new_status
    application.reason = reason
    application.decided_at = timezone.now()
    application.decided_by = _user(actor)
    application.save()
    _history(application, old, new_status, actor, reason)
    record_event(actor, event, application, reason=reason)
    return application


@transaction.atomic
def return_application(application, *, version, reason, actor):
    return _decide(
        application,
        Application.Status.RETURNED,
        version=version,
        reason=reason,
        actor=actor,
        event="application.returned",
    )


@transaction.atomic
def reject_application(application, *, version, reason, actor):
    return _decide(
        application,
        Application.Status.REJECTED,
        version=version,
        reason=reason,
        actor=actor,
        event="application.rejected",
    )


@transaction.atomic
def reissue_access(application, *, actor) -> str:
    """A new secret link for the applicant (the old one stops working); returns the token."""
    token = application.set_access_token()
    application.save(update_fields=["access_digest", "updated_at"])
    record_event(actor, "application.link_reissued", application)
    return token


def federation_committee(federation) -> PartyOrganization | None:
    """The federation's top party organization (互联网行业党委), parent of new branches."""
    return (
        PartyOrganization.objects.filter(
            federation=federation, parent__isnull=True, kind=PartyOrganization.Kind.COMMITTEE
        )
        .order_by("valid_from", "pk")
        .first()
    )


@transaction.atomic
def approve_application(application, *, version, role, joined_on, actor):
    """Approve: the organization, its membership, its party members and their employment go into
    the ledger; a unit with enough full members and no party organization gets a formation case.
    Members already in the ledger (same ID number) are linked, never duplicated."""
    application = claim(Application, application.pk, version)
    if application.status != Application.Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted application can be decided."))
    federation = application.federation
    unit = {
        name: getattr(application, name)
        for name in UNIT_FIELDS
        if name in registry_services.UNIT_FIELDS
    }
    unit["uscc"] = application.uscc
    try:
        membership = registry_services.admit_unit(
            federation, unit, role=role, joined_on=joined_on, actor=actor
        )
        org = membership.organization
        created = linked = 0
        for row in application.members.all():
            member, new = party_services.register_or_link_member(
                {
                    "name": row.name,
                    "gender": row.gender,
                    "ethnicity": row.ethnicity,
                    "id_number": row.id_number,
                    "phone": row.phone,
                    "education": row.education,
                    "joined_party_on": row.joined_party_on,
                    "full_member_on": row.full_member_on,
                    "relation_external": row.relation_held_by,
                },
                federation=federation,
                actor=actor,
                note=f"application {application.pk}",
            )
            created += new
            linked += not new
            row.member = member
            row.save(update_fields=["member"])
            if not (
                Employment.objects.valid_on(joined_on)
                .filter(member=member, organization=org)
                .exists()
            ):
                party_services.start_employment(
                    member,
                    org,
                    on=min(row.employed_since or joined_on, joined_on),
                    job_title=row.job_title,
                    actor=actor,
                )
    except ValidationError as exc:
        raise WorkflowError("；".join(exc.messages)) from exc

    old = application.status
    application.status = Application.Status.APPROVED
    application.organization = org
    application.decided_at = timezone.now()
    application.decided_by = _user(actor)
    application.reason = ""
    application.save()
    _history(application, old, application.status, actor)

    case = None
    full = queries.full_member_count([org], joined_on)
    if full >= full_members_for_branch(federation, joined_on) and not covered_on([org], joined_on):
        case = open_formation_case(
            federation,
            [org],
            name=f"{org.name}党支部",
            kind=PartyOrganization.Kind.BRANCH,
            mode=PartyOrganization.FormationMode.IN_MEMBER_UNIT,
            parent=federation_committee(federation),
            application=application,
            actor=actor,
        )
    record_event(
        actor,
        "application.approved",
        application,
        organization=org.pk,
        membership_role=role,
        joined_on=str(joined_on),
        members_created=created,
        members_linked=linked,
        full_members=full,
        formation_case=case.pk if case else None,
    )
    return application


# -- formation cases ---------------------------------------------------------------------------


def _check_units(federation, units, kind) -> None:
    cap = joint_branch_max_units(federation)
    if kind == PartyOrganization.Kind.JOINT_BRANCH and len(units) > cap:
        raise WorkflowError(
            _("A joint party branch may cover at most %(max)d units; %(count)d were chosen.")
            % {"max": cap, "count": len(units)}
        )


@transaction.atomic
def open_formation_case(
    federation, units, *, name, kind, mode, parent=None, application=None, actor
) -> FormationCase:
    _check_units(federation, units, kind)
    case = FormationCase.objects.create(
        federation=federation,
        name=name,
        kind=kind,
        mode=mode,
        parent=parent,
        application=application,
    )
    case.units.set(units)
    record_change(actor, case, None)
    _history(case, "", case.status, actor)
    record_event(actor, "formation.opened", case, units=[u.pk for u in units])
    return case


@transaction.atomic
def update_formation_case(case, data: dict, units, *, version, approval_upload=None, actor):
    """Edit the case and its evidence (mode, standards, units) while it is in preparation."""
    case = claim(FormationCase, case.pk, version)
    if case.status != FormationCase.Status.OPEN:
        raise WorkflowError(_("Only a case in preparation can be changed."))
    before = snapshot(case)
    for field, value in data.items():
        setattr(case, field, value)
    _check_units(case.federation, units, case.kind)
    if approval_upload is not None:
        case.approval_file = store_file(approval_upload, case.federation, actor=actor)
    case.save()
    old_units = sorted(case.units.values_list("pk", flat=True))
    case.units.set(units)
    record_change(actor, case, before, note=f"units {old_units} → {sorted(u.pk for u in units)}")
    return case


def _unmet(case) -> list[str]:
    return [str(s.label) for s in standards(case) if not s.met]


@transaction.atomic
def submit_formation_case(case, *, version, actor):
    case = claim(FormationCase, case.pk, version)
    if case.status != FormationCase.Status.OPEN:
        raise WorkflowError(_("Only a case in preparation can be submitted."))
    unmet = _unmet(case)
    if unmet:
        raise WorkflowError(
            _("The case does not meet every standard yet: %(list)s.") % {"list": "；".join(unmet)}
        )
    case.status = FormationCase.Status.SUBMITTED
    case.reason = ""
    case.save()
    _history(case, FormationCase.Status.OPEN, case.status, actor)
    record_event(actor, "formation.submitted", case)
    return case


@transaction.atomic
def return_formation_case(case, *, version, reason, actor):
    case = claim(FormationCase, case.pk, version)
    if case.status != FormationCase.Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted case can be returned."))
    case.status = FormationCase.Status.OPEN
    case.reason = reason
    case.save()
    _history(case, FormationCase.Status.SUBMITTED, case.status, actor, reason)
    record_event(actor, "formation.returned", case, reason=reason)
    return case


@transaction.atomic
def cancel_formation_case(case, *, version, reason, actor):
    case = claim(FormationCase, case.pk, version)
    if case.status == FormationCase.Status.APPROVED:
        raise WorkflowError(_("An approved case cannot be cancelled."))
    old = case.status
    case.status = FormationCase.Status.CANCELLED
    case.reason = reason
    case.save()
    _history(case, old, case.status, actor, reason)
    record_event(actor, "formation.cancelled", case, reason=reason)
    return case


@transaction.atomic
def approve_formation_case(case, *, version, actor) -> PartyOrganization:
    """The higher party organization approves: the party organization, its coverage of each unit
    and the secretary's post are created, all from the date it was established."""
    case = claim(FormationCase, case.pk, version)
    if case.status != FormationCase.Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted case can be approved."))
    unmet = _unmet(case)  # re-checked: coverage or members may have changed since submission
    if unmet:
        raise WorkflowError(
            _("The case does not meet every standard yet: %(list)s.") % {"list": "；".join(unmet)}
        )
    day = case.established_on
    units = list(case.units.all())
    try:
        party_org = party_services.form_party_organization(
            case.federation,
            name=case.name,
            kind=case.kind,
            valid_from=day,
            units=units,
            parent=case.parent,
            formation_mode=case.mode,
            approval_doc_no=case.approval_doc_no,
            approval_date=case.approval_date,
            term_started_on=day,
            term_years=term_years(case.kind, case.federation, day),
            actor=actor,
        )
        party_services.appoint_position(
            party_org, case.secretary, role=Position.Role.SECRETARY, valid_from=day, actor=actor
        )
        # The members the branch is formed from hold their 组织关系 in it from its first day
        # (otherwise the rules see an empty branch: 空壳支部 on the day it is approved).
        party_bulk.move_relations_of_units(party_org, units, on=day, actor=actor)
        if case.mode == PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN and case.instructor_id:
            for unit in units:
                if not (
                    InstructorAssignment.objects.valid_on(day)
                    .filter(instructor=case.instructor, organization=unit)
                    .exists()
                ):
                    party_services.assign_instructor(
                        case.instructor,
                        unit,
                        valid_from=max(day, case.instructor.valid_from),
                        notice_no=case.instructor.notice_no,
                        notice_date=case.instructor.notice_date,
                        actor=actor,
                    )
    except ValidationError as exc:
        raise WorkflowError("；".join(exc.messages)) from exc
    case.status = FormationCase.Status.APPROVED
    case.party_organization = party_org
    case.decided_at = timezone.now()
    case.decided_by = _user(actor)
    case.save()
    _history(case, FormationCase.Status.SUBMITTED, case.status, actor)
    record_event(
        actor,
        "branch.formed",
        party_org,
        formation_case=case.pk,
        mode=case.mode,
        units=[u.pk for u in units],
        secretary=case.secretary_id,
        established_on=str(day),
    )
    return party_org


# -- instructors ---------------------------------------------------------------------------
# The instructor and the assignment are party facts (party.services); the workflow adds the
# notice file and the federation's dossier, and speaks its own error type to the views.


@transaction.atomic
def appoint_instructor(federation, data: dict, *, notice_upload=None, actor) -> Instructor:
    """Appoint an instructor or liaison (dispatching body, notice number and date, notice file)."""
    try:
        instructor = party_services.appoint_instructor(data, actor=actor)
    except ValidationError as exc:
        raise WorkflowError("；".join(exc.messages)) from exc
    notice_file = store_file(notice_upload, federation, actor=actor) if notice_upload else None
    InstructorDossier.objects.create(
        instructor=instructor, federation=federation, notice_file=notice_file
    )
    return instructor


@transaction.atomic
def assign_instructor(
    instructor, organization, *, valid_from, notice_no="", notice_date=None, actor
) -> InstructorAssignment:
    try:
        return party_services.assign_instructor(
            instructor,
            organization,
            valid_from=valid_from,
            notice_no=notice_no,
            notice_date=notice_date,
            actor=actor,
        )
    except ValidationError as exc:
        raise WorkflowError("；".join(exc.messages)) from exc


@transaction.atomic
def end_assignment(assignment, *, valid_to: datetime.date, actor) -> InstructorAssignment:
    """End an assignment on its last day; history is kept (never deleted)."""
    try:
        return party_services.end_instructor_assignment(assignment, on=valid_to, actor=actor)
    except ValidationError as exc:
        raise WorkflowError("；".join(exc.messages)) from exc
