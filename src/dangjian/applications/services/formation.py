"""The formation workflow (同步推动建立): a case, its four standards, and approval, which forms
the party organization through the party services — coverage, the secretary and, where
instructor-driven, the instructor's dispatch. The members' 组织关系 move only through transfers
(the transfers app), offered on the case page once it is approved."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangjian.applications.checks import joint_branch_max_units, standards, term_years
from dangjian.applications.models import FormationCase
from dangjian.applications.services.common import _history, fact_errors
from dangjian.applications.services.files import store_file
from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.concurrency import claim
from dangjian.core.errors import WorkflowError
from dangjian.party import services as party_services
from dangjian.party.models import Election, InstructorAssignment, PartyOrganization, Position


def federation_committee(federation) -> PartyOrganization | None:
    """The federation's top party organization (互联网行业党委), parent of new branches."""
    return (
        PartyOrganization.objects.filter(
            federation=federation, parent__isnull=True, kind=PartyOrganization.Kind.COMMITTEE
        )
        .order_by("valid_from", "pk")
        .first()
    )


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
    with fact_errors():
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
            actor=actor,
        )
        # Its founding election starts the first term (the term history, party.services).
        party_services.record_election(
            party_org,
            held_on=day,
            kind=Election.Kind.FOUNDING,
            term_years=term_years(case.kind, case.federation, day),
            actor=actor,
        )
        party_services.appoint_position(
            party_org, case.secretary, role=Position.Role.SECRETARY, valid_from=day, actor=actor
        )
        # The members' 组织关系 do not move here: the case page then offers to transfer in the
        # members employed in the covered units whose relation is held elsewhere in the system
        # (``transfers.services.transfer_in_many``, one transfer each), and each relation moves
        # on the day the branch accepts it; until then the sending branch keeps the member.
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
    case.status = FormationCase.Status.APPROVED
    case.party_organization = party_org
    case.decide(actor, case.reason)
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
