"""The joining workflow (三个同步: 同步采集): invitations, applications, and approval, which
admits the unit and enters its party members through the registry and party services."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.applications.checks import covered_on, full_members_for_branch
from dangjian.applications.models import ApplicantMember, Application, Invitation
from dangjian.applications.services.common import _history, fact_errors
from dangjian.applications.services.formation import federation_committee, open_formation_case
from dangjian.core.audit import acting_user, record_change, record_event, snapshot
from dangjian.core.concurrency import claim
from dangjian.core.errors import WorkflowError
from dangjian.party import queries
from dangjian.party import services as party_services
from dangjian.party.models import Employment, PartyOrganization
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


@transaction.atomic
def create_invitation(federation, *, expires_on, note="", actor) -> Invitation:
    invitation = Invitation.objects.create(
        federation=federation, expires_on=expires_on, note=note, created_by=acting_user(actor)
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
    application.decide(actor, reason)
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


@transaction.atomic
def approve_application(application, *, version, role, joined_on, actor):
    """Approve: the organization, its membership, its party members and their employment go into
    the ledger; a unit with enough full members and no party organization gets a formation case.
    Members already in the ledger (same ID number) are linked, never duplicated — but only
    within the application's federation (``party.services.register_or_link_member``): a number
    held only by another federation's ledger refuses the approval until that federation
    transfers the member, and the refusal names no one."""
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
    with fact_errors():
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

    old = application.status
    application.status = Application.Status.APPROVED
    application.organization = org
    application.decide(actor)
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
