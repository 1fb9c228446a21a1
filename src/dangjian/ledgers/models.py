"""Uploaded ledgers (archived before anything is read) and the column mappings users confirmed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped
from dangjian.registry.models import Federation

LEDGER_CHOICES = [
    ("members", _("party members")),
    ("organizations", _("member units")),
    ("memberships", _("memberships")),
    ("party_organizations", _("party organizations and coverage")),
    ("positions", _("positions")),
    ("instructors", _("instructors and assignments")),
    ("meetings", _("meetings")),
    ("federations", _("federations")),
    ("charter_revisions", _("charter revisions")),
    ("major_decisions", _("major decisions")),
    ("annual_inspections", _("annual inspections")),
    ("visits", _("visits")),
    ("elections", _("elections and term extensions")),
    ("attendance", _("meeting attendance")),
    ("dues", _("party dues")),
    ("recruitment", _("recruitment ledger")),
    ("transfers", _("transfers ledger")),
    ("flowing", _("flowing members ledger")),
]


class LedgerUpload(TimeStamped):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        REFUSED = "refused", _("refused")
        VALIDATING = "validating", _("validating")
        VALIDATED = "validated", _("checked, waiting for confirmation")
        QUEUED = "queued", _("queued")
        COMMITTING = "committing", _("importing")
        COMMITTED = "committed", _("imported")
        FAILED = "failed", _("not imported")
        CANCELLED = "cancelled", _("cancelled")

    ACTIVE = (Status.VALIDATING, Status.QUEUED, Status.COMMITTING)

    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+"
    )
    ledger = models.CharField(_("ledger"), max_length=24, choices=LEDGER_CHOICES)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_name = models.CharField(_("file name"), max_length=255)
    # Relative to MEDIA_ROOT, e.g. "ledgers/2026/11/<sha256>-<id>.xlsx".
    stored_path = models.CharField(_("archived file"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("size (bytes)"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    valid_only = models.BooleanField(_("import the valid rows only"), default=False)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    error_path = models.CharField(_("error workbook"), max_length=300, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Set by ``prune_uploads`` when the archived file and its error workbook were removed after
    # the retention (settings.UPLOAD_RETENTION_DAYS); the record of the upload stays.
    files_removed_at = models.DateTimeField(_("files removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger upload")
        verbose_name_plural = _("ledger uploads")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name} ({self.get_ledger_display()})"


class LedgerMapping(TimeStamped):
    """Headers a federation's users mapped by hand, remembered for their next upload."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+"
    )
    ledger = models.CharField(_("ledger"), max_length=24, choices=LEDGER_CHOICES)
    headers = models.JSONField(_("header → column"), default=dict, blank=True)

    class Meta:
        verbose_name = _("remembered column mapping")
        verbose_name_plural = _("remembered column mappings")
        constraints = [
            models.UniqueConstraint(fields=["federation", "ledger"], name="ledgers_mapping_unique")
        ]

    def __str__(self):
        return f"{self.federation} {self.ledger}"
