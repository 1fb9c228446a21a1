"""Party members, where they work, where their 组织关系 is held and the posts they hold."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto
from dangjian.core.fields import EncryptedTextField
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import TimeStamped, ValidityPeriod
from dangjian.core.validators import id_number_validator
from dangjian.party.models.organizations import PartyOrganization
from dangjian.registry.models import Organization


class PartyMember(TimeStamped):
    """A party member in the ledger. ID number and phone are encrypted at rest."""

    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    class Education(models.TextChoices):
        SECONDARY = "secondary", _("secondary school or below")
        COLLEGE = "college", _("junior college")
        BACHELOR = "bachelor", _("bachelor")
        MASTER = "master", _("master")
        DOCTOR = "doctor", _("doctor")

    # Indexed by (name, id) below: the roster's order and its search by a name's beginning; an
    # index on the name alone would only cost every insert (party 0012).
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = EncryptedTextField(_("ID number"), validators=[id_number_validator])
    # Keyed hash of the ID number: exact lookup and duplicate detection without clear text.
    id_number_hash = models.CharField(max_length=64, editable=False, db_index=True)
    # Keyed hash of its last four characters (what the masked number shows): the roster's
    # search by "…002X" (``core.crypto.suffix_index``).
    id_suffix_hash = models.CharField(max_length=64, editable=False, db_index=True, default="")
    # Another ledger entry holds the same ID number (one person entered twice): set by
    # ``save`` and the bulk paths that can enter a second one (``party.bulk.mark_shared_id_numbers``),
    # so that the duplicates page reads the few flagged entries through a partial index instead
    # of grouping a million hashes. Never missing on a duplicate; it may outlive one (the twin
    # renumbered or deleted), which the page's own count filters out; ``dangjian
    # shared_id_numbers`` recomputes every flag.
    id_number_shared = models.BooleanField(default=False, db_default=False, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    education = models.CharField(
        _("education"), max_length=10, choices=Education.choices, blank=True
    )
    joined_party_on = models.DateField(_("joined the party on"))
    # Empty while probationary (预备党员); probationary members do not count as full members.
    full_member_on = models.DateField(_("full membership on"), null=True, blank=True)
    # The current 组织关系: a cache of the open RelationPeriod (the dated history, which every
    # as-of read uses), kept in step ONLY by party.services.relations (and the import's raw
    # insert of new members beside their first period). It serves today's lists and scoping.
    relation_party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("organizational relation held by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="relation_members",
    )
    relation_external = models.CharField(
        _("organizational relation held outside the system"), max_length=200, blank=True
    )
    is_flowing = models.BooleanField(_("flowing member"), default=False)
    is_lost_contact = models.BooleanField(_("lost contact"), default=False)
    left_on = models.DateField(_("left the ledger on"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    # Keyed hashes kept beside encrypted fields (rebuilt by `dangjian rotate_keys --blind-index`).
    BLIND_INDEXES = {"id_number_hash": "id_number", "id_suffix_hash": "id_number"}

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["name", "id"]
        indexes = [
            # The roster's keyset order (name, id), and its search by a name's beginning.
            models.Index(fields=["name", "id"], name="party_member_name_id"),
            # The entries sharing their ID number with another, by number (the duplicates page).
            models.Index(
                fields=["id_number_hash", "id"],
                condition=models.Q(id_number_shared=True),
                name="party_member_shared_number",
            ),
            # The roster's flowing and lost-contact filters in its keyset order: a few members
            # of a million, which a walk of (name, id) read to the end to find (0.14 s at
            # 10^6 members on PostgreSQL for one flowing member).
            models.Index(
                fields=["name", "id"],
                condition=models.Q(is_flowing=True),
                name="party_member_flowing_name",
            ),
            models.Index(
                fields=["name", "id"],
                condition=models.Q(is_lost_contact=True),
                name="party_member_lost_name",
            ),
            # Its probationary filter likewise (one member in twenty): a city federation's
            # officer, whose members are one in fifty of the ledger, walked 25,000 names to
            # fill a page (0.2–0.4 s at 10^6 members on PostgreSQL).
            models.Index(
                fields=["name", "id"],
                condition=models.Q(full_member_on__isnull=True, left_on__isnull=True),
                name="party_member_probation_name",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number_hash = crypto.blind_index(self.id_number) if self.id_number else ""
        self.id_suffix_hash = crypto.suffix_index(self.id_number) if self.id_number else ""
        if not self.id_number_hash:
            self.id_number_shared = False
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if self.id_number_hash and (fields is None or "id_number" in fields):
            from dangjian.party.bulk import mark_shared_id_numbers

            mark_shared_id_numbers([self.id_number_hash])

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def is_full_on(self, day: datetime.date) -> bool:
        return self.full_member_on is not None and self.full_member_on <= day

    @staticmethod
    def full_on_q(day: datetime.date, prefix: str = "") -> Q:
        return Q(**{f"{prefix}full_member_on__lte": day})


class Employment(ValidityPeriod, TimeStamped):
    """Where a member works. The "≥ 3 full members" rule counts members by employer."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="employments",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("employer"),
        on_delete=models.CASCADE,
        related_name="employments",
        db_index=False,  # (organization, valid_from) below serves it
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["-valid_from"]
        indexes = [models.Index(fields=["organization", "valid_from"])]

    def __str__(self):
        return f"{self.member} @ {self.organization}"


class RelationPeriod(ValidityPeriod, TimeStamped):
    """Where a member's 组织关系 is held from ``valid_from`` to ``valid_to``: a party
    organization of the system, or one outside it (its name as text). A move (转接) ends one
    period the day before the next begins; the periods of a member never overlap."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="relation_periods",
        db_index=False,  # (member, valid_from) below serves it
    )
    # PROTECT: a party organization entered by mistake cannot be removed while members'
    # relations are recorded in it (move them first; history is never erased silently).
    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relation_periods",
        db_index=False,  # (party_organization, valid_from) below serves it
    )
    external = models.CharField(
        _("organizational relation held outside the system"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("organizational relation period")
        verbose_name_plural = _("organizational relation periods")
        ordering = ["member_id", "valid_from"]
        indexes = [
            models.Index(fields=["party_organization", "valid_from"]),
            models.Index(fields=["member", "valid_from"]),
        ]
        # One holder: a party organization of the system or one outside it (whose name may be
        # empty once a departed member's data is erased).
        constraints = [
            models.CheckConstraint(
                condition=Q(party_organization__isnull=True) | Q(external=""),
                name="party_relation_one_holder",
            )
        ]

    def __str__(self):
        return f"{self.member} → {self.holder_name}"

    @property
    def holder_name(self) -> str:
        return self.party_organization.name if self.party_organization else self.external


class Position(ValidityPeriod, TimeStamped):
    """A post in a party organization (书记, 副书记, 委员 …)."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
        MEMBER = "member", _("committee member")
        ORGANIZATION = "organization", _("organization committee member")
        PUBLICITY = "publicity", _("publicity committee member")
        DISCIPLINE = "discipline", _("discipline inspection committee member")

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="positions",
    )
    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="positions",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["party_organization_id", "role", "-valid_from"]

    def __str__(self):
        return f"{self.party_organization} {self.get_role_display()} {self.member}"
