"""Organizational life: 三会一课, 主题党日, 组织生活会, 民主评议党员, 谈心谈话, study sessions —
planned, held, with who attended, what was decided, and the files of the record.

A meeting counts as the required meeting of its kind (``counts``) only when it was held and,
where the regulations set a quorum, met it; the services keep that column, the rules read it.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped, Versioned
from dangjian.party.models import PartyMember, PartyOrganization


class Meeting(Versioned, TimeStamped):
    class Kind(models.TextChoices):
        GENERAL_MEETING = "general_meeting", _("branch general meeting")
        COMMITTEE_MEETING = "committee_meeting", _("branch committee meeting")
        GROUP_MEETING = "group_meeting", _("party group meeting")
        PARTY_LESSON = "party_lesson", _("party lesson")
        THEME_DAY = "theme_day", _("theme party day")
        LIFE_MEETING = "life_meeting", _("organizational life meeting")
        DEMOCRATIC_REVIEW = "democratic_review", _("democratic review of members")
        HEART_TO_HEART = "heart_to_heart", _("heart-to-heart talk")
        STUDY = "study", _("member activity or study session")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held and recorded")

    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Imported and older meetings are records of what was held.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    held_on = models.DateField(_("held on"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        PartyMember,
        verbose_name=_("chaired by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder = models.ForeignKey(
        PartyMember,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    # Sanitised HTML (orglife.minutes.clean_minutes), never shown unsanitised.
    minutes = models.TextField(_("minutes"), blank=True)
    # 应到 / 实到: members expected (voting and probationary) and those of them present; from
    # the attendance when it is recorded, else as imported.
    expected_count = models.PositiveIntegerField(_("expected attendance"), null=True, blank=True)
    present_count = models.PositiveIntegerField(_("present"), null=True, blank=True)
    # The quorum's base and count: those with a vote (full members; the committee at a
    # committee meeting) expected, and present.
    voters_expected = models.PositiveIntegerField(_("expected with a vote"), null=True, blank=True)
    voters_present = models.PositiveIntegerField(_("present with a vote"), null=True, blank=True)
    # None: no quorum applies to the kind, or the numbers are not known.
    quorum_met = models.BooleanField(_("quorum met"), null=True, blank=True)
    counts = models.BooleanField(_("counts as the required meeting"), default=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["party_organization", "held_on"]),
            # The rules engine's "did anything change since the last run" probe reads the latest
            # updated_at; without an index that is a scan of every meeting (10^7 rows) on SQLite.
            models.Index(fields=["updated_at"], name="orglife_meeting_updated_at"),
        ]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}"

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED


class Attendance(TimeStamped):
    """One member at one meeting: present, or absent with the reason; how it was taken."""

    class Role(models.TextChoices):
        VOTER = "voter", _("full member (votes)")
        PROBATIONARY = "probationary", _("probationary member (attends, no vote)")
        COMMITTEE = "committee", _("committee member")
        GUEST = "guest", _("attending from another branch (not counted)")
        # A flowing member (流动党员) the branch hosts: expected and counted in 应到 / 实到,
        # never a vote nor the quorum (their vote stays with their own branch; LIFECYCLE O-5).
        FLOWING = "flowing", _("flowing member hosted here (attends, no vote)")

    class Status(models.TextChoices):
        PRESENT = "present", _("attended")
        ABSENT = "absent", _("absent")

    class Reason(models.TextChoices):
        SICK = "sick", _("sick leave")
        PERSONAL = "personal", _("personal leave")
        OFFICIAL = "official", _("on official duty")
        OTHER = "other", _("other reason")

    class Method(models.TextChoices):
        HAND = "hand", _("marked by hand")
        QR = "qr", _("signed in by QR code")
        IMPORT = "import", _("imported from a ledger")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    role = models.CharField(_("attends as"), max_length=14, choices=Role.choices)
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices)
    reason = models.CharField(
        _("reason of absence"), max_length=8, choices=Reason.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    method = models.CharField(_("taken"), max_length=8, choices=Method.choices)
    signed_at = models.DateTimeField(_("signed in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "id"]
        constraints = [
            # A retried sign-in (a phone that lost the network) cannot count anyone twice.
            models.UniqueConstraint(fields=["meeting", "member"], name="orglife_attendance_once")
        ]

    def __str__(self):
        return f"{self.meeting} {self.member} {self.get_status_display()}"


class Resolution(TimeStamped):
    """A decision put to the vote at a meeting, with the votes and whether it passed."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="resolutions"
    )
    text = models.CharField(_("resolution"), max_length=500)
    votes_for = models.PositiveIntegerField(_("votes for"), default=0)
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)
    passed = models.BooleanField(_("passed"), default=False)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["meeting_id", "id"]

    def __str__(self):
        return self.text


def _attachment_path(instance, filename):
    return f"orglife/{uuid.uuid4().hex}.{instance.kind}"


class MeetingAttachment(TimeStamped):
    """A photo (re-encoded: no EXIF, no GPS) or a PDF (the sign-in sheet, a document) of the
    meeting's record; its type was read from its content, not its name."""

    class Kind(models.TextChoices):
        PHOTO = "jpg", _("photo")
        PDF = "pdf", _("PDF document")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_attachment_path)
    kind = models.CharField(_("file type"), max_length=4, choices=Kind.choices)
    original_name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")
        ordering = ["meeting_id", "id"]

    def __str__(self):
        return self.original_name
