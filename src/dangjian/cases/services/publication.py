"""Selection and publication of the cases, and revisions of what was published."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent

from ..models import (
    Campaign,
    Publication,
    PublicationRevision,
    Submission,
)
from .common import _now


# -- selection and publication -----------------------------------------------------------------
@transaction.atomic
def select_case(submission: Submission, *, actor, editor_note: str, number: int) -> Publication:
    campaign = submission.campaign
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted case can be selected."))
    if (
        Publication.objects.filter(campaign=campaign, number=number)
        .exclude(submission=submission)
        .exists()
    ):
        raise ValidationError(_("Number %(n)s is already taken in this series.") % {"n": number})
    before = snapshot(submission)
    submission.selected = True
    submission.series_order = number
    submission.save()
    record_change(actor, submission, before)
    publication = Publication.objects.filter(submission=submission).first()
    pub_before = snapshot(publication) if publication else None
    if publication is None:
        publication = Publication(submission=submission, campaign=campaign)
    publication.number = number
    publication.editor_note = editor_note.strip()
    if publication.published_at is None:
        # The frozen copy is taken at selection; after publication only corrections change it.
        publication.title = submission.title
        publication.author_name = str(submission.submitter)
        publication.sections = {k: submission.sections.get(k, "") for k in campaign.sections}
    publication.full_clean()
    publication.save()
    record_change(actor, publication, pub_before)
    return publication


@transaction.atomic
def deselect_case(submission: Submission, *, actor):
    publication = Publication.objects.filter(submission=submission).first()
    if publication and publication.published_at:
        raise ValidationError(
            _("A published case cannot be withdrawn from the series; correct it.")
        )
    before = snapshot(submission)
    submission.selected = False
    submission.series_order = None
    submission.save()
    record_change(actor, submission, before)
    if publication:
        record_change(actor, publication, snapshot(publication), deleted=True)
        publication.delete()


@transaction.atomic
def publish_campaign(campaign: Campaign, *, actor, now=None) -> int:
    now = _now(now)
    pending = campaign.publications.filter(published_at__isnull=True)
    if not campaign.publications.exists():
        raise ValidationError(_("Select at least one case first."))
    count = pending.update(published_at=now)
    before = snapshot(campaign)
    campaign.stage = Campaign.Stage.PUBLISHED
    campaign.published_at = campaign.published_at or now
    campaign.save()
    record_change(actor, campaign, before)
    record_event(actor, AuditEvent.CASE_PUBLISHED, campaign, count=count)
    return count


@transaction.atomic
def revise_publication(
    publication: Publication,
    *,
    actor,
    note: str,
    title=None,
    editor_note=None,
    sections=None,
    now=None,
) -> PublicationRevision:
    if not note.strip():
        raise ValidationError(_("Say what was corrected."))
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    before = snapshot(publication)
    if title is not None:
        publication.title = title
    if editor_note is not None:
        publication.editor_note = editor_note
    if sections is not None:
        publication.sections = {k: sections.get(k, v) for k, v in publication.sections.items()}
    publication.save()
    record_change(actor, publication, before, note=note)
    revision = PublicationRevision.objects.create(
        publication=publication, note=note.strip(), at=_now(now)
    )
    record_change(actor, revision, None)
    return revision
