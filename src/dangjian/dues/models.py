"""Party dues (党费): what each member declares and owes, what they paid, what the branch
handed in and published, and what people did about arrears.

Money is integer fen throughout (``core.money``). A month is stored as its first day. The
rules that turn a base into an amount are the rulebook's (``dues.amounts``); nothing here
removes a member: arrears are found by the rules and acted on by people, who record it here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TimeStamped
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.rulebook.periods import period_index, period_label


class Category(models.TextChoices):
    """How a member's dues are set (中组发〔2008〕3号): a rate on the base, or a fixed amount."""

    EMPLOYED = "employed", _("employed, salaried or self-employed")
    RETIRED = "retired", _("retired")
    RURAL = "rural", _("farmer")
    STUDENT = "student", _("student")
    UNEMPLOYED = "unemployed", _("laid off or unemployed")
    RELIEF = "relief", _("living on relief or subsistence allowance")


# Categories whose amount is a rate on the declared base; the others pay a fixed amount.
BASE_CATEGORIES = frozenset({Category.EMPLOYED, Category.RETIRED})


def _user_fk(verbose_name):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class DuesBase(TimeStamped):
    """What a member declared, from a month on: their category and monthly base (the fixed,
    regular part of after-tax pay), or for a farmer the fixed amount set for them. A change of
    pay is a new row from the month the new pay starts; earlier rows are history."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="dues_bases",
    )
    from_month = models.DateField(_("from month"))
    category = models.CharField(_("dues category"), max_length=12, choices=Category.choices)
    base_fen = models.PositiveBigIntegerField(_("monthly base (fen)"), null=True, blank=True)
    fixed_fen = models.PositiveIntegerField(_("fixed monthly amount (fen)"), null=True, blank=True)
    declared_on = models.DateField(_("declared on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        verbose_name = _("declared dues base")
        verbose_name_plural = _("declared dues bases")
        ordering = ["member_id", "-from_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "from_month"], name="dues_base_one_per_member_and_month"
            )
        ]

    def __str__(self):
        return f"{self.member} {self.from_month:%Y-%m}"


class DuesRelief(TimeStamped):
    """A reduction or exemption (少交 / 免交): decided by the branch, approved by the next level
    up, for a run of months. It applies only once approved (``approved_on``)."""

    class Kind(models.TextChoices):
        REDUCED = "reduced", _("reduced amount")
        EXEMPT = "exempt", _("exempt from dues")

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="dues_reliefs",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    monthly_fen = models.PositiveIntegerField(_("monthly amount (fen)"), null=True, blank=True)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided by the branch on"))
    approved_on = models.DateField(
        _("approved by the higher organization on"), null=True, blank=True
    )
    approved_by = models.CharField(_("approving organization"), max_length=200, blank=True)
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        verbose_name = _("dues reduction or exemption")
        verbose_name_plural = _("dues reductions and exemptions")
        ordering = ["member_id", "-first_month"]
        # The reliefs awaiting approval, oldest first (the dues page's worklist): found by
        # this index, where SQLite otherwise walked every member of the federation's branches
        # to find the few with a relief (110 ms at 10^6 members; 0.1 ms so).
        indexes = [
            models.Index(fields=["approved_on", "decided_on", "id"], name="dues_relief_pending")
        ]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"


class DuesMonth(models.Model):
    """A member's dues for one month, set when the month was assessed (the year's amounts at the
    year's start; a later change of pay re-sets the unpaid months from its month). Lean on
    purpose: a million members make a million rows a month."""

    # No index of their own: the unique (member, month) and the (party organization, month)
    # index lead with them, and each index costs a million inserts a month.
    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    month = models.DateField(_("month"))
    # The branch where the member held their 组织关系 when the month was assessed (D-13).
    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    category = models.CharField(_("dues category"), max_length=12, choices=Category.choices)
    base_fen = models.PositiveBigIntegerField(_("monthly base (fen)"), null=True, blank=True)
    rate_bp = models.PositiveIntegerField(_("rate (basis points)"), null=True, blank=True)
    # Before a reduction or exemption, and what is due after it.
    standard_fen = models.PositiveIntegerField(_("standard amount (fen)"))
    due_fen = models.PositiveIntegerField(_("amount due (fen)"))
    relief = models.ForeignKey(
        DuesRelief,
        verbose_name=_("dues reduction or exemption"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_on = models.DateField(_("assessed on"))

    class Meta:
        verbose_name = _("monthly dues")
        verbose_name_plural = _("monthly dues")
        ordering = ["member_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_month_once_per_member")
        ]
        indexes = [models.Index(fields=["party_organization", "month"])]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class DuesPayment(TimeStamped):
    """A month's dues paid: when, how much, how (recorded only: the system processes no
    payment). One per member and month — the database refuses a second, so of two people
    recording the same payment one wins and the other is told."""

    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        TRANSFER = "transfer", _("bank transfer")
        ONLINE = "online", _("online payment")

    # Indexed by the unique (member, month) and the (party organization, day paid) index.
    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="dues_payments",
        db_index=False,
    )
    month = models.DateField(_("month"))
    # The branch that collected it (where the member held their 组织关系 then).
    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    amount_fen = models.PositiveIntegerField(_("amount paid (fen)"))
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("payment method"), max_length=8, choices=Method.choices)
    # Months paid together share a receipt.
    receipt_no = models.CharField(_("receipt number"), max_length=32, db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["member_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_paid_once_per_month")
        ]
        indexes = [models.Index(fields=["party_organization", "paid_on"])]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.receipt_no}"


class ArrearsReason(TimeStamped):
    """A good reason (正当理由) for months left unpaid, found by the branch: those months do not
    count towards the six of 党章 art. 9 (the dues are still owed)."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="dues_arrears_reasons",
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    reason = models.TextField(_("reason"))
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        verbose_name = _("good reason for unpaid dues")
        verbose_name_plural = _("good reasons for unpaid dues")
        ordering = ["member_id", "-first_month"]

    def __str__(self):
        return f"{self.first_month:%Y-%m}–{self.last_month:%Y-%m}"


class ArrearsStep(TimeStamped):
    """What people did about a member's arrears, with its date: a reminder, a talk, the branch
    general meeting's discussion, the higher organization's approval of its decision. Recorded
    by people; the system never removes anyone."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminded")
        TALK = "talk", _("talk with the member")
        GENERAL_MEETING = "general_meeting", _("discussed by the branch general meeting")
        APPROVAL = "approval", _("decision approved by the higher organization")
        OTHER = "other", _("other step")

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="dues_arrears_steps",
    )
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    taken_on = models.DateField(_("date"))
    note = models.TextField(_("what was found or decided"))
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        verbose_name = _("step taken on arrears")
        verbose_name_plural = _("steps taken on arrears")
        ordering = ["member_id", "taken_on", "id"]

    def __str__(self):
        return f"{self.taken_on} {self.get_kind_display()}"


class HandIn(TimeStamped):
    """A branch hands the dues it collected in a month or a quarter to the higher organization
    (上缴), with its statement; the higher organization records its receipt."""

    class Period(models.TextChoices):
        MONTH = "month", _("month")
        QUARTER = "quarter", _("quarter")

    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="dues_hand_ins",
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    amount_fen = models.PositiveBigIntegerField(_("amount handed in (fen)"))
    handed_on = models.DateField(_("handed in on"))
    statement = models.TextField(_("statement"))
    recorded_by = _user_fk(_("recorded by"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    received_by = _user_fk(_("received by"))
    received_note = models.CharField(_("receipt note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dues hand-in")
        verbose_name_plural = _("dues hand-ins")
        ordering = ["party_organization_id", "-first_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_organization", "first_month"], name="dues_hand_in_once_per_period"
            )
        ]

    def __str__(self):
        return f"{self.party_organization} {self.months_label}"

    @property
    def months_label(self) -> str:
        """``2026年3月`` or ``2026年第一季度``."""
        if self.period == self.Period.QUARTER:
            return period_label(period_index(self.first_month, "quarter"), "quarter")
        return period_label(period_index(self.first_month, "month"), "month")


class DuesPublication(TimeStamped):
    """The yearly publication of a branch's dues (党费收缴情况公示): the figures as published,
    kept as they were (a later payment does not change what was published)."""

    party_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organization"),
        on_delete=models.CASCADE,
        related_name="dues_publications",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    published_on = models.DateField(_("published on"))
    figures = models.JSONField(_("figures"), default=dict)
    published_by = _user_fk(_("published by"))

    class Meta:
        verbose_name = _("dues publication")
        verbose_name_plural = _("dues publications")
        ordering = ["party_organization_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_organization", "year"], name="dues_publication_once_a_year"
            )
        ]

    def __str__(self):
        return f"{self.party_organization} {self.year}"


class LastPaid(models.Model):
    """The latest day a member paid dues: one half of their last contact
    (``transfers.queries.out_of_contact``), read as a column instead of the latest of their
    payments. Kept by ``dues.contact.payments_changed``, which every payment writer calls;
    ``dangjian last_contacts`` rebuilds it and reports any drift."""

    member = models.OneToOneField(
        PartyMember,
        verbose_name=_("party member"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="paid_fact",
    )
    paid_on = models.DateField(_("last dues paid"))

    class Meta:
        verbose_name = _("last dues paid")
        verbose_name_plural = _("last dues paid")

    def __str__(self):
        return f"{self.member_id}: {self.paid_on}"


class BranchLastPaid(models.Model):
    """The latest day a party organization collected dues: it keeps its members' records here
    (``transfers.queries.keeping_records``). Kept with ``LastPaid``."""

    party_organization = models.OneToOneField(
        PartyOrganization,
        verbose_name=_("party organization"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="paid_fact",
    )
    paid_on = models.DateField(_("last dues collected"))

    class Meta:
        verbose_name = _("last dues collected")
        verbose_name_plural = _("last dues collected")
        # The branches that collected dues since a day: a range, not a test of every branch.
        indexes = [models.Index(fields=["paid_on"], name="dues_branch_paid_on")]

    def __str__(self):
        return f"{self.party_organization_id}: {self.paid_on}"
