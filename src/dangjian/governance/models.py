"""Governance facts of a unit: its leaders, its charter, its major decisions.

一肩挑 and "principal leaders are party members" are derived from these and the party ledger,
never typed in (see governance/queries.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped, ValidityPeriod
from dangjian.party.models import PartyMember
from dangjian.registry.models import Organization


class UnitLeader(ValidityPeriod, TimeStamped):
    class Role(models.TextChoices):
        PRESIDENT = "president", _("president")
        VICE_PRESIDENT = "vice_president", _("vice-president")
        SECRETARY_GENERAL = "secretary_general", _("secretary-general")
        CHAIRMAN = "chairman", _("chairman of the board")
        LEGAL_REPRESENTATIVE = "legal_rep", _("legal representative")

    PRINCIPAL_ROLES = (Role.PRESIDENT, Role.CHAIRMAN, Role.LEGAL_REPRESENTATIVE)

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="leaders",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("full name"), max_length=50)
    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unit_leaderships",
    )

    class Meta:
        verbose_name = _("unit leader")
        verbose_name_plural = _("unit leaders")
        ordering = ["organization_id", "role", "-valid_from"]

    def __str__(self):
        return f"{self.organization} {self.get_role_display()} {self.name}"


class CharterRevision(TimeStamped):
    """A version of the unit's charter (章程); the latest one adopted by a date is in force."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="charter_revisions",
    )
    adopted_on = models.DateField(_("adopted on"))
    has_party_building_clause = models.BooleanField(_("contains a party-building clause"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("charter revision")
        verbose_name_plural = _("charter revisions")
        ordering = ["organization_id", "-adopted_on"]

    def __str__(self):
        return f"{self.organization} {self.adopted_on}"


class MajorDecision(TimeStamped):
    """A major decision of the board or general assembly, and whether the party org took part."""

    class Body(models.TextChoices):
        BOARD = "board", _("board of directors")
        STANDING_BOARD = "standing_board", _("standing board")
        GENERAL_ASSEMBLY = "general_assembly", _("general assembly")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="major_decisions",
    )
    decided_on = models.DateField(_("decided on"))
    body = models.CharField(_("decision body"), max_length=20, choices=Body.choices)
    subject = models.CharField(_("subject"), max_length=200)
    party_participated = models.BooleanField(_("party organization took part"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("major decision")
        verbose_name_plural = _("major decisions")
        ordering = ["-decided_on"]

    def __str__(self):
        return f"{self.decided_on} {self.subject}"
