"""Workflows of the federation that write registry and party facts: joining (入会申请 with
同步采集), forming party organizations (同步推动建立) and dispatching instructors.

The facts these workflows produce (Organization, Membership, PartyMember, PartyOrganization,
Coverage, Position, InstructorAssignment) live in their own apps; the models here are the
paperwork: applications, formation cases, their evidence files and status history.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.crypto import blind_index
from dangjian.core.fields import EncryptedTextField
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import Decided, TimeStamped
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.registry.models import Membership, Organization


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of an applicant's secret link: a digest, so a database leak opens no draft."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StoredFile(TimeStamped):
    """An uploaded evidence file, checked by content (see core.uploads) before storing.

    Files are downloaded only through the page of the object they belong to, which scopes the
    download and logs it.
    """

    federation = models.ForeignKey(
        "registry.Federation", verbose_name=_("federation"), on_delete=models.PROTECT
    )
    file = models.FileField(_("file"), upload_to="applications/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self):
        return self.original_name


class Invitation(TimeStamped):
    """An invitation link of a federation: whoever holds it may open membership applications."""

    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    # Meant to be handed out, so kept in clear to be shown again; it only opens new drafts.
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    expires_on = models.DateField(_("expires on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation link")
        verbose_name_plural = _("invitation links")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.federation} {self.expires_on}"

    def is_open(self, day=None) -> bool:
        return self.revoked_at is None and (day or timezone.localdate()) <= self.expires_on


class Application(Decided, TimeStamped):
    """A unit's application to join a federation, with its party members (同步采集)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted, waiting for review")
        RETURNED = "returned", _("returned for correction")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    EDITABLE_BY_APPLICANT = (Status.DRAFT, Status.RETURNED)
    OPEN_FOR_REVIEW = (Status.SUBMITTED,)

    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation link"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Optimistic locking: every write names the version it read (see services.claim).
    version = models.PositiveIntegerField(_("version"), default=1)
    access_digest = models.CharField(max_length=64, unique=True, editable=False)

    # The unit, as the applicant describes it.
    name = models.CharField(_("unit name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    legal_form = models.CharField(
        _("legal form"), max_length=24, choices=Organization.LegalForm.choices
    )
    category = models.CharField(_("category"), max_length=16, choices=Organization.Category.choices)
    district = models.CharField(_("district"), max_length=50)
    supervising_unit = models.CharField(_("supervising unit"), max_length=200, blank=True)
    registration_authority = models.CharField(
        _("registration authority"), max_length=200, blank=True
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = EncryptedTextField(_("contact phone"))
    requested_role = models.CharField(
        _("requested membership role"),
        max_length=20,
        choices=Membership.Role.choices,
        default=Membership.Role.MEMBER,
    )
    statement = models.TextField(_("statement of application"), blank=True)

    # The review.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The applicant reads it: its label says so (the field is Decided's).
    reason = models.TextField(_("reason given to the applicant"), blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return self.name or str(_("membership application"))

    def set_access_token(self) -> str:
        """A new secret link for the applicant; the old one stops working. Returns the token."""
        token = new_token()
        self.access_digest = token_digest(token)
        return token

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def editable_by_applicant(self) -> bool:
        return self.status in self.EDITABLE_BY_APPLICANT


class ApplicantMember(models.Model):
    """A party member employed by the applying unit, as the applicant entered them.

    The ID number is personal data before approval too: encrypted, with a blind index to find
    the member if the ledger already has them.
    """

    application = models.ForeignKey(
        Application,
        verbose_name=_("membership application"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=6, choices=PartyMember.Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    id_number = EncryptedTextField(_("ID number"))
    id_number_hash = models.CharField(max_length=64, editable=False, db_index=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    education = models.CharField(
        _("education"), max_length=10, choices=PartyMember.Education.choices, blank=True
    )
    joined_party_on = models.DateField(_("joined the party on"))
    full_member_on = models.DateField(_("full membership on"), null=True, blank=True)
    relation_held_by = models.CharField(
        _("organizational relation held by"), max_length=200, blank=True
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    employed_since = models.DateField(_("employed since"), null=True, blank=True)
    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member in the ledger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Rebuilt by `dangjian rotate_keys --blind-index` like the ledger's members.
    BLIND_INDEXES = {"id_number_hash": "id_number"}

    class Meta:
        verbose_name = _("party member of an applying unit")
        verbose_name_plural = _("party members of an applying unit")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number_hash = blind_index(self.id_number) if self.id_number else ""
        super().save(*args, **kwargs)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_full(self) -> bool:
        return self.full_member_on is not None


class StatusChange(models.Model):
    """One step in the history of an application or a formation case: who, when, why."""

    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    formation_case = models.ForeignKey(
        "FormationCase", null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("previous status"), max_length=12, blank=True)
    to_status = models.CharField(_("new status"), max_length=12)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status} → {self.to_status}"

    def _label(self, code: str) -> str:
        statuses = Application.Status if self.application_id else FormationCase.Status
        return str(statuses(code).label) if code in statuses.values else code

    @property
    def from_label(self) -> str:
        return self._label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)


class FormationCase(Decided, TimeStamped):
    """Pushing the formation of a party organization for one unit or a group (联合党支部).

    The four standards (有批文, 有书记, 派遣党建指导员有通知, 覆盖情况有明细) are checked from the
    evidence on the case; the higher party organization approves, which creates the
    PartyOrganization, its Coverage links and the secretary's Position.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("in preparation")
        SUBMITTED = "submitted", _("submitted for approval")
        APPROVED = "approved", _("approved: party organization formed")
        CANCELLED = "cancelled", _("cancelled")

    KINDS = [
        (PartyOrganization.Kind.BRANCH.value, PartyOrganization.Kind.BRANCH.label),
        (PartyOrganization.Kind.JOINT_BRANCH.value, PartyOrganization.Kind.JOINT_BRANCH.label),
        (PartyOrganization.Kind.GENERAL_BRANCH.value, PartyOrganization.Kind.GENERAL_BRANCH.label),
    ]

    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="formation_cases",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    application = models.ForeignKey(
        Application,
        verbose_name=_("membership application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="formation_cases",
    )
    units = models.ManyToManyField(
        Organization, verbose_name=_("covered units"), related_name="formation_cases"
    )
    name = models.CharField(_("name of the party organization"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=KINDS, default=KINDS[0][0])
    mode = models.CharField(
        _("formation mode"),
        max_length=20,
        choices=PartyOrganization.FormationMode.choices,
        default=PartyOrganization.FormationMode.IN_MEMBER_UNIT,
    )
    parent = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("higher party organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    # Standard 1: 有批文.
    approval_doc_no = models.CharField(_("approval document number"), max_length=100, blank=True)
    approval_date = models.DateField(_("approval date"), null=True, blank=True)
    approval_file = models.ForeignKey(
        StoredFile,
        verbose_name=_("approval document file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Standard 2: 有书记.
    secretary = models.ForeignKey(
        PartyMember,
        verbose_name=_("secretary"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Standard 3: 派遣党建指导员有通知 (required where the mode is instructor-driven).
    instructor = models.ForeignKey(
        "party.Instructor",
        verbose_name=_("instructor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization formed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("formation case")
        verbose_name_plural = _("formation cases")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class InstructorDossier(TimeStamped):
    """What the appointment page adds to a party.Instructor: the federation that dispatched them
    (for scoping) and the uploaded appointment notice."""

    instructor = models.OneToOneField(
        "party.Instructor",
        verbose_name=_("instructor"),
        on_delete=models.CASCADE,
        related_name="dossier",
    )
    federation = models.ForeignKey(
        "registry.Federation", verbose_name=_("federation"), on_delete=models.PROTECT
    )
    notice_file = models.ForeignKey(
        StoredFile,
        verbose_name=_("appointment notice file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("instructor dossier")
        verbose_name_plural = _("instructor dossiers")

    def __str__(self):
        return str(self.instructor)
