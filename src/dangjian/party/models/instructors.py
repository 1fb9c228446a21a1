"""Party-building instructors and liaisons, and the units they are assigned to."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import TimeStamped, ValidityPeriod
from dangjian.party.models.members import PartyMember
from dangjian.registry.models import Organization


class Instructor(ValidityPeriod, TimeStamped):
    """A party-building instructor or liaison (党建工作指导员 / 联络员), from appointment to end."""

    class Kind(models.TextChoices):
        INSTRUCTOR = "instructor", _("party-building instructor")
        LIAISON = "liaison", _("liaison")

    name = models.CharField(_("full name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INSTRUCTOR)
    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = EncryptedTextField(_("phone"), blank=True)
    dispatched_by = models.CharField(_("dispatching body"), max_length=200)
    notice_no = models.CharField(_("appointment notice number"), max_length=100, blank=True)
    notice_date = models.DateField(_("appointment notice date"), null=True, blank=True)

    class Meta:
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class InstructorAssignment(ValidityPeriod, TimeStamped):
    """An instructor sent to a unit, by a dispatch notice, for a period."""

    instructor = models.ForeignKey(
        Instructor,
        verbose_name=_("instructor"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="instructor_assignments",
    )
    notice_no = models.CharField(_("dispatch notice number"), max_length=100, blank=True)
    notice_date = models.DateField(_("dispatch notice date"), null=True, blank=True)

    class Meta:
        verbose_name = _("instructor assignment")
        verbose_name_plural = _("instructor assignments")
        ordering = ["-valid_from"]

    def __str__(self):
        return f"{self.instructor} → {self.organization}"
