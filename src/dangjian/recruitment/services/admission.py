"""Admission (the applicant becomes a probationary member) and 转正 (full membership), through
the party ledger's own services."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core.errors import WorkflowError
from dangjian.party import services as party_services
from dangjian.recruitment.models import Applicant, Step
from dangjian.recruitment.queries import Standing, standing

# -- admission and 转正: the party ledger's own services --------------------------------------


def _admit(applicant: Applicant, s: Standing, step: Step, *, actor) -> None:
    """The applicant becomes a probationary member: entered in the party ledger from the day of
    the branch meeting (入党日期), their 组织关系 in the branch from that day."""
    meeting = s.first("admission_meeting")
    assert meeting is not None  # the order of the steps: the meeting came before
    data = {
        "name": applicant.name,
        "gender": applicant.gender,
        "ethnicity": applicant.ethnicity,
        "birth_date": applicant.birth_date,
        "id_number": applicant.id_number,
        "phone": applicant.phone,
        "education": applicant.education,
        "joined_party_on": meeting.done_on,
        "relation_party_organization": applicant.branch,
        "relation_since": meeting.done_on,
    }
    note = _("Admitted as a probationary member (recruitment)")
    try:
        member, created = party_services.register_or_link_member(
            data, federation=applicant.branch.federation, actor=actor, note=note
        )
    except ValidationError as exc:
        raise WorkflowError(" ".join(exc.messages)) from None
    if not created:
        raise WorkflowError(_("This ID number belongs to a party member already in the ledger."))
    applicant.member = member
    applicant.status = Applicant.Status.PROBATIONARY
    applicant.save(update_fields=["member", "status", "updated_at"])


def _confirm(applicant: Applicant, step: Step, *, actor) -> None:
    """转正: full membership dated the day the probation ends (R-15), whatever the approval's
    date; through the party ledger's service."""
    end = standing(applicant, datetime.date.max).probation_end
    if applicant.member is None or end is None:
        raise WorkflowError(_("The applicant has not been admitted."))
    party_services.update_member(
        applicant.member,
        {"full_member_on": end},
        actor=actor,
        note=_("Full membership approved (recruitment)"),
    )
    applicant.status = Applicant.Status.FULL
    applicant.save(update_fields=["status", "updated_at"])
