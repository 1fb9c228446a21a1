"""Shared kernel: the validity-period mixin and the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.events import label as event_words


def valid_on_q(day: datetime.date, prefix: str = "") -> Q:
    """Q for rows whose validity period contains ``day`` (valid_to is the last valid day)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class ValidityQuerySet(models.QuerySet[Any]):
    def valid_on(self, day: datetime.date | None = None) -> ValidityQuerySet:
        return self.filter(valid_on_q(day or timezone.localdate()))

    def current(self) -> ValidityQuerySet:
        return self.valid_on(timezone.localdate())


class ValidityPeriod(models.Model):
    """A fact that holds from ``valid_from`` to ``valid_to`` inclusive (open-ended when empty).

    Facts are closed, never deleted, so every statistic can be asked "as of" a past date.
    """

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                {"valid_to": _("The end date must not be earlier than the start date.")}
            )

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A record edited through pages that check for concurrent edits (core.concurrency.claim)."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class Decided(models.Model):
    """A workflow record that someone decides (approves, rejects, returns): who, when, and the
    reason given — one set of fields and one way to set them (``decide``)."""

    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True

    def decide(self, actor: Any, reason: str = "") -> None:
        """Record the decision on the instance (the caller saves it in its transaction)."""
        from dangjian.core.audit import acting_user  # audit imports this module

        self.decided_at = timezone.now()
        self.decided_by = acting_user(actor)
        self.reason = reason


class AuditLog(models.Model):
    """Append-only record of every write, business event and sensitive read.

    The actor's name is copied so the record survives the user's deletion; personal fields are
    stored masked (see core.audit).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        EVENT = "event", _("business event")
        READ = "read", _("sensitive read")
        SIGNIN = "signin", _("sign-in")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    request_id = models.CharField(_("request id"), max_length=36, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    event_type = models.CharField(_("event type"), max_length=64, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only from the application's side: an existing record is never rewritten.
        if self.pk and not kwargs.pop("_retention", False):
            raise ValidationError(_("Audit records cannot be changed."))
        super().save(*args, **kwargs)

    @property
    def event_label(self) -> str:
        """The event in words (``AuditEvent`` label), for the audit page."""
        return event_words(self.event_type) if self.event_type else ""


class Touch(models.Model):
    """One line of the journal of touched subjects (``core.touch``): a fact service changed
    ``fact`` (a model label, ``"orglife.Meeting"``) of a party organization, a unit or a member.
    The rules engine reads the lines written since its last run to re-evaluate only the rules
    that read the fact, for the subjects touched. ``fact = "*"`` means "anything may have
    changed" (a raw bulk path): the next run evaluates everything. Plain integer ids, no foreign
    keys: the kernel knows no domain model, and a line outlives the row it names."""

    EVERYTHING = "*"

    at = models.DateTimeField(default=timezone.now)
    fact = models.CharField(max_length=64)
    organization_id = models.IntegerField(null=True, blank=True)
    party_organization_id = models.IntegerField(null=True, blank=True)
    member_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("touched subject")
        verbose_name_plural = _("touched subjects")

    def __str__(self) -> str:
        return f"{self.fact} p{self.party_organization_id} o{self.organization_id}"


class Counter(models.Model):
    """The last number taken in one register in one year (a federation's outgoing letters, a
    party committee's introduction letters …): one row per register and year, locked while a
    number is taken (``core.numbering.take``), so a register has no gaps and no duplicates."""

    register = models.CharField(_("register"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number taken"), default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        constraints = [
            models.UniqueConstraint(fields=["register", "year"], name="core_one_counter_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.register} {self.year}: {self.last}"


class CalendarDay(models.Model):
    """A day of the official holiday schedule (国务院办公厅's 部分节假日安排) that the built-in
    calendar does not know: a year published after the installed ``chinesecalendar`` release, or
    a correction. A row overrides the built-in answer for its day; see core.workdays."""

    day = models.DateField(_("day"), unique=True)
    workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked for a weekend made a working day (调休上班); unticked for a holiday."),
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday schedule day")
        verbose_name_plural = _("holiday schedule days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"
