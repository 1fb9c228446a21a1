"""The notice's form (write, republish), the withdraw, feedback and review forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import StyledForm
from dangjian.notices.models import Notice
from dangjian.registry.models import Organization

DATETIME = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, with the value in the form it expects."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", DATETIME)
        super().__init__(attrs, **kwargs)


class NoticeForm(StyledForm):
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
    attachment = forms.FileField(
        label=_("attachment"),
        required=False,
        help_text=_("PDF, Word (.docx), OFD or a photo; at most 10 MB."),
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
        return data


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
