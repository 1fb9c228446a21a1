"""Appointing and assigning instructors: the facts are the party services'; the workflow adds
the notice file and the federation's dossier, and speaks its own error type to the views."""

from __future__ import annotations

import datetime

from django.db import transaction

from dangjian.applications.models import InstructorDossier
from dangjian.applications.services.common import fact_errors
from dangjian.applications.services.files import store_file
from dangjian.party import services as party_services
from dangjian.party.models import Instructor, InstructorAssignment


@transaction.atomic
def appoint_instructor(federation, data: dict, *, notice_upload=None, actor) -> Instructor:
    """Appoint an instructor or liaison (dispatching body, notice number and date, notice file)."""
    with fact_errors():
        instructor = party_services.appoint_instructor(data, actor=actor)
    notice_file = store_file(notice_upload, federation, actor=actor) if notice_upload else None
    InstructorDossier.objects.create(
        instructor=instructor, federation=federation, notice_file=notice_file
    )
    return instructor


@transaction.atomic
def assign_instructor(
    instructor, organization, *, valid_from, notice_no="", notice_date=None, actor
) -> InstructorAssignment:
    with fact_errors():
        return party_services.assign_instructor(
            instructor,
            organization,
            valid_from=valid_from,
            notice_no=notice_no,
            notice_date=notice_date,
            actor=actor,
        )


@transaction.atomic
def end_assignment(assignment, *, valid_to: datetime.date, actor) -> InstructorAssignment:
    """End an assignment on its last day; history is kept (never deleted)."""
    with fact_errors():
        return party_services.end_instructor_assignment(assignment, on=valid_to, actor=actor)
