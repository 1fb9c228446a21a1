"""What is done about findings: handling recommendations sent as official letters (处理意见),
and the numbered register of outgoing letters (发文登记).

Recommendations read findings and never recompute them. Numbers (文号, e.g. 津网联〔2026〕12号)
come from the federation's register in ``core.numbering`` (one counter row per register and
year, locked while a number is taken), so the register has no gaps and no duplicates.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import TimeStamped, Versioned


class Letter(Versioned, TimeStamped):
    """A handling recommendation to a supervising department or registration authority."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("numbered")
        SENT = "sent", _("sent")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class RecipientKind(models.TextChoices):
        SUPERVISOR = "supervisor", _("supervising department")
        REGISTRAR = "registrar", _("registration authority")

    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="letters",
    )
    recipient_kind = models.CharField(
        _("recipient kind"), max_length=12, choices=RecipientKind.choices
    )
    recipient = models.CharField(_("addressee"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    # A person and their phone ("联系人：张敏，电话：…"): encrypted at rest (core.personal).
    contact_note = EncryptedTextField(_("contact note"), blank=True)
    organizations = models.ManyToManyField(
        "registry.Organization",
        verbose_name=_("units concerned"),
        related_name="letters",
        blank=True,
    )
    findings = models.ManyToManyField(
        "rules.Finding", verbose_name=_("findings"), related_name="letters", blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The register: year and serial are set together when the letter is numbered.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("serial number"), null=True, blank=True)
    doc_number = models.CharField(_("document number"), max_length=50, blank=True)
    issued_on = models.DateField(_("dated"), null=True, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_via = models.CharField(_("sent via"), max_length=100, blank=True)
    replied_on = models.DateField(_("reply received on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("numbered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year", "serial"], name="recommendations_unique_number"
            )
        ]
        indexes = [models.Index(fields=["federation", "status"])]

    def __str__(self):
        return self.doc_number or self.title

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_numbered(self) -> bool:
        return self.serial is not None
