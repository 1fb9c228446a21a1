"""Submissions: drafts, files, figures, submitting and withdrawing before the deadline."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.core.uploads import read_limited, reencode_image
from dangjian.core.validators import TEXT_MAX_LENGTH, text_max_length
from dangjian.registry.models import Federation, Organization

from .. import figures as ledger_figures
from .. import uploads
from ..models import (
    Campaign,
    Submission,
    SubmissionAttachment,
    SubmissionFigure,
    SubmissionImage,
)
from ..queries import problems
from .common import _now


# -- submissions -------------------------------------------------------------------------------
def _check_open(submission: Submission, now):
    campaign = submission.campaign
    if campaign.stage != Campaign.Stage.OPEN or not campaign.accepts_at(now):
        raise ValidationError(_("The deadline of this campaign has passed."))


def _check_editable(submission: Submission, now):
    _check_open(submission, now)
    if not submission.is_editable:
        raise ValidationError(_("A submitted case is locked; withdraw it first to change it."))


@transaction.atomic
def create_submission(
    campaign: Campaign, submitter, *, actor, title: str, category: str = "", now=None
) -> Submission:
    submission = Submission(
        campaign=campaign,
        organization=submitter if isinstance(submitter, Organization) else None,
        federation=submitter if isinstance(submitter, Federation) else None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        title=title,
        category=category,
        sections={name: "" for name in campaign.sections},
    )
    _check_open(submission, _now(now))
    submission.full_clean()
    submission.save()
    record_change(actor, submission, None)
    return submission


# A section is HTML around a word limit the campaign sets: room for its markup, still bounded.
SECTION_MAX_LENGTH = 10 * TEXT_MAX_LENGTH


@transaction.atomic
def save_draft(
    submission: Submission,
    *,
    actor,
    title=None,
    category=None,
    sections=None,
    autosave: bool = False,
    now=None,
) -> bool:
    """Save what the submitter typed; returns False when nothing changed (autosave ticks)."""
    now = _now(now)
    _check_editable(submission, now)
    before = snapshot(submission)
    if title is not None:
        submission.title = title.strip()[:200] or submission.title
    if category is not None:
        submission.category = category
    if sections is not None:
        for value in sections.values():
            text_max_length(SECTION_MAX_LENGTH)(value or "")
        submission.sections = {
            name: sections.get(name, submission.sections.get(name, ""))
            for name in submission.campaign.sections
        }
    if (submission.title, submission.category, submission.sections) == (
        before["title"],
        before["category"],
        before["sections"],
    ):
        return False
    if autosave:
        submission.autosaved_at = now
    submission.save()
    record_change(actor, submission, before, note="autosave" if autosave else "")
    return True


@transaction.atomic
def submit(submission: Submission, *, actor, now=None) -> Submission:
    now = _now(now)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _check_editable(submission, now)
    found = problems(submission)
    if found:
        raise ValidationError(found)
    before = snapshot(submission)
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = now
    submission.save()
    record_change(actor, submission, before)
    record_event(actor, AuditEvent.CASE_SUBMITTED, submission)
    return submission


@transaction.atomic
def withdraw(submission: Submission, *, actor, now=None) -> Submission:
    now = _now(now)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _check_open(submission, now)
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted case can be withdrawn."))
    before = snapshot(submission)
    submission.status = Submission.Status.WITHDRAWN
    submission.submitted_at = None
    submission.save()
    record_change(actor, submission, before)
    record_event(actor, AuditEvent.CASE_WITHDRAWN, submission)
    return submission


@transaction.atomic
def add_image(
    submission: Submission,
    upload,
    *,
    actor,
    caption: str,
    taken_on: datetime.date | None = None,
    now=None,
) -> SubmissionImage:
    _check_editable(submission, _now(now))
    campaign = submission.campaign
    if submission.images.count() >= campaign.max_images:
        raise ValidationError(_("At most %(n)s images.") % {"n": campaign.max_images})
    data = read_limited(upload, campaign.max_attachment_mb * 1024 * 1024)
    jpeg, width, height = reencode_image(data)
    image = SubmissionImage(
        submission=submission,
        caption=caption.strip()[:200],
        taken_on=taken_on,
        width=width,
        height=height,
    )
    image.file.save("image.jpg", ContentFile(jpeg), save=False)
    image.save()
    _record_file(actor, AuditEvent.CASE_IMAGE_ADDED, image)
    return image


@transaction.atomic
def add_attachment(submission: Submission, upload, *, actor, now=None) -> SubmissionAttachment:
    _check_editable(submission, _now(now))
    campaign = submission.campaign
    if submission.attachments.count() >= campaign.max_attachments:
        raise ValidationError(_("At most %(n)s attachments.") % {"n": campaign.max_attachments})
    data = read_limited(upload, campaign.max_attachment_mb * 1024 * 1024)
    stored, kind = uploads.clean_attachment(data)
    name = (getattr(upload, "name", "") or "attachment").replace("/", "_")[-200:]
    attachment = SubmissionAttachment(
        submission=submission,
        original_name=name,
        kind=kind,
        size=len(stored),
        sha256=uploads.sha256(stored),
    )
    attachment.file.save(f"file.{kind}", ContentFile(stored), save=False)
    attachment.save()
    _record_file(actor, AuditEvent.CASE_ATTACHMENT_ADDED, attachment)
    return attachment


@transaction.atomic
def remove_file(obj: SubmissionImage | SubmissionAttachment, *, actor, now=None):
    _check_editable(obj.submission, _now(now))
    _record_file(actor, AuditEvent.CASE_FILE_REMOVED, obj)
    obj.file.delete(save=False)
    obj.delete()


def _record_file(actor, event: str, obj):
    # core.audit.snapshot cannot serialise a FieldFile, so files are recorded as events.
    data = {"submission": obj.submission_id, "file": obj.file.name}
    data |= {"caption": obj.caption} if isinstance(obj, SubmissionImage) else {"sha256": obj.sha256}
    record_event(actor, event, obj, **data)


@transaction.atomic
def pull_figures(submission: Submission, day: datetime.date, *, actor, now=None) -> list:
    """Replace the ledger figures with the ledger's numbers as of ``day``, marked confirmed."""
    _check_editable(submission, _now(now))
    submission.figures.filter(confirmed=True).delete()
    created = []
    for row in ledger_figures.from_ledger(submission, day):
        figure = SubmissionFigure.objects.create(
            submission=submission,
            kind=row["kind"],
            label=row["label"][:100],
            value=row["value"],
            as_of=day,
            confirmed=True,
            source=ledger_figures.SOURCE,
        )
        created.append(figure)
    record_event(
        actor,
        AuditEvent.CASE_FIGURES_PULLED,
        submission,
        as_of=str(day),
        figures={f.label: f.value for f in created},
    )
    return created


@transaction.atomic
def add_stated_figure(
    submission: Submission, *, actor, label: str, value: str, as_of=None, now=None
) -> SubmissionFigure:
    _check_editable(submission, _now(now))
    figure = SubmissionFigure.objects.create(
        submission=submission,
        kind=SubmissionFigure.Kind.STATED,
        label=label.strip()[:100],
        value=value.strip()[:50],
        as_of=as_of,
        confirmed=False,
    )
    record_change(actor, figure, None)
    return figure


@transaction.atomic
def remove_figure(figure: SubmissionFigure, *, actor, now=None):
    _check_editable(figure.submission, _now(now))
    record_change(actor, figure, snapshot(figure), deleted=True)
    figure.delete()
