"""The recruitment pages' forms: an application, and one form for any step (showing only the
fields the step needs). The checks themselves are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm
from dangjian.party.models import PartyMember, PartyOrganization


class ApplicantForm(StyledForm):
    branch = forms.ModelChoiceField(
        label=_("party branch"), queryset=PartyOrganization.objects.none()
    )
    name = forms.CharField(label=_("full name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    education = forms.ChoiceField(
        label=_("education"),
        choices=[("", "—"), *PartyMember.Education.choices],
        required=False,
    )
    applied_on = forms.DateField(label=_("application date"))

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


# Which of the step form's fields each step needs (the others are left out of the page).
STEP_FIELDS = {
    "activist": ("decided_by", "method"),
    "contacts": ("members",),
    "sponsors": ("members",),
    "political_review": ("passed",),
    "training": ("days", "hours"),
    "pre_review": ("approver",),
    "candidate": ("publicity_from",),
    "admission_meeting": (
        "present",
        "yes_present",
        "yes_written",
        "publicity_from",
        "planned_departure_on",
    ),
    "admission_approval": ("approver",),
    "extension": ("months",),
    "full_meeting": ("present", "yes_present", "yes_written", "publicity_from"),
    "full_approval": ("approver",),
}
COMMON = ("done_on", "acted_by", "note")


class StepForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("date"))
    acted_by = forms.CharField(label=_("acted by"), max_length=200, required=False)
    note = forms.CharField(
        label=_("documents and note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decided_by = forms.ChoiceField(
        label=_("deciding body"),
        choices=[
            ("branch_committee", _("the branch committee")),
            ("general_meeting", _("the branch general meeting (no committee)")),
        ],
    )
    method = forms.ChoiceField(
        label=_("put forward by"),
        choices=[
            ("party_members", _("recommendation by party members")),
            ("mass_organization", _("recommendation by a mass organization")),
        ],
    )
    members = forms.ModelMultipleChoiceField(
        label=_("party members"),
        queryset=PartyMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    passed = forms.BooleanField(label=_("passed"), required=False)
    days = forms.DecimalField(
        label=_("days"), min_value=0, max_digits=5, decimal_places=1, required=False
    )
    hours = forms.DecimalField(
        label=_("hours"), min_value=0, max_digits=5, decimal_places=1, required=False
    )
    approver = forms.ModelChoiceField(
        label=_("party committee"), queryset=PartyOrganization.objects.none(), required=False
    )
    present = forms.IntegerField(
        label=_("members with a vote present"), min_value=0, required=False
    )
    yes_present = forms.IntegerField(
        label=_("votes in favour of those present"), min_value=0, required=False
    )
    yes_written = forms.IntegerField(
        label=_("written votes in favour of those absent"), min_value=0, required=False
    )
    months = forms.IntegerField(label=_("months of extension"), min_value=0, required=False)
    publicity_from = forms.DateField(label=_("publicity (公示) began on"), required=False)
    planned_departure_on = forms.DateField(
        label=_("plans to leave the unit or place on"), required=False
    )

    def __init__(self, *args, code: str, members, approvers, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"version", *COMMON, *STEP_FIELDS.get(code, ())}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name, queryset in (("members", members), ("approver", approvers)):
            if name in self.fields:
                self.fields[name].queryset = queryset  # type: ignore[attr-defined]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if "members" in data:
            data["members"] = list(data["members"])
        return data
