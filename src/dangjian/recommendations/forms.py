"""Forms of the recommendation pages; errors are Chinese messages next to their fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import Bounded, DateInput, StyledForm
from dangjian.core.validators import not_in_future
from dangjian.recommendations.models import Letter
from dangjian.rules.models import Finding


def _not_future(value):
    not_in_future(value)
    return value


class DraftForm(StyledForm):
    # The queryset (the findings this user may draft on) is set per request in __init__.
    findings: forms.ModelMultipleChoiceField[Finding] = forms.ModelMultipleChoiceField(
        label=_("findings"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one finding.")},
    )
    recipient_kind = forms.ChoiceField(
        label=_("send to"), choices=Letter.RecipientKind.choices, initial="supervisor"
    )
    recipient = forms.CharField(
        label=_("addressee"),
        max_length=200,
        required=False,
        help_text=_("Empty: the supervising department or registration authority on record."),
    )

    def __init__(self, *args, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = findings

    def clean_findings(self):
        chosen = list(self.cleaned_data["findings"])
        federations = {f.federation_id for f in chosen}
        if len(federations) > 1:
            raise forms.ValidationError(_("Choose findings of one federation per letter."))
        return chosen


class LetterEditForm(StyledForm):
    recipient = forms.CharField(label=_("addressee"), max_length=200)
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(
        label=_("body"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "One paragraph a line. Lines starting with 一、 （一） 1. （1） are set as headings."
        ),
    )
    contact_note = forms.CharField(
        label=_("contact note"),
        max_length=200,
        required=False,
        help_text=_("For example: 联系人：张敏，电话：022-12345678"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def clean_recipient(self):
        value = self.cleaned_data["recipient"].strip().rstrip("：:")
        if not value:
            raise forms.ValidationError(_("Name the addressee."))
        return value


class IssueForm(StyledForm):
    issued_on = forms.DateField(label=_("dated"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput())

    def clean_issued_on(self):
        value = self.cleaned_data["issued_on"]
        if value and abs((value - timezone.localdate()).days) > 31:
            raise forms.ValidationError(_("Date the letter within a month of today."))
        return value


class StepForm(StyledForm):
    """A step of the letter's life; its date cannot precede the previous step's."""

    date_field = ""

    def __init__(self, *args, floor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.floor = floor

    def clean(self):
        data = super().clean()
        day = data.get(self.date_field)
        if day and self.floor and day < self.floor:
            self.add_error(
                self.date_field,
                _("The date cannot precede the previous step (%(date)s).")
                % {"date": self.floor.isoformat()},
            )
        return data


class SentForm(StepForm):
    date_field = "sent_on"

    sent_on = forms.DateField(label=_("sent on"), widget=DateInput())
    sent_via = forms.CharField(
        label=_("sent via"),
        max_length=100,
        required=False,
        help_text=_("For example: 机要交换, 挂号信, 电子公文系统"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def clean_sent_on(self):
        return _not_future(self.cleaned_data.get("sent_on"))


class ReplyForm(StepForm):
    date_field = "replied_on"

    replied_on = forms.DateField(label=_("reply received on"), widget=DateInput())
    reply = forms.CharField(label=_("reply"), widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput())

    def clean_replied_on(self):
        return _not_future(self.cleaned_data.get("replied_on"))


class CloseForm(StepForm):
    date_field = "closed_on"

    closed_on = forms.DateField(label=_("closed on"), widget=DateInput())
    note = forms.CharField(
        label=_("closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def clean_closed_on(self):
        return _not_future(self.cleaned_data.get("closed_on"))


class WithdrawForm(Bounded, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
