"""Party organizations, their terms and the units they cover; the party committee's liaison and
demonstration points."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped, ValidityPeriod
from dangjian.registry.models import Federation, Organization


class PartyOrganization(ValidityPeriod, TimeStamped):
    """A 党委 / 党总支 / 党支部 / 联合党支部; valid_from is the date it was established."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("party committee")
        GENERAL_BRANCH = "general_branch", _("general party branch")
        BRANCH = "branch", _("party branch")
        JOINT_BRANCH = "joint_branch", _("joint party branch")

    class FormationMode(models.TextChoices):
        IN_MEMBER_UNIT = "in_member_unit", _("formed inside the member unit")
        IN_BOARD = "in_board", _("formed inside the federation's board")
        VIA_SUPERVISOR = "via_supervisor", _("formed jointly via the supervising department")
        INSTRUCTOR_DRIVEN = "instructor_driven", _("formed with a dispatched instructor")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        DISSOLVED = "dissolved", _("dissolved")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    federation = models.ForeignKey(
        Federation,
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("higher party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    formation_mode = models.CharField(
        _("formation mode"), max_length=20, choices=FormationMode.choices, blank=True
    )
    approval_doc_no = models.CharField(_("approval document number"), max_length=100, blank=True)
    approval_date = models.DateField(_("approval date"), null=True, blank=True)
    # The terms are dated facts of their own (Election, TermExtension): the term in force on a
    # day is party.term_queries.term_in_force. ``term_deadline`` only repeats, for one indexed
    # count, the last day of the latest term recorded (its approved extension's end, else
    # its election's day plus its length; empty when no election is recorded): kept by
    # party.services.terms (every writer of elections and extensions goes through it) and
    # rebuilt by ``dangjian term_deadlines``. Read only where no election or extension is dated
    # after the day asked about (party.term_queries.terms_to_renew).
    term_deadline = models.DateField(
        _("term deadline (kept from the elections)"), null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        verbose_name = _("party organization")
        verbose_name_plural = _("party organizations")
        ordering = ["federation_id", "name"]
        indexes = [
            # A committee's subordinate organizations, a page at a time by name (keyset_page).
            models.Index(fields=["parent", "name", "id"], name="party_org_children_by_name"),
            # The party organizations' list, a page at a time by name: a federation's own
            # (an officer's), and every one (the administrator's, or several federations').
            models.Index(fields=["federation", "name", "id"], name="party_org_federation_by_name"),
            models.Index(fields=["name", "id"], name="party_org_by_name"),
            models.Index(fields=["term_deadline"], name="party_org_term_deadline"),
        ]

    def __str__(self):
        return self.name

    @property
    def established_on(self) -> datetime.date:
        return self.valid_from


class Election(TimeStamped):
    """An election held by a party organization (选举), dated. A founding or general election
    (成立选举 / 换届选举) starts a term of ``term_years``; a by-election (补选) fills a post
    and leaves the term as it is. The term in force on a day is read from these
    (``party.term_queries.term_in_force``); nothing else records a term."""

    class Kind(models.TextChoices):
        FOUNDING = "founding", _("founding election")
        GENERAL = "general", _("general election for a new term")
        BY_ELECTION = "by_election", _("by-election")

    # The kinds that start a new term.
    TERM_KINDS = (Kind.FOUNDING, Kind.GENERAL)

    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="elections",
    )
    held_on = models.DateField(_("election day"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Empty for a by-election, which starts no term.
    term_years = models.PositiveSmallIntegerField(_("term length (years)"), null=True, blank=True)
    document_no = models.CharField(
        _("approval of the result (document number)"), max_length=100, blank=True
    )

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["party_organization_id", "held_on"]
        # "Is any term election dated after the day?" (the kept deadlines hold only if not).
        indexes = [models.Index(fields=["held_on"], name="party_election_held_on")]
        constraints = [
            models.UniqueConstraint(
                fields=["party_organization", "held_on"], name="party_election_one_a_day"
            )
        ]

    def __str__(self):
        return f"{self.party_organization} {self.held_on:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def starts_term(self) -> bool:
        return self.kind in self.TERM_KINDS


class TermExtension(TimeStamped):
    """An extension of a term approved by the higher party organization (延期换届): never
    automatic, at most the rulebook's ``max_extension_years`` past the term's end."""

    election = models.ForeignKey(
        Election,
        verbose_name=_("term extended (its election)"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    approved_on = models.DateField(_("approved on"))
    approved_by = models.CharField(_("approved by"), max_length=200)
    document_no = models.CharField(_("approval document number"), max_length=100, blank=True)
    extended_until = models.DateField(_("extended until"))

    class Meta:
        verbose_name = _("term extension")
        verbose_name_plural = _("term extensions")
        ordering = ["election_id", "approved_on"]

    def __str__(self):
        return f"{self.election.party_organization} → {self.extended_until:%Y-%m-%d}"


class Coverage(ValidityPeriod, TimeStamped):
    """A party organization covers a unit (its own branch, a joint branch, or via the board)."""

    class Kind(models.TextChoices):
        OWN = "own", _("own party organization")
        JOINT = "joint", _("joint party organization")
        BOARD = "board", _("via the federation's board")

    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="coverages",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="coverages",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.OWN)

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverages")
        ordering = ["-valid_from"]
        indexes = [models.Index(fields=["organization", "valid_from"])]

    def __str__(self):
        return f"{self.party_organization} → {self.organization}"


class Designation(TimeStamped):
    """A liaison point or demonstration point designated by the party committee."""

    class Kind(models.TextChoices):
        LIAISON_POINT = "liaison_point", _("direct liaison point")
        DEMONSTRATION_POINT = "demonstration_point", _("demonstration point")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="designations",
    )
    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="designations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    granted_by = models.CharField(_("granted by"), max_length=200)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()}"
