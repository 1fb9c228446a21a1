"""Every write of the case collection: one function per business action, atomic, audited.

Functions that depend on the clock take ``now`` (default: the current time), so the deadline
can be tested at the exact second.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access.models import RoleAssignment
from dangjian.core.audit import record_change, record_event, snapshot
from dangjian.core.events import AuditEvent
from dangjian.registry.models import Federation, Membership, Organization

from . import figures as ledger_figures
from . import scoring, text, uploads
from .models import (
    Campaign,
    Publication,
    PublicationRevision,
    Review,
    ReviewerProfile,
    Submission,
    SubmissionAttachment,
    SubmissionFigure,
    SubmissionImage,
)


def _now(now):
    return now or timezone.now()


# -- campaigns ---------------------------------------------------------------------------------
@transaction.atomic
def create_campaign(federation: Federation, *, actor, **fields) -> Campaign:
    campaign = Campaign(federation=federation, **fields)
    campaign.full_clean()
    campaign.save()
    record_change(actor, campaign, None)
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, *, actor, **fields) -> Campaign:
    before = snapshot(campaign)
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    record_change(actor, campaign, before)
    return campaign


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


def problems(submission: Submission) -> list[str]:
    """What stands between this draft and submitting it (word limits, empty sections)."""
    campaign = submission.campaign
    found = []
    if campaign.categories and submission.category not in campaign.categories:
        found.append(_("Choose a category."))
    total = 0
    for name in campaign.sections:
        count = text.word_count(submission.sections.get(name, ""))
        total += count
        if count == 0:
            found.append(_("Section “%(name)s” is empty.") % {"name": name})
        elif count > campaign.section_word_limit:
            found.append(
                _("Section “%(name)s” has %(count)s characters, more than %(limit)s.")
                % {"name": name, "count": count, "limit": campaign.section_word_limit}
            )
    if total > campaign.total_word_limit:
        found.append(
            _("The case has %(count)s characters, more than %(limit)s.")
            % {"count": total, "limit": campaign.total_word_limit}
        )
    return found


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
    data = uploads.read_limited(upload, campaign.max_attachment_mb * 1024 * 1024)
    jpeg, width, height = uploads.reencode_image(data)
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
    data = uploads.read_limited(upload, campaign.max_attachment_mb * 1024 * 1024)
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


# -- review ------------------------------------------------------------------------------------
def experts():
    User = get_user_model()
    ids = RoleAssignment.objects.current().filter(role=RoleAssignment.Role.EXPERT_REVIEWER)
    return User.objects.filter(pk__in=ids.values("user"), is_active=True).order_by("username")


def undeclared_experts():
    """Experts whose affiliation nobody has recorded: the conflict-of-interest rule cannot keep
    them from their own unit's cases, so they are not assigned until it is recorded."""
    return experts().filter(reviewer_profile__isnull=True)


@transaction.atomic
def declare_affiliation(expert, *, organization=None, federation=None, actor) -> ReviewerProfile:
    """Record where an expert works (both empty: an independent expert, declared as such)."""
    if not experts().filter(pk=expert.pk).exists():
        raise ValidationError(_("Only a current expert reviewer has an affiliation to record."))
    existing = ReviewerProfile.objects.select_for_update().filter(user=expert).first()
    before = snapshot(existing) if existing else None
    # update_or_create: two officers recording a first affiliation at once do not collide on
    # the one-profile-per-expert constraint; the later one wins and both are audited.
    profile, _created = ReviewerProfile.objects.update_or_create(
        user=expert, defaults={"organization": organization, "federation": federation}
    )
    record_change(actor, profile, before)
    return profile


def _unit_keys(organization: Organization, day: datetime.date) -> set:
    feds = Membership.objects.valid_on(day).filter(organization=organization)
    return {("org", organization.pk)} | {
        ("fed", f) for f in feds.values_list("federation_id", flat=True)
    }


def submission_keys(submission: Submission, day: datetime.date) -> set:
    if submission.organization is not None:
        return _unit_keys(submission.organization, day)
    return {("fed", submission.federation_id)}


def reviewer_keys(user, day: datetime.date) -> set:
    """A reviewer's affiliations: their unit (and its federations) and their federation."""
    profile = ReviewerProfile.objects.filter(user=user).first()
    if profile is None:
        return set()
    keys = _unit_keys(profile.organization, day) if profile.organization is not None else set()
    if profile.federation_id:
        keys.add(("fed", profile.federation_id))
    return keys


def _check_review_stage(campaign: Campaign, now):
    if campaign.accepts_at(now):
        raise ValidationError(_("Reviewers can be assigned only after the deadline."))
    if campaign.stage == Campaign.Stage.PUBLISHED:
        raise ValidationError(_("This campaign is already published."))


@transaction.atomic
def assign_reviewers(campaign: Campaign, *, actor, round: int = 1, only=None, now=None) -> list:
    """Assign experts to the submitted cases (or to ``only`` those, in a later round)."""
    now = _now(now)
    _check_review_stage(campaign, now)
    day = timezone.localdate(campaign.deadline)
    subs = list(
        only
        if only is not None
        else campaign.submissions.filter(status=Submission.Status.SUBMITTED)
    )
    # Only experts whose affiliation is on record: an undeclared one could be their own judge.
    users = {u.pk: u for u in experts().filter(reviewer_profile__isnull=False)}
    existing = list(
        Review.objects.filter(submission__campaign=campaign, round=round).values_list(
            "submission_id", "reviewer_id"
        )
    )
    # A reviewer who already scored a case in an earlier round is not asked again about it.
    earlier = set(
        Review.objects.filter(submission__campaign=campaign, round__lt=round).values_list(
            "submission_id", "reviewer_id"
        )
    )
    sub_keys = {s.pk: submission_keys(s, day) for s in subs}
    for s_id, r_id in earlier:
        if s_id in sub_keys:
            sub_keys[s_id] = sub_keys[s_id] | {("earlier", r_id)}
    rev_keys = {pk: reviewer_keys(u, day) | {("earlier", pk)} for pk, u in users.items()}
    pairs = scoring.plan_assignments(
        sub_keys, rev_keys, campaign.reviewers_per_submission, existing=existing
    )
    created = [Review.objects.create(submission_id=s, reviewer_id=r, round=round) for s, r in pairs]
    if campaign.stage == Campaign.Stage.OPEN:
        before = snapshot(campaign)
        campaign.stage = Campaign.Stage.REVIEW
        campaign.save()
        record_change(actor, campaign, before)
    record_event(
        actor,
        AuditEvent.CASE_REVIEWERS_ASSIGNED,
        campaign,
        round=round,
        pairs=[[s, r] for s, r in pairs],
    )
    return created


@transaction.atomic
def save_review(
    review: Review, *, actor, scores: dict, comment: str, complete: bool, now=None
) -> Review:
    """Score a case on the rubric (each criterion 0–10). Every change is audited."""
    review = (
        Review.objects.select_for_update().select_related("submission__campaign").get(pk=review.pk)
    )
    campaign = review.submission.campaign
    if campaign.stage != Campaign.Stage.REVIEW:
        raise ValidationError(_("The review of this campaign is closed."))
    if review.reviewer_id != getattr(actor, "pk", None):
        raise PermissionDenied
    clean = {}
    for criterion in campaign.rubric:
        value = scores.get(criterion["key"])
        if value in (None, ""):
            if complete:
                raise ValidationError(_("Score every criterion before finishing."))
            continue
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            raise ValidationError(_("Scores are numbers from 0 to 10.")) from None
        if not Decimal(0) <= number <= Decimal(10):
            raise ValidationError(_("Scores are numbers from 0 to 10."))
        clean[criterion["key"]] = float(number)
    before = snapshot(review)
    review.scores = clean
    review.comment = comment
    full = len(clean) == len(campaign.rubric)
    review.total = None
    if full:
        total = Decimal(str(scoring.weighted_total(campaign.rubric, clean)))
        review.total = total.quantize(Decimal("0.01"))
    if complete:
        review.completed_at = review.completed_at or _now(now)
    review.save()
    record_change(actor, review, before)
    return review


def ranking(campaign: Campaign) -> list[scoring.Ranked]:
    """Cases ranked by normalised score. A case whose later round is complete is judged on that
    round's scores (the second round replaces the first for the borderline ones)."""
    reviews = list(
        Review.objects.filter(submission__campaign=campaign).values(
            "submission_id", "reviewer_id", "round", "total", "completed_at"
        )
    )
    # The last round whose reviews are all complete counts for each case (default: round 1).
    incomplete = {(r["submission_id"], r["round"]) for r in reviews if not r["completed_at"]}
    final_round: dict[int, int] = {}
    for row in reviews:
        key = (row["submission_id"], row["round"])
        if key not in incomplete:
            final_round[key[0]] = max(final_round.get(key[0], 0), key[1])
    triples = [
        (r["reviewer_id"], r["submission_id"], float(r["total"]))
        for r in reviews
        if r["completed_at"]
        and r["total"] is not None
        and r["round"] == final_round.get(r["submission_id"], 1)
    ]
    return scoring.rank(triples, campaign.selection_quota, campaign.borderline_margin)


@transaction.atomic
def start_second_round(campaign: Campaign, *, actor, now=None) -> list:
    rows = ranking(campaign)
    borderline = [r.submission for r in rows if r.borderline]
    subs = list(Submission.objects.filter(pk__in=borderline))
    if not subs:
        raise ValidationError(_("No case is near the cut-off."))
    record_event(actor, AuditEvent.CASE_SECOND_ROUND, campaign, submissions=borderline)
    return assign_reviewers(campaign, actor=actor, round=2, only=subs, now=now)


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
