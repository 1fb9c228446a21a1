"""The annual case collection (案例征集): campaigns, submissions, blind review, publication.

A federation opens a ``Campaign``; units and lower federations write ``Submission``s (sections,
images, attachments, figures pulled from the ledger); experts score them blind (``Review``);
officers select and publish them (``Publication``, corrected through ``PublicationRevision``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped


class ReviewerProfile(TimeStamped):
    """An expert's affiliation, used only to keep them away from their own unit's cases."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reviewer_profile",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")

    def __str__(self):
        return str(self.user)


def default_sections():
    return ["案例背景", "主要做法", "工作成效"]


def default_rubric():
    return [
        {"key": "c1", "title": "政治引领", "weight": 30},
        {"key": "c2", "title": "创新性", "weight": 25},
        {"key": "c3", "title": "实效性", "weight": 30},
        {"key": "c4", "title": "可推广性", "weight": 15},
    ]


class Campaign(TimeStamped):
    """One year's call for cases by a federation."""

    class Stage(models.TextChoices):
        OPEN = "open", _("accepting submissions")
        REVIEW = "review", _("under review")
        PUBLISHED = "published", _("published")

    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="case_campaigns",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    call_text = models.TextField(_("call text"))
    # Lists of plain strings; the form edits them one per line.
    categories = models.JSONField(_("categories"), default=list)
    sections = models.JSONField(_("required sections"), default=default_sections)
    deadline = models.DateTimeField(_("deadline"))
    # Chinese text: a "word" is a character (punctuation and spaces not counted).
    section_word_limit = models.PositiveIntegerField(_("word limit per section"), default=2000)
    total_word_limit = models.PositiveIntegerField(_("word limit in total"), default=5000)
    max_images = models.PositiveSmallIntegerField(_("maximum images"), default=6)
    max_attachments = models.PositiveSmallIntegerField(_("maximum attachments"), default=3)
    max_attachment_mb = models.PositiveSmallIntegerField(
        _("maximum size per file (MB)"), default=10
    )
    # [{"key": "c1", "title": "...", "weight": 30}, ...]; each criterion is scored 0–10.
    rubric = models.JSONField(_("scoring rubric"), default=default_rubric)
    reviewers_per_submission = models.PositiveSmallIntegerField(
        _("reviewers per submission"), default=3
    )
    # How many cases the officers mean to select; the second round looks at the cut-off.
    selection_quota = models.PositiveSmallIntegerField(_("cases to select"), default=3)
    borderline_margin = models.PositiveSmallIntegerField(
        _("borderline ranks either side of the cut-off"), default=1
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.OPEN)
    series_title = models.CharField(_("series title"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case campaign")
        verbose_name_plural = _("case campaigns")
        ordering = ["-year", "-deadline"]

    def __str__(self):
        return self.title

    def accepts_at(self, when) -> bool:
        """Submissions are accepted up to and including the deadline instant."""
        return when <= self.deadline

    @property
    def is_open(self) -> bool:
        return self.stage == self.Stage.OPEN and self.accepts_at(timezone.now())

    @property
    def total_weight(self) -> int:
        return sum(int(c["weight"]) for c in self.rubric) or 1


class Submission(TimeStamped):
    """A case written by a member unit or a lower federation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    EDITABLE = (Status.DRAFT, Status.WITHDRAWN)

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    # Exactly one of the two: the submitting unit or the submitting federation.
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("submitting unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_submissions",
    )
    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("submitting federation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_submissions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    # {section title: HTML as typed}; sanitised with nh3 whenever it is shown.
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    autosaved_at = models.DateTimeField(_("autosaved at"), null=True, blank=True)
    selected = models.BooleanField(_("selected"), default=False)
    series_order = models.PositiveSmallIntegerField(_("order in the series"), null=True, blank=True)

    class Meta:
        verbose_name = _("case submission")
        verbose_name_plural = _("case submissions")
        ordering = ["campaign_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(federation__isnull=True))
                | (Q(organization__isnull=True) & Q(federation__isnull=False)),
                name="cases_submission_one_submitter",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def submitter(self):
        return self.organization or self.federation

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


def _image_path(instance, filename):
    return f"cases/images/{uuid.uuid4().hex}.jpg"


def _attachment_path(instance, filename):
    return f"cases/attachments/{uuid.uuid4().hex}"


class SubmissionImage(TimeStamped):
    """A photo, re-encoded on upload (no EXIF, no GPS), with its caption and date."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="images"
    )
    file = models.FileField(_("file"), upload_to=_image_path)
    caption = models.CharField(_("caption"), max_length=200)
    taken_on = models.DateField(_("date"), null=True, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["submission_id", "id"]

    def __str__(self):
        return self.caption


class SubmissionAttachment(TimeStamped):
    """A supporting file. Its original name is kept for the submitter only: reviewers get a
    neutral name ("附件1.docx") and a copy with the unit's name taken out."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("original file name"), max_length=255)
    kind = models.CharField(_("file type"), max_length=8)  # "docx", "jpg", "png"
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["submission_id", "id"]

    def __str__(self):
        return self.original_name

    def neutral_name(self, index: int) -> str:
        return f"附件{index}.{self.kind}"


class SubmissionFigure(TimeStamped):
    """A number stated in a case. ``confirmed`` ones were pulled from the ledger by the system,
    as of ``as_of``; the others are the submitter's own and reviewers see them as unconfirmed."""

    class Kind(models.TextChoices):
        MEMBER_UNITS = "member_units", _("member units")
        PARTY_ORGANIZATIONS = "party_orgs", _("party organizations")
        COVERAGE_RATE = "coverage", _("organizational coverage rate")
        WORK_COVERAGE_RATE = "work_coverage", _("work coverage rate")
        FULL_MEMBERS = "full_members", _("full party members employed")
        COVERED = "covered", _("covered by a party organization (1 = yes)")
        STATED = "stated", _("stated by the submitter")

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="figures"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=100)
    value = models.CharField(_("value"), max_length=50)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    confirmed = models.BooleanField(_("confirmed by the system"), default=False)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["submission_id", "-confirmed", "id"]

    def __str__(self):
        return f"{self.label}: {self.value}"


class Review(TimeStamped):
    """One expert's blind scoring of one submission in one round."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="case_reviews",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    # {criterion key: 0..10}
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "reviewer"], name="cases_review_once_per_reviewer"
            )
        ]

    def __str__(self):
        return f"#{self.pk} R{self.round}"


class Publication(TimeStamped):
    """A selected case as the public reads it: a frozen, correctable copy of the submission."""

    submission = models.OneToOneField(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.PROTECT,
        related_name="publication",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="publications",
    )
    number = models.PositiveSmallIntegerField(_("number in the series"))
    title = models.CharField(_("title"), max_length=200)
    author_name = models.CharField(_("published under the name of"), max_length=200)
    editor_note = models.TextField(_("editor's note"))
    sections = models.JSONField(_("sections"), default=dict)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["campaign_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="cases_publication_number")
        ]

    def __str__(self):
        return self.title

    def ordered_sections(self) -> list[tuple[str, str]]:
        """Sections in the campaign's order: PostgreSQL's jsonb does not keep a dict's key
        order, so the order comes from the campaign's list, not from the stored dict."""
        order = list(self.campaign.sections)
        keys = [k for k in order if k in self.sections] + [
            k for k in self.sections if k not in order
        ]
        return [(k, self.sections[k]) for k in keys]

    @property
    def is_public(self) -> bool:
        return self.published_at is not None


class PublicationRevision(models.Model):
    """A correction to a published case, shown on its public page."""

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("revision note"))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["at", "id"]

    def __str__(self):
        return self.note[:50]
