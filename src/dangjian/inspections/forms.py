"""Forms of the inspections pages; every error is a Chinese message next to its field."""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import DateInput, StyledForm
from dangjian.core.validators import not_before_founding, not_in_future
from dangjian.inspections import grading
from dangjian.inspections.models import AnnualInspection
from dangjian.inspections.services import annual_inspection_problems
from dangjian.party.models import Instructor
from dangjian.registry.models import Organization


def visit_founding_check(form: forms.Form, data: dict) -> None:
    """A visit cannot precede the unit's founding (shared by the instructors' visit form)."""
    org, day = data.get("organization"), data.get("visited_on")
    if org and day:
        try:
            not_before_founding(day, org.founded_on)
        except forms.ValidationError as exc:
            form.add_error("visited_on", exc)


def _not_future(value):
    not_in_future(value)
    return value


class AnnualInspectionForm(StyledForm):
    report_to_supervisor_on = forms.DateField(
        label=_("report received by the supervising unit on"), required=False, widget=DateInput()
    )
    report_to_registrar_on = forms.DateField(
        label=_("report received by the registration authority on"),
        required=False,
        widget=DateInput(),
    )
    notes = forms.CharField(
        label=_("inspector's notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    conclusion = forms.ChoiceField(
        label=_("conclusion"), choices=AnnualInspection.Conclusion.choices, required=False
    )
    refresh_party_section = forms.BooleanField(
        label=_("refill the party-building section from the ledger"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args, year: int, exempt: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.exempt = exempt

    def clean(self):
        data = super().clean()
        problems = annual_inspection_problems(
            self.year,
            exempt=self.exempt,
            report_to_supervisor_on=data.get("report_to_supervisor_on"),
            report_to_registrar_on=data.get("report_to_registrar_on"),
            conclusion=data.get("conclusion") or "",
        )
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data


class VisitForm(StyledForm):
    # The querysets (what the user may edit) are set per request in __init__.
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("organization"), queryset=None
    )
    visited_on = forms.DateField(label=_("visited on"), widget=DateInput())
    visitors = forms.CharField(label=_("visitors"), max_length=200)
    instructor: forms.ModelChoiceField[Instructor] = forms.ModelChoiceField(
        label=_("instructor"), queryset=None, required=False
    )
    findings = forms.CharField(label=_("what was found"), widget=forms.Textarea(attrs={"rows": 4}))
    unreachable_at_address = forms.BooleanField(
        label=_("unreachable at the registered address"), required=False
    )
    follow_up = forms.CharField(
        label=_("follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organizations, instructors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["instructor"].queryset = instructors

    def clean_visited_on(self):
        return _not_future(self.cleaned_data.get("visited_on"))

    def clean(self):
        data = super().clean()
        visit_founding_check(self, data)
        return data


class GradeEvaluationForm(StyledForm):
    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("organization"), queryset=None
    )
    year = forms.IntegerField(label=_("evaluation year"), min_value=2000, max_value=2100)
    evaluated_on = forms.DateField(label=_("evaluated on"), widget=DateInput())
    on_abnormal_list = forms.BooleanField(label=_("on the abnormal-activity list"), required=False)
    on_serious_list = forms.BooleanField(
        label=_("on the list of serious violations"), required=False
    )
    notice_no = forms.CharField(label=_("notice number"), max_length=100, required=False)
    notice_date = forms.DateField(label=_("notice date"), required=False, widget=DateInput())
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args, organizations, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.indicators = indicators
        for ind in indicators:
            auto = ind.get("auto") == "coverage"
            self.fields[f"score_{ind['code']}"] = forms.DecimalField(
                label=ind["name"],
                min_value=Decimal(0),
                max_value=Decimal(str(ind["max"])),
                decimal_places=2,
                required=not auto,
                disabled=auto,
                help_text=(
                    _(
                        "Scored from the ledger: own or joint organization full marks, instructor only three quarters, neither 0."
                    )
                    if auto
                    else _("0 to %(max)s points") % {"max": ind["max"]}
                ),
            )
        self.style()

    def score_fields(self):
        return [self[f"score_{ind['code']}"] for ind in self.indicators]

    def other_fields(self):
        return [f for f in self if not f.name.startswith("score_") and not f.is_hidden]

    def clean_evaluated_on(self):
        return _not_future(self.cleaned_data.get("evaluated_on"))

    def clean_notice_date(self):
        return _not_future(self.cleaned_data.get("notice_date"))

    def clean(self):
        data = super().clean()
        if data.get("notice_date") and not data.get("notice_no"):
            self.add_error("notice_no", _("Give the notice number together with its date."))
        if (
            data.get("notice_date")
            and data.get("evaluated_on")
            and data["notice_date"] < data["evaluated_on"]
        ):
            self.add_error("notice_date", _("The notice cannot precede the evaluation."))
        return data

    def scores(self) -> dict:
        return {
            ind["code"]: self.cleaned_data.get(f"score_{ind['code']}")
            for ind in self.indicators
            if ind.get("auto") != "coverage"
        }


class GradingSettingsForm(StyledForm):
    indicators = forms.CharField(
        label=_("indicator set (JSON)"),
        # A machine-readable set, not free text: longer than TEXT_MAX_LENGTH, still bounded.
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}),
        help_text=_(
            'A list of {"code", "name", "max"}; "auto": "coverage" scores organizational '
            "coverage from the ledger."
        ),
    )
    bar_without_party_org = forms.BooleanField(
        label=_("units without a party organization cannot be graded 4A or 5A"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for grade in grading.GRADES:
            self.fields[f"cutoff_{grade}"] = forms.IntegerField(
                label=_("lowest score for %(grade)s") % {"grade": grade}, min_value=0
            )
        self.style()

    def clean_indicators(self):
        raw = self.cleaned_data["indicators"]
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(value, list) or not value:
            raise forms.ValidationError(_("Give a non-empty list of indicators."))
        codes = set()
        for i, ind in enumerate(value, start=1):
            if (
                not isinstance(ind, dict)
                or not str(ind.get("code", "")).strip()
                or not str(ind.get("name", "")).strip()
                or not isinstance(ind.get("max"), int | float)
                or ind["max"] <= 0
            ):
                raise forms.ValidationError(
                    _('Indicator %(n)d needs a "code", a "name" and a positive "max".') % {"n": i}
                )
            if ind["code"] in codes:
                raise forms.ValidationError(
                    _("Indicator code %(code)s appears twice.") % {"code": ind["code"]}
                )
            codes.add(ind["code"])
        return value

    def clean(self):
        data = super().clean()
        values = [data.get(f"cutoff_{g}") for g in grading.GRADES]
        if all(v is not None for v in values) and any(
            a <= b for a, b in zip(values, values[1:], strict=False)
        ):
            self.add_error("cutoff_5A", _("Each higher grade needs a higher cut-off."))
        return data

    def cutoffs(self) -> dict:
        return {g: self.cleaned_data[f"cutoff_{g}"] for g in grading.GRADES}
