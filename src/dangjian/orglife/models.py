"""Organizational life: 三会一课, 主题党日, 组织生活会, 民主评议党员."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped
from dangjian.party.models import PartyOrganization


class Meeting(TimeStamped):
    class Kind(models.TextChoices):
        GENERAL_MEETING = "general_meeting", _("branch general meeting")
        COMMITTEE_MEETING = "committee_meeting", _("branch committee meeting")
        GROUP_MEETING = "group_meeting", _("party group meeting")
        PARTY_LESSON = "party_lesson", _("party lesson")
        THEME_DAY = "theme_day", _("theme party day")
        LIFE_MEETING = "life_meeting", _("organizational life meeting")
        DEMOCRATIC_REVIEW = "democratic_review", _("democratic review of members")
        OTHER = "other", _("other")

    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    expected_count = models.PositiveIntegerField(_("expected attendance"), null=True, blank=True)
    present_count = models.PositiveIntegerField(_("present"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

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
