"""The party ledger: party organizations, their coverage of units, members, posts, instructors."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto
from dangjian.core.fields import EncryptedTextField
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import TimeStamped, ValidityPeriod
from dangjian.core.validators import id_number_validator
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
