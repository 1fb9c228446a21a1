"""Brands and recognition (DOMAIN.md §2.8): honours (荣誉), exemplary individuals (先进个人) and
works shown on national platforms. Liaison and demonstration points are ``party.Designation``
rows, written through this app's services."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped


class Recognition(TimeStamped):
    class Kind(models.TextChoices):
        HONOUR = "honour", _("honour")
        INDIVIDUAL = "individual", _("exemplary individual")
        WORK = "work", _("work shown on a platform")

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        CITY = "city", _("city")
        DISTRICT = "district", _("district")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="recognitions",
    )
    party_organization = models.ForeignKey(
        "party.PartyOrganization",
        verbose_name=_("party organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recognitions",
    )
    title = models.CharField(_("title"), max_length=200)
    person_name = models.CharField(_("person"), max_length=50, blank=True)
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recognitions",
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, blank=True)
    granted_by = models.CharField(_("granted by / platform"), max_length=200)
    granted_on = models.DateField(_("date"))
    certificate_no = models.CharField(_("certificate number"), max_length=100, blank=True)
    url = models.URLField(_("link"), blank=True)
    note = models.TextField(_("note"), blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-granted_on", "-id"]

    def __str__(self):
        return f"{self.title}（{self.person_name or self.organization}）"
