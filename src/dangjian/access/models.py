"""Who may see what: role assignments with a scope and dates."""

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import TimeStamped, ValidityPeriod


class Action(models.TextChoices):
    VIEW = "view", _("view")
    EDIT = "edit", _("edit")
    APPROVE = "approve", _("approve")
    EXPORT = "export", _("export")
    VIEW_PERSONAL = "view_personal", _("view personal data")
    AUDIT = "audit", _("read the audit trail")


class RoleScope(models.Model):
    """Where a role applies: one of these is set, as ``RoleAssignment.SCOPE_FIELD`` says for the
    role — on a role held (RoleAssignment) and on a role offered (RoleInvitation) alike."""

    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    party_organization = models.ForeignKey(
        "party.PartyOrganization",
        verbose_name=_("party organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    instructor = models.ForeignKey(
        "party.Instructor",
        verbose_name=_("instructor"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The member a party member's sign-in is bound to (their ledger record).
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member record"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The supervising unit or registration authority, as written on the units' records.
    authority_name = models.CharField(_("authority name"), max_length=200, blank=True)

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = (
        "federation",
        "organization",
        "party_organization",
        "instructor",
        "member",
        "authority_name",
    )

    class Meta:
        abstract = True

    def scope(self) -> dict[str, Any]:
        """The scope fields that are set."""
        return {
            f: getattr(self, f)
            for f in self.SCOPE_FIELDS
            if getattr(self, f if f == "authority_name" else f"{f}_id")
        }


class RoleAssignment(RoleScope, ValidityPeriod, TimeStamped):
    class Role(models.TextChoices):
        ADMIN = "admin", _("system administrator")
        FEDERATION_OFFICER = "federation_officer", _("federation / party committee officer")
        UNIT_LIAISON = "unit_liaison", _("member-unit liaison")
        BRANCH_SECRETARY = "branch_secretary", _("party organization secretary")
        INSTRUCTOR = "instructor", _("party-building instructor")
        AUTHORITY_VIEWER = "authority_viewer", _("supervising department / registration authority")
        EXPERT_REVIEWER = "expert_reviewer", _("expert reviewer")
        # 等保 level 3 separates the system administrator from the audit administrator (三员分立):
        # only the auditor reads the audit trail.
        AUDITOR = "auditor", _("audit administrator")
        # A party member signed in on their own (invited by their branch secretary or the
        # federation officer): their own file and their branch's meetings, nothing else.
        PARTY_MEMBER = "party_member", _("party member")

    # Which scope field each role needs; the others stay empty.
    SCOPE_FIELD: ClassVar[dict[str, str | None]] = {
        Role.ADMIN: None,
        Role.FEDERATION_OFFICER: "federation",
        Role.UNIT_LIAISON: "organization",
        Role.BRANCH_SECRETARY: "party_organization",
        Role.INSTRUCTOR: "instructor",
        Role.AUTHORITY_VIEWER: "authority_name",
        Role.EXPERT_REVIEWER: None,
        Role.AUDITOR: None,
        Role.PARTY_MEMBER: "member",
    }

    ACTIONS: ClassVar[dict[str, set[str]]] = {
        Role.ADMIN: set(Action.values) - {Action.AUDIT},
        Role.FEDERATION_OFFICER: set(Action.values) - {Action.AUDIT},
        Role.UNIT_LIAISON: {Action.VIEW, Action.EDIT, Action.EXPORT, Action.VIEW_PERSONAL},
        Role.BRANCH_SECRETARY: {Action.VIEW, Action.EDIT, Action.EXPORT, Action.VIEW_PERSONAL},
        Role.INSTRUCTOR: {Action.VIEW, Action.EDIT},
        # Reports and letters only: never personal data.
        Role.AUTHORITY_VIEWER: {Action.VIEW, Action.EXPORT},
        Role.EXPERT_REVIEWER: set(),
        Role.AUDITOR: {Action.AUDIT},
        # Their own record, personal data included (it is theirs: shown, revealed, exported).
        Role.PARTY_MEMBER: {Action.VIEW, Action.VIEW_PERSONAL},
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # ``objects`` (the ValidityQuerySet manager) comes from ValidityPeriod.

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user_id", "role"]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"

    def clean(self) -> None:
        super().clean()
        needed = self.SCOPE_FIELD.get(self.role)
        if needed and not getattr(self, needed if needed == "authority_name" else f"{needed}_id"):
            raise ValidationError({needed: _("This role needs a scope.")})

    def allows(self, action: str) -> bool:
        return action in self.ACTIONS.get(self.role, set())


class UserSecurity(TimeStamped):
    """Per-user sign-in state: forced password change and the optional TOTP second factor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="security",
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    totp_secret = EncryptedTextField(_("TOTP secret"), blank=True)
    totp_enabled = models.BooleanField(_("second factor enabled"), default=False)
    # The last TOTP time step accepted: a code of that step or an earlier one is refused, so a
    # code seen over a shoulder or in a proxy log cannot be used a second time.
    totp_last_step = models.PositiveBigIntegerField(_("last TOTP step used"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in security")
        verbose_name_plural = _("sign-in security")

    def __str__(self) -> str:
        return str(self.user)


class SignInAttempt(models.Model):
    """Every sign-in attempt, for lockout per account and per address (and for the audit)."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    username = models.CharField(_("user name"), max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    succeeded = models.BooleanField(_("succeeded"))
    # Attempts made while already locked are kept for the audit but do not count towards the
    # lockout: otherwise a trickle of wrong passwords would keep an account locked for ever.
    while_locked = models.BooleanField(_("made while locked"), default=False)

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username}"


class PasswordHistory(models.Model):
    """The hashes of a user's last passwords (``settings.PASSWORD_HISTORY_SIZE``), so a change
    cannot go back to one of them (``access.passwords.PasswordHistoryValidator``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    password = models.CharField(_("password hash"), max_length=128)
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")
        ordering = ["-set_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.set_at:%Y-%m-%d}"


class RoleInvitation(RoleScope, TimeStamped):
    """A one-time link that lets a person set a password and sign in with one role and its
    scope: a party member bound to their ledger record (invited by their branch secretary or
    the federation officer), or a liaison, secretary, instructor, expert … (invited by the
    federation officer from the people pages). Only a hash of the token is kept: the link is
    shown once, on screen (and as a QR code), to whoever invited; it expires, works once, and
    a new one for the same person and role revokes the old."""

    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=RoleAssignment.Role.choices,
        default=RoleAssignment.Role.PARTY_MEMBER,
    )
    # The scope (RoleScope) is the one granted on acceptance; for a role with no scope of its
    # own (expert, authority), ``federation`` is the inviting federation.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The account made with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sign-in invitation")
        verbose_name_plural = _("sign-in invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        who = self.member.name if self.member is not None else self.name
        return f"{who} {self.get_role_display()} {self.expires_at:%Y-%m-%d %H:%M}"


class ExportFile(TimeStamped):
    """An export too large to build in the request (``access.background_exports``): the page's
    own export replayed by the task worker as the user who asked, the workbook sealed at rest
    until its owner removes it or ``settings.EXPORT_RETENTION_DAYS`` have passed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", pgettext_lazy("export", "failed")
        EXPIRED = "expired", _("removed")  # by its owner, or past its retention

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("export", "requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    # The export's address (path and query, ``export=xlsx`` included): what the worker replays.
    # Encrypted, since a search may hold an ID number; cleared once the file is removed.
    source = EncryptedTextField(blank=True)
    # The language of the click: the worker writes the file in it.
    language = models.CharField(max_length=10, blank=True)
    # The view writes ID numbers and phones in clear (its own decision, the right checked).
    unmasked = models.BooleanField(_("ID numbers and phones unmasked"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="access_export_user_recent")]

    def __str__(self) -> str:
        return f"{self.title} {self.created_at:%Y-%m-%d %H:%M}"
