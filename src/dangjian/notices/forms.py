"""The notice's form (write, republish), the withdraw, feedback and review forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import StyledForm
from dangjian.notices.models import Duty, Notice
from dangjian.registry.models import Organization

DATETIME = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, with the value in the form it expects."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", DATETIME)
        super().__init__(attrs, **kwargs)


class TargetsForm(StyledForm):
    """Whom a notice, or a recurring duty's tasks, go to — chosen the same way for both and
    stored by ``notices.services.set_targets``: the audience, and the category, units or party
    organizations it names. ``units`` and ``branches``: the choices the sender may name."""

    audience = forms.ChoiceField(choices=Notice.Audience.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(
        label=_("category"),
        choices=[("", "—"), *Organization.Category.choices],
        required=False,
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("member units"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    party_organizations = forms.ModelMultipleChoiceField(
        label=_("party organizations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Empty: all of them."),
    )

    def __init__(self, *args: Any, units: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelMultipleChoiceField, self.fields["organizations"]
        ).queryset = units.order_by("name")
        cast(
            forms.ModelMultipleChoiceField, self.fields["party_organizations"]
        ).queryset = branches.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audience") == Notice.Audience.UNITS and not data.get("organizations"):
            self.add_error("organizations", _("Choose at least one member unit."))
        if data.get("audience") == Notice.Audience.CATEGORY and not data.get("category"):
            self.add_error("category", _("Choose a category."))
        return data


TARGET_FIELDS = ["audience", "category", "organizations", "party_organizations"]


class NoticeForm(TargetsForm):
    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=Notice.Kind.choices,
        initial=Notice.Kind.NOTICE,
        help_text=_(
            "A notice is signed for by each unit or party organization; a meeting notice by "
            "each party member, who may ask for leave; a task asks every recipient for "
            "feedback, which you then review."
        ),
    )
    urgent = forms.BooleanField(label=_("urgent"), required=False)
    body = forms.CharField(
        label=pgettext_lazy("notice", "text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain lines become paragraphs; bold, italics and lists are kept."),
    )
    sign_deadline = forms.DateTimeField(
        label=_("sign by"),
        widget=DateTimeInput(),
        required=False,
        help_text=_(
            "Empty: the usual window (2 working days by the holiday schedule; 1 hour if "
            "urgent); a task's feedback 10 working days after that."
        ),
    )
    feedback_deadline = forms.DateTimeField(
        label=_("feedback by"), widget=DateTimeInput(), required=False
    )
    audience = forms.ChoiceField(
        label=_("sent to"), choices=Notice.Audience.choices, widget=forms.RadioSelect
    )
    attachment = forms.FileField(
        label=_("attachment"),
        required=False,
        help_text=_("PDF, Word (.docx), OFD or a photo; at most 10 MB."),
    )

    field_order = [
        "title",
        "kind",
        "urgent",
        "body",
        "sign_deadline",
        "feedback_deadline",
        *TARGET_FIELDS,
        "attachment",
    ]


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=300)


class RepublishForm(NoticeForm):
    reason = forms.CharField(label=_("reason for the new version"), max_length=300)


class LeaveForm(StyledForm):
    reason = forms.CharField(label=_("reason for leave"), max_length=300)


class FeedbackForm(StyledForm):
    feedback = forms.CharField(label=_("feedback"), widget=forms.Textarea(attrs={"rows": 4}))
    progress = forms.IntegerField(
        label=_("progress (%)"), min_value=0, max_value=100, required=False
    )
    attachment = forms.FileField(label=_("attachment"), required=False)


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        choices=[("accept", _("accept")), ("return", _("return for more"))],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(label=_("review comment"), max_length=500, required=False)


class DutyForm(TargetsForm):
    """A recurring duty (N-8): the task type, whom it goes to, how often and how many times."""

    title = forms.CharField(
        label=_("task type"),
        max_length=150,
        error_messages={
            "required": _("Give the task type."),
            "max_length": _("The task type is at most %(limit_value)d characters long."),
        },
        help_text=_("E.g. 三会一课; each cycle's task is titled with it and the cycle."),
    )
    body = forms.CharField(
        label=pgettext_lazy("notice", "text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("What to do and report; empty: the task type alone."),
    )
    expected_count = forms.IntegerField(
        label=_("expected count per cycle"),
        min_value=1,
        max_value=99,
        initial=1,
        error_messages={
            "required": _("Give the expected count per cycle."),
            "invalid": _("The expected count per cycle is a whole number."),
            "min_value": _("The expected count per cycle must be at least 1."),
            "max_value": _("The expected count per cycle is at most 99."),
        },
    )
    cycle = forms.ChoiceField(label=_("cycle"), choices=Duty.Cycle.choices)
    year = forms.IntegerField(
        label=_("year"),
        error_messages={
            "required": _("Give the year."),
            "invalid": _("The year is a whole number, e.g. 2026."),
        },
    )
    audience = forms.ChoiceField(
        label=_("responsible organizations"),
        choices=Notice.Audience.choices,
        widget=forms.RadioSelect,
    )
    field_order = ["title", "body", "expected_count", "cycle", "year", *TARGET_FIELDS]

    def __init__(self, *args: Any, this_year: int, fixed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.this_year = this_year
        if fixed:
            # Tasks were generated: the cycles are fixed (notices.duties.FIXED_ONCE_GENERATED).
            for name in ("cycle", "year"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Fixed once tasks were generated: to change it, end this duty and set up "
                    "a new one."
                )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if self.fields["year"].disabled:
            return cast(int, year)
        if not self.this_year <= year <= self.this_year + 1:
            raise forms.ValidationError(
                _("Choose this year or the next (%(first)d or %(last)d).")
                % {"first": self.this_year, "last": self.this_year + 1}
            )
        return cast(int, year)
