"""The federation registry: federations, member organizations and their memberships."""

import datetime

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField
from dangjian.core.masking import mask_phone
from dangjian.core.models import TimeStamped, ValidityPeriod, valid_on_q
from dangjian.core.validators import uscc_validator


class Federation(TimeStamped):
    """A hub federation (网络社会组织联合会); federations nest national → provincial → city."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        CITY = "city", _("city")
        DISTRICT = "district", _("district")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    # Used as the issuing prefix of letters, e.g. 津网联〔2026〕12号.
    letter_prefix = models.CharField(_("letter prefix"), max_length=20, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent federation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path ("/1/4/") so a subtree is one indexed prefix query.
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True, default="")
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[uscc_validator]
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    supervising_unit = models.CharField(_("supervising unit"), max_length=200, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("federation")
        verbose_name_plural = _("federations")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        expected = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if self.path != expected:
            self.path = expected
            type(self).objects.filter(pk=self.pk).update(path=expected)

    def subtree(self):
        return Federation.objects.filter(path__startswith=self.path)


class Domain(models.Model):
    """A field of work such as 网络内容, 网络安全和信息化, 智能科技."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganizationQuerySet(models.QuerySet):
    # "Covered by a party organization on a day" is party.queries.with_party_organization(qs):
    # a registry queryset does not know about party coverage.

    def members_of(self, federation: Federation, day: datetime.date | None = None):
        """Organizations holding a membership of ``federation`` or one below it on ``day``."""
        day = day or timezone.localdate()
        return self.filter(
            Exists(
                Membership.objects.filter(
                    valid_on_q(day),
                    organization=OuterRef("pk"),
                    federation__path__startswith=federation.path,
                )
            )
        )


class Organization(TimeStamped):
    """A member unit: 协会, 商会, 学会, 研究院所, or an enterprise."""

    class LegalForm(models.TextChoices):
        SOCIAL_GROUP = "social_group", _("social group")
        PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("private non-enterprise unit")
        FOUNDATION = "foundation", _("foundation")
        ENTERPRISE = "enterprise", _("enterprise")
        OTHER = "other", _("other")

    class Category(models.TextChoices):
        ASSOCIATION = "association", _("association")
        CHAMBER = "chamber", _("chamber of commerce")
        SOCIETY = "society", _("learned society")
        INSTITUTE = "institute", _("research institute")
        ENTERPRISE = "enterprise", _("enterprise")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("activities suspended")
        DEREGISTERED = "deregistered", _("deregistered")

    name = models.CharField(_("name"), max_length=200, db_index=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[uscc_validator],
    )
    legal_form = models.CharField(_("legal form"), max_length=24, choices=LegalForm.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    domains = models.ManyToManyField(Domain, verbose_name=_("domains"), blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True, db_index=True)
    supervising_unit = models.CharField(_("supervising unit"), max_length=200, blank=True)
    registration_authority = models.CharField(
        _("registration authority"), max_length=200, blank=True
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    # A person's phone (often a mobile): encrypted at rest and masked, like members' phones.
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]
        # A supervising unit's or registration authority's scope (access.scope) is the units
        # naming it: without these, each of its pages read all 100,000 units.
        indexes = [
            models.Index(fields=["supervising_unit"], name="org_supervising_unit"),
            models.Index(fields=["registration_authority"], name="org_registration_authority"),
        ]

    def __str__(self):
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_enterprise(self) -> bool:
        return self.legal_form == self.LegalForm.ENTERPRISE


class Membership(ValidityPeriod, TimeStamped):
    """An organization's membership of a federation, with its role, from joining to leaving."""

    class Role(models.TextChoices):
        MEMBER = "member", _("member unit")
        DIRECTOR = "director", _("director unit")
        STANDING_DIRECTOR = "standing_director", _("standing director unit")
        VICE_PRESIDENT = "vice_president", _("vice-president unit")
        PRESIDENT = "president", _("president unit")

    federation = models.ForeignKey(
        Federation,
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-valid_from"]
        indexes = [models.Index(fields=["organization", "valid_from"])]

    def __str__(self):
        return f"{self.organization} @ {self.federation}"
