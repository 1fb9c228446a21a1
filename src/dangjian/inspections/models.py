"""Facts the federation gathers about its member units: annual inspections (年度检查), grade
evaluations (等级评估) and visits and surveys (走访调研).

These are facts, not judgments: the rules engine reads them (no annual report → dormant society;
unreachable at the registered address → abnormal-list proposal) and never writes them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped, Versioned


class AnnualInspection(Versioned, TimeStamped):
    """One member unit's annual inspection for one work year (同步开展年度检查)."""

    class Conclusion(models.TextChoices):
        NONE = "", _("not yet concluded")
        PASSED = "passed", _("passed")
        BASICALLY_PASSED = "basically_passed", _("basically passed")
        FAILED = "failed", _("failed")

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="annual_inspections",
    )
    year = models.PositiveSmallIntegerField(_("work year"))
    report_to_supervisor_on = models.DateField(
        _("report received by the supervising unit on"), null=True, blank=True
    )
    report_to_registrar_on = models.DateField(
        _("report received by the registration authority on"), null=True, blank=True
    )
    exempt = models.BooleanField(
        _("exempt (registered six months or less before 31 December)"), default=False
    )
    party_section = models.JSONField(_("party-building section"), default=dict, blank=True)
    notes = models.TextField(_("inspector's notes"), blank=True)
    conclusion = models.CharField(
        _("conclusion"), max_length=20, choices=Conclusion.choices, default="", blank=True
    )
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("annual inspection")
        verbose_name_plural = _("annual inspections")
        ordering = ["-year", "organization__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="inspections_one_per_unit_year"
            )
        ]
        indexes = [models.Index(fields=["year", "organization"])]

    def __str__(self):
        return f"{self.organization} {self.year}"


class GradeEvaluation(Versioned, TimeStamped):
    """A unit's grade evaluation (等级评估): score sheet, eligibility, grade and validity."""

    class Grade(models.TextChoices):
        NONE = "", _("no grade")
        A1 = "1A", "1A"
        A2 = "2A", "2A"
        A3 = "3A", "3A"
        A4 = "4A", "4A"
        A5 = "5A", "5A"

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        DECIDED = "decided", _("decided")

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="grade_evaluations",
    )
    federation = models.ForeignKey(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.PROTECT,
        related_name="grade_evaluations",
    )
    year = models.PositiveSmallIntegerField(_("evaluation year"))
    evaluated_on = models.DateField(_("evaluated on"), default=timezone.localdate)
    # {"indicator code": points awarded}; the indicator set is copied into ``indicators`` so a
    # later change of the federation's set does not rewrite an old sheet.
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    indicators = models.JSONField(_("indicator set"), default=list, blank=True)
    total_score = models.DecimalField(_("total score"), max_digits=7, decimal_places=2, default=0)
    eligible = models.BooleanField(_("eligible"), default=True)
    eligibility_reasons = models.JSONField(_("eligibility reasons"), default=list, blank=True)
    has_party_organization = models.BooleanField(_("has a party organization"), default=False)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)
    grade_notes = models.JSONField(_("grading notes"), default=list, blank=True)
    notice_no = models.CharField(_("notice number"), max_length=100, blank=True)
    notice_date = models.DateField(_("notice date"), null=True, blank=True)
    valid_from = models.DateField(_("grade valid from"), null=True, blank=True)
    valid_to = models.DateField(_("grade valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("grade evaluation")
        verbose_name_plural = _("grade evaluations")
        ordering = ["-year", "organization__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="inspections_one_grade_per_unit_year"
            )
        ]
        # The grade list's keyset order (newest evaluation first): walked from its end instead
        # of sorting every evaluation in scope (inspections.lists.GRADES).
        indexes = [models.Index(fields=["evaluated_on", "id"], name="inspections_grade_listed")]

    def __str__(self):
        return f"{self.organization} {self.year} {self.grade or '-'}"


class GradingSettings(TimeStamped):
    """A federation's grade-evaluation settings: indicator set, cut-offs, the party-org bar."""

    federation = models.OneToOneField(
        "registry.Federation",
        verbose_name=_("federation"),
        on_delete=models.CASCADE,
        related_name="grading_settings",
    )
    # [{"code", "name", "max"}, …]; empty means the default set (inspections.grading).
    indicators = models.JSONField(_("indicator set"), default=list, blank=True)
    # {"5A": 900, "4A": 800, …}; empty means the default cut-offs.
    cutoffs = models.JSONField(_("grade cut-offs"), default=dict, blank=True)
    bar_without_party_org = models.BooleanField(
        _("units without a party organization cannot be graded 4A or 5A"), default=False
    )

    class Meta:
        verbose_name = _("grading settings")
        verbose_name_plural = _("grading settings")

    def __str__(self):
        return str(self.federation)


class Visit(TimeStamped):
    """A visit or survey of a member unit (走访调研), by instructors or federation staff."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("visitors"), max_length=200)
    instructor = models.ForeignKey(
        "party.Instructor",
        verbose_name=_("instructor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    findings = models.TextField(_("what was found"))
    unreachable_at_address = models.BooleanField(
        _("unreachable at the registered address"), default=False
    )
    follow_up = models.TextField(_("follow-up"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["organization", "visited_on"])]

    def __str__(self):
        return f"{self.organization} {self.visited_on}"
