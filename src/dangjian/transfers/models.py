"""Transfers of a member's 组织关系 (组织关系转接): out of a branch and into another, within the
system (the receiving branch accepts on its page; the relation moves on the acceptance date),
across federations in the system, and to or from a party organization outside it (a printed
introduction letter in the form of 组通字〔2006〕45号 — stub, letter, receipt — and the receipt
(回执) recorded when it comes back).

Until the receiver accepts, the member stays with the sending branch (LIFECYCLE T-4): the
relation moves only through ``party.services.move_relation``, on the acceptance date.
Letters are numbered in the issuing federation's register (``core.numbering``), gap-free.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import TimeStamped, Versioned
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.registry.models import Federation


class Transfer(Versioned, TimeStamped):
    class Status(models.TextChoices):
        ISSUED = "issued", _("issued, awaiting acceptance")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned by the receiver")
        CANCELLED = "cancelled", _("cancelled")

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    # The federation whose register numbers the letter: the sending party organization's, or,
    # for a letter received from outside the system, the receiving one's.
    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+"
    )
    from_party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("from party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    from_external = models.CharField(
        _("from a party organization outside the system"), max_length=200, blank=True
    )
    to_party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("to party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    to_external = models.CharField(
        _("to a party organization outside the system"), max_length=200, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    reason = models.CharField(_("reason for the transfer"), max_length=200, blank=True)
    issued_on = models.DateField(_("letter issued on"))
    valid_days = models.PositiveSmallIntegerField(_("valid for (days)"))
    # 党费交至: the first day of the last month paid.
    dues_paid_to = models.DateField(_("dues paid up to (month)"), null=True, blank=True)
    # The register (our letters): year and serial set together when the letter is issued.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("serial number"), null=True, blank=True)
    letter_no = models.CharField(_("letter number"), max_length=50, blank=True)
    # A letter received from outside the system: its number as printed by the sender.
    external_letter_no = models.CharField(
        _("number of the letter received"), max_length=50, blank=True
    )
    # The issuing committee's contact (person, phone, fax), printed on the letter.
    contact_note = EncryptedTextField(_("contact of the issuing committee"), blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 回执: the receiver's receipt for a letter out of the system (received back), or ours for
    # a letter received from outside it (sent back). Within the system the acceptance is it.
    receipt_on = models.DateField(_("receipt on"), null=True, blank=True)
    closed_reason = models.CharField(_("reason returned or cancelled"), max_length=200, blank=True)
    # Also completed in the 全国党员管理信息系统 (no API: recorded by hand with its reference).
    national_ref = models.CharField(
        _("reference in the national system"), max_length=100, blank=True
    )
    national_on = models.DateField(_("completed in the national system on"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["status", "issued_on"]),
            models.Index(fields=["member", "issued_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year", "serial"], name="transfers_unique_letter_number"
            ),
        ]

    def __str__(self):
        return self.letter_no or self.external_letter_no or f"{self.member} {self.issued_on}"

    @property
    def from_name(self) -> str:
        return (
            self.from_party_organization.name
            if self.from_party_organization
            else self.from_external
        )

    @property
    def to_name(self) -> str:
        return self.to_party_organization.name if self.to_party_organization else self.to_external

    @property
    def is_out_of_system(self) -> bool:
        return self.to_party_organization_id is None

    @property
    def is_from_outside(self) -> bool:
        return self.from_party_organization_id is None

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def valid_until(self) -> datetime.date:
        """The last day the letter is valid (the day of issue is its first)."""
        return self.issued_on + datetime.timedelta(days=self.valid_days - 1)

    def expired_on(self, day: datetime.date) -> bool:
        return self.is_pending and day > self.valid_until
