"""Registering an applicant (the application, the first step) and ending an application."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import crypto
from dangjian.core.audit import record_change, snapshot
from dangjian.core.concurrency import claim
from dangjian.core.errors import WorkflowError
from dangjian.core.validators import id_number_birth_date, id_number_gender, validate_id_number
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.recruitment import procedure
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.services.common import _add_step, _check_day, _refresh, _today

APPLICANT_FIELDS = ("name", "gender", "ethnicity", "phone", "education")


# -- applicants ------------------------------------------------------------------------------


@transaction.atomic
def register_applicant(
    data: dict, *, branch: PartyOrganization, actor, today: datetime.date | None = None
) -> Applicant:
    """Record an application (入党申请书) received by ``branch``: the first step.

    Refused: a missing name or application date, a date in the future or before the branch
    existed, an invalid ID number, an applicant under the minimum age on the application date
    (R-1, from the birth date in the ID number), a person already in the party ledger or
    already applying."""
    today = _today(today)
    name = (data.get("name") or "").strip()
    if not name:
        raise WorkflowError(_("The applicant's name is required."))
    applied_on = _check_day(data.get("applied_on"), today)
    if applied_on < branch.valid_from or (branch.valid_to and applied_on > branch.valid_to):
        raise WorkflowError(_("The party branch did not exist on the application date."))
    try:
        number = validate_id_number(data.get("id_number") or "")
    except ValidationError as exc:
        raise WorkflowError(" ".join(exc.messages)) from None
    birth = id_number_birth_date(number)
    federation = branch.federation
    minimum = int(procedure.value("min_age", day=applied_on, federation=federation))
    age = procedure.age_on(birth, applied_on)
    if age < minimum:
        raise WorkflowError(
            _(
                "On the application date (%(day)s) the applicant was %(age)d; an applicant must "
                "be at least %(min)d (%(article)s)."
            )
            % {
                "day": applied_on.isoformat(),
                "age": age,
                "min": minimum,
                "article": procedure.cite("application", applied_on),
            }
        )
    digest = crypto.blind_index(number)
    if PartyMember.objects.filter(id_number_hash=digest, left_on__isnull=True).exists():
        raise WorkflowError(_("This ID number belongs to a party member already in the ledger."))
    if Applicant.objects.filter(
        id_number_hash=digest,
        status__in=[Applicant.Status.ACTIVE, Applicant.Status.PROBATIONARY],
    ).exists():
        raise WorkflowError(_("This person already has an application in progress."))
    values = {k: data[k] for k in APPLICANT_FIELDS if data.get(k)}
    values.setdefault("gender", id_number_gender(number))
    applicant = Applicant.objects.create(
        branch=branch,
        id_number=number,
        birth_date=birth,
        applied_on=applied_on,
        **{**values, "name": name},
    )
    record_change(actor, applicant, None)
    _add_step(applicant, "application", applied_on, {"acted_by": name}, actor=actor)
    _refresh(applicant)
    return applicant


@transaction.atomic
def stop_applicant(
    applicant: Applicant, *, version, reason: str, actor, today: datetime.date | None = None
) -> Applicant:
    """The application ends (withdrawn, not accepted, cancelled): kept for the record."""
    if not (reason or "").strip():
        raise WorkflowError(_("Say why the application ends."))
    before = snapshot(applicant)
    applicant = claim(Applicant, applicant.pk, version)
    if applicant.status != Applicant.Status.ACTIVE:
        raise WorkflowError(_("Only an application in progress can be ended."))
    applicant.status = Applicant.Status.STOPPED
    applicant.save(update_fields=["status", "updated_at"])
    record_change(actor, applicant, before, note=reason.strip())
    return applicant
