"""Every write of the recognition app: honours, exemplary individuals, works, and the
liaison / demonstration points (party.Designation). Atomic and audited; nothing is deleted —
a withdrawn designation or honour gets its revocation date."""

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.party import services as party_services
from dangjian.party.models import Designation
from dangjian.recognition.models import Recognition


class RecognitionError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


@transaction.atomic
def grant_designation(
    organization, *, kind, year, granted_by, party_organization=None, actor
) -> Designation:
    if Designation.objects.filter(
        organization=organization, kind=kind, year=year, revoked_on__isnull=True
    ).exists():
        raise RecognitionError(_("The unit already holds this designation for that year."))
    designation = party_services.designate(
        kind,
        organization=organization,
        party_organization=party_organization,
        year=year,
        granted_by=granted_by,
        actor=actor,
    )
    record_event(actor, "designation.granted", designation, organization=organization.pk, kind=kind)
    return designation


@transaction.atomic
def revoke_designation(designation, *, revoked_on: datetime.date, actor) -> Designation:
    designation = Designation.objects.select_for_update().get(pk=designation.pk)
    if designation.revoked_on:
        raise RecognitionError(_("This designation has already been revoked."))
    designation = party_services.revoke_designation(designation, on=revoked_on, actor=actor)
    record_event(actor, "designation.revoked", designation, revoked_on=str(revoked_on))
    return designation


@transaction.atomic
def record_recognition(data: dict, *, actor) -> Recognition:
    recognition = Recognition.objects.create(
        **data, recorded_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    record_change(actor, recognition, None)
    record_event(
        actor,
        f"recognition.{recognition.kind}",
        recognition,
        organization=recognition.organization_id,
    )
    return recognition


@transaction.atomic
def revoke_recognition(recognition, *, revoked_on: datetime.date, actor) -> Recognition:
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    if recognition.revoked_on:
        raise RecognitionError(_("This has already been revoked."))
    before = snapshot(recognition)
    recognition.revoked_on = revoked_on
    recognition.save(update_fields=["revoked_on", "updated_at"])
    record_change(actor, recognition, before)
    return recognition
