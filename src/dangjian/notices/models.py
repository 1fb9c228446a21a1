"""Notices sent down with receipt (通知签收), tasks with feedback, and in-app notifications.

A notice is written by a federation officer (to the federation's units, branches or members)
or by a branch secretary (to their organization's units, the branches below it or its
members). Publishing resolves the targets once and freezes them as receipt rows, one per
target (LIFECYCLE.md N-1); the content is frozen too: a published notice is withdrawn, or
replaced by a new version whose receipts start again (N-4).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.models import TimeStamped


class Notice(TimeStamped):
    class Kind(models.TextChoices):
        # A document notice (文件通知): signed for by each unit or party organization (N-5).
        NOTICE = "notice", pgettext_lazy("notice kind", "notice")
        # A task needs the recipients' feedback and the sender's review to close.
        TASK = "task", pgettext_lazy("notice kind", "task")
        # A meeting notice (会议通知): each party member signs, or asks for leave with a reason.
        MEETING = "meeting", pgettext_lazy("notice kind", "meeting notice")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("notice status", "draft")
        PUBLISHED = "published", pgettext_lazy("notice status", "published")
        WITHDRAWN = "withdrawn", pgettext_lazy("notice status", "withdrawn")
        REPLACED = "replaced", pgettext_lazy("notice status", "replaced by a new version")

    class Audience(models.TextChoices):
        ALL_UNITS = "all_units", _("all member units")
        CATEGORY = "category", _("member units of a category")
        UNITS = "units", _("named member units")
        BRANCHES = "branches", _("party organizations")
        MEMBERS = "members", _("party members of chosen party organizations")

    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Sent by a party organization (its secretary); empty: by the federation's officers.
    party_organization = models.ForeignKey(
        "party.PartyOrganization",
        verbose_name=pgettext_lazy("notice", "sent by party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("notice", "sender"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sender_name = models.CharField(pgettext_lazy("notice", "sender"), max_length=150)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.NOTICE)
    urgent = models.BooleanField(_("urgent"), default=False)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(pgettext_lazy("notice", "text"))
    sign_deadline = models.DateTimeField(_("sign by"))
    feedback_deadline = models.DateTimeField(_("feedback by"), null=True, blank=True)
    audience = models.CharField(_("sent to"), max_length=12, choices=Audience.choices)
    category = models.CharField(_("category"), max_length=16, blank=True)
    organizations = models.ManyToManyField(
        "registry.Organization", verbose_name=_("member units"), blank=True, related_name="+"
    )
    # Named "target_branches", not "party_organizations": that name is a fact model's reverse
    # accessor, which the services-only scan (rightly) treats as a fact write.
    target_branches = models.ManyToManyField(
        "party.PartyOrganization",
        verbose_name=_("party organizations"),
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # A republished notice: the version it replaces, its number and why.
    previous = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    version_no = models.PositiveIntegerField(pgettext_lazy("notice", "version"), default=1)
    change_reason = models.CharField(_("reason for the new version"), max_length=300, blank=True)
    # A task generated for one cycle of a recurring duty (N-8): the duty and the cycle's key
    # ("2026-03", "2026-Q1", "2026"); a new version keeps both.
    duty = models.ForeignKey(
        "notices.Duty",
        verbose_name=_("recurring duty"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    period = models.CharField(_("cycle"), max_length=8, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("notice", "notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["federation", "status", "published_at"])]
        constraints = [
            # One task per duty and cycle (the generator may run any number of times).
            models.UniqueConstraint(
                fields=["duty", "period", "version_no"],
                condition=Q(duty__isnull=False),
                name="notices_notice_one_task_per_cycle",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_task(self) -> bool:
        return self.kind == self.Kind.TASK

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Receipt(models.Model):
    """One target of a published notice: a member unit (its liaison signs), a party
    organization (its secretary signs) or a party member (they sign themself)."""

    class Status(models.TextChoices):
        UNREAD = "unread", pgettext_lazy("receipt", "unread")
        READ = "read", pgettext_lazy("receipt", "read")
        SIGNED = "signed", pgettext_lazy("receipt", "signed")
        SUBMITTED = "submitted", pgettext_lazy("receipt", "feedback submitted")
        RETURNED = "returned", pgettext_lazy("receipt", "returned for more")
        DONE = "done", pgettext_lazy("receipt", "done")
        # A member's answer to a meeting notice: will not attend, with a reason (请假, N-5).
        LEAVE = "leave", pgettext_lazy("receipt", "asked for leave")

    notice = models.ForeignKey(
        Notice,
        verbose_name=pgettext_lazy("notice", "notice"),
        on_delete=models.CASCADE,
        related_name="receipts",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("member unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_organization = models.ForeignKey(
        "party.PartyOrganization",
        verbose_name=_("party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The target's name when the notice was published (the list and the export read it).
    target_name = models.CharField(pgettext_lazy("receipt", "recipient"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UNREAD
    )
    read_at = models.DateTimeField(pgettext_lazy("receipt", "read at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_by_name = models.CharField(_("signed by"), max_length=150, blank=True)
    leave_reason = models.CharField(_("reason for leave"), max_length=300, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=500, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Reminders sent (N-3): before the deadline and at it, each once; for a task's feedback
    # likewise, before its feedback deadline and at it.
    reminded_before_at = models.DateTimeField(
        _("reminded before the deadline"), null=True, blank=True
    )
    reminded_due_at = models.DateTimeField(_("reminded at the deadline"), null=True, blank=True)
    feedback_reminded_before_at = models.DateTimeField(
        _("reminded before the feedback deadline"), null=True, blank=True
    )
    feedback_reminded_due_at = models.DateTimeField(
        _("reminded at the feedback deadline"), null=True, blank=True
    )

    # Asking for leave answers a meeting notice: it counts as signed for (read and answered).
    SIGNED_STATES = (Status.SIGNED, Status.SUBMITTED, Status.RETURNED, Status.DONE, Status.LEAVE)

    class Meta:
        verbose_name = pgettext_lazy("notice", "receipt")
        verbose_name_plural = _("receipts")
        ordering = ["notice_id", "target_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "organization"],
                condition=Q(organization__isnull=False),
                name="notices_receipt_one_per_unit",
            ),
            models.UniqueConstraint(
                fields=["notice", "party_organization"],
                condition=Q(party_organization__isnull=False),
                name="notices_receipt_one_per_party_org",
            ),
            models.UniqueConstraint(
                fields=["notice", "member"],
                condition=Q(member__isnull=False),
                name="notices_receipt_one_per_member",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["party_organization", "status"]),
            models.Index(fields=["member", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.notice} → {self.target_name}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Notification(models.Model):
    """An in-app message to one user (the bell): a new notice, a reminder, a decision."""

    class Kind(models.TextChoices):
        NOTICE = "notice", pgettext_lazy("notification", "new notice")
        REMINDER = "reminder", pgettext_lazy("notification", "reminder")
        DECISION = "decision", pgettext_lazy("notification", "decision")
        REVIEW = "review", pgettext_lazy("notification", "feedback reviewed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "seen_at"])]

    def __str__(self) -> str:
        return self.title


def _file_path(instance: NoticeFile, filename: str) -> str:
    # A random name: the original one (kept on the row) may say what the file is about.
    return f"notices/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class NoticeFile(TimeStamped):
    """A file of a notice (its attachments) or of one receipt's feedback; its type was read
    from its content (``core.uploads``), images re-encoded without EXIF."""

    notice = models.ForeignKey(
        Notice,
        verbose_name=pgettext_lazy("notice", "notice"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    # Empty: the notice's own attachment; set: a recipient's feedback file.
    receipt = models.ForeignKey(
        Receipt,
        verbose_name=pgettext_lazy("notice", "receipt"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    file = models.FileField(_("file"), upload_to=_file_path)
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("notice file")
        verbose_name_plural = _("notice files")
        ordering = ["notice_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class Duty(TimeStamped):
    """A recurring duty (三会一课 per cycle, dues per month …, N-8): the configuration from which
    a task (a notice requiring feedback) is generated for each cycle of the year, to the
    responsible organizations chosen by scope as a notice's targets are. ``expected_count`` is
    how many times each of them is to do it per cycle (said in the task; the dashboard compares
    the feedback expected with the feedback accepted)."""

    class Cycle(models.TextChoices):
        MONTH = "month", _("monthly")
        QUARTER = "quarter", _("quarterly")
        YEAR = "year", _("yearly")

    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set by a party organization (its secretary) for those below it; empty: by the officers.
    party_organization = models.ForeignKey(
        "party.PartyOrganization",
        verbose_name=pgettext_lazy("notice", "sent by party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("task type"), max_length=150)
    body = models.TextField(pgettext_lazy("notice", "text"), blank=True)
    audience = models.CharField(
        _("responsible organizations"), max_length=12, choices=Notice.Audience.choices
    )
    category = models.CharField(_("category"), max_length=16, blank=True)
    organizations = models.ManyToManyField(
        "registry.Organization", verbose_name=_("member units"), blank=True, related_name="+"
    )
    target_branches = models.ManyToManyField(
        "party.PartyOrganization",
        verbose_name=_("party organizations"),
        blank=True,
        related_name="+",
    )
    expected_count = models.PositiveSmallIntegerField(_("expected count per cycle"), default=1)
    cycle = models.CharField(_("cycle"), max_length=8, choices=Cycle.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("recurring duty")
        verbose_name_plural = _("recurring duties")
        ordering = ["-year", "title", "pk"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"
