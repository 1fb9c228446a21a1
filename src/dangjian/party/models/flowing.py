"""Flowing and lost-contact members: their periods away, the attempts to reach them, and the
decisions on their standing."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped, ValidityPeriod
from dangjian.party.models.members import PartyMember
from dangjian.party.models.organizations import PartyOrganization


class FlowingPeriod(ValidityPeriod, TimeStamped):
    """A member away from their branch for six months or more without transferring their
    组织关系 (流动党员, 党员教育管理工作条例 art. 25; LIFECYCLE T-7): where they are, their
    流动党员活动证 number, and the host branch where they take part in organizational life
    without a vote (the relation, dues and vote stay with their own branch)."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="flowing_periods",
    )
    whereabouts = models.CharField(_("where the member is"), max_length=200)
    certificate_no = models.CharField(
        _("flowing member's activity certificate number"), max_length=50, blank=True
    )
    host_party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("host party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_flowing_periods",
    )
    host_external = models.CharField(
        _("host party organization outside the system"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("flowing period")
        verbose_name_plural = _("flowing periods")
        ordering = ["member_id", "-valid_from"]
        indexes = [
            models.Index(fields=["host_party_organization", "valid_from"]),
            # The flowing members' list, newest first: walked backwards, stops after a page.
            models.Index(fields=["valid_from", "id"], name="party_flowing_from_id"),
        ]

    def __str__(self):
        return f"{self.member} → {self.whereabouts}"


class ContactRecord(TimeStamped):
    """One contact with a member, or one attempt to reach them (the documented search before a
    member is declared lost; LIFECYCLE T-8). The lost-contact clock reads the reached ones."""

    class Method(models.TextChoices):
        PHONE = "phone", _("by phone")
        VISIT = "visit", _("visit in person")
        MESSAGE = "message", _("by message or letter")
        THROUGH_OTHERS = "through_others", _("through family, employer or others")

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="contact_records",
    )
    on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    reached = models.BooleanField(_("reached the member"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")
        ordering = ["member_id", "-on", "-id"]
        indexes = [models.Index(fields=["member", "on"])]

    def __str__(self):
        return f"{self.member} {self.on}"


class StandingDecision(TimeStamped):
    """A decision on a member's standing, recorded by a person with its date and the body that
    took it (LIFECYCLE M-5, T-8): declared lost, contact restored, membership suspended
    (停止党籍), restored (恢复党籍), removed (除名). Never taken by the system."""

    class Kind(models.TextChoices):
        LOST_CONTACT = "lost_contact", _("declared lost contact")
        CONTACT_RESTORED = "contact_restored", _("contact restored")
        SUSPENDED = "suspended", _("party membership suspended")
        RESTORED = "restored", _("party membership restored")
        REMOVED = "removed", _("removed from the party")

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="standing_decisions",
    )
    kind = models.CharField(_("decision"), max_length=16, choices=Kind.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.CharField(_("decided by (body)"), max_length=200)
    document_no = models.CharField(_("document number"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("standing decision")
        verbose_name_plural = _("standing decisions")
        ordering = ["member_id", "decided_on", "id"]
        indexes = [models.Index(fields=["member", "decided_on"])]

    def __str__(self):
        return f"{self.member} {self.decided_on} {self.get_kind_display()}"
