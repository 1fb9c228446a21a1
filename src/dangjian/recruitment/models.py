"""Recruitment (发展党员): an applicant and the steps recorded on their way to full membership.

The procedure itself (the five stages, 25 steps, their articles and every interval) is rule
data in the rulebook (``recruitment.procedure``, read by ``procedure.py``); these tables hold
only what happened: who applied, and each step with its date, the rule-set version and the
article it was judged by. Every write goes through ``services.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto
from dangjian.core.fields import EncryptedTextField
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import TimeStamped, Versioned
from dangjian.core.validators import id_number_validator
from dangjian.party.models import PartyMember, PartyOrganization


class Applicant(TimeStamped, Versioned):
    """A person who applied to join the party through a branch. Personal data is protected as a
    member's is (encrypted ID number and phone, a blind index, core.personal)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("in progress")
        PROBATIONARY = "probationary", _("probationary member")
        FULL = "full", _("full member")
        STOPPED = "stopped", _("stopped")

    branch = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party branch"),
        on_delete=models.PROTECT,
        related_name="applicants",
    )
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(
        _("gender"), max_length=6, choices=PartyMember.Gender.choices, blank=True
    )
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = EncryptedTextField(_("ID number"), validators=[id_number_validator])
    id_number_hash = models.CharField(max_length=64, editable=False, db_index=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    education = models.CharField(
        _("education"), max_length=10, choices=PartyMember.Education.choices, blank=True
    )
    applied_on = models.DateField(_("application date"))
    # The rule set the applicant's steps are judged by (the version in force on the day of
    # each step is stored on the step itself).
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    # The furthest step recorded (a code of the rulebook's steps), for the pipeline lists.
    last_step = models.CharField(_("last step"), max_length=30, blank=True)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    # The ledger record made on admission (party.services.create_member).
    member = models.OneToOneField(
        PartyMember,
        verbose_name=_("party member record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recruitment",
    )

    BLIND_INDEXES = {"id_number_hash": "id_number"}

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["branch_id", "applied_on", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.id_number_hash = crypto.blind_index(self.id_number) if self.id_number else ""
        super().save(*args, **kwargs)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Step(TimeStamped):
    """One step of an applicant's recruitment as it happened: its date, the rule-set version
    and article in force that day, the people named (contacts, sponsors) and the figures the
    checks read (votes, training days, the approving committee)."""

    applicant = models.ForeignKey(
        Applicant, verbose_name=_("applicant"), on_delete=models.CASCADE, related_name="steps"
    )
    code = models.CharField(_("recruitment step"), max_length=30)
    done_on = models.DateField(_("date"))
    rule_version = models.CharField(_("rule set"), max_length=20)
    article = models.CharField(_("article"), max_length=100)
    # Who acted (the committee, the talker …) in words, and the documents on file.
    acted_by = models.CharField(_("acted by"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Party members named by the step: the contact members, the sponsors.
    members = models.ManyToManyField(
        PartyMember, verbose_name=_("party members named"), blank=True, related_name="+"
    )
    # The approving or pre-reviewing party committee.
    approver = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("approving party committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Figures the checks read: votes {"expected", "present", "yes_present", "yes_written",
    # "outcome", "explanation"} (a meeting that was not valid or did not pass is recorded as
    # such, R-13: the step is not passed and a later vote may be recorded),
    # training {"days", "hours"}, review {"passed"}, extension {"months"}, activist
    # {"decided_by", "method"}.
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("recruitment step")
        verbose_name_plural = _("recruitment steps")
        ordering = ["applicant_id", "done_on", "id"]
        indexes = [models.Index(fields=["applicant", "code"])]

    def __str__(self) -> str:
        return f"{self.applicant} {self.code} {self.done_on:%Y-%m-%d}"

    # The outcome of a branch meeting's vote, in ``data["outcome"]``.
    PASSED, FAILED, INVALID = "passed", "failed", "invalid"
    OUTCOMES = {PASSED: _("vote passed"), FAILED: _("vote failed"), INVALID: _("meeting not valid")}

    @property
    def outcome(self) -> str:
        return (self.data or {}).get("outcome") or self.PASSED

    @property
    def outcome_label(self) -> str:
        return str(self.OUTCOMES.get(self.outcome, ""))

    @property
    def is_passed(self) -> bool:
        """False for a branch meeting whose vote was not valid or did not pass: recorded with
        its figures, but the step is not done."""
        return self.outcome == self.PASSED
