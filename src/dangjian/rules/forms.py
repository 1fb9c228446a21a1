from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import Bounded, style_compact
from dangjian.registry.models import Federation, Organization
from dangjian.rules.models import Finding

SECTORS = [("", "—"), ("enterprise", _("enterprises")), ("social", _("social organizations"))]


class BulkForm(Bounded, forms.Form):
    action = forms.ChoiceField(
        label=_("action"),
        choices=[
            (Finding.Status.ACKNOWLEDGED, _("acknowledge")),
            (Finding.Status.RECTIFYING, _("mark as being rectified")),
            (Finding.Status.DISMISSED, _("dismiss")),
        ],
    )
    reason = forms.CharField(label=_("reason"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if (
            data.get("action") == Finding.Status.DISMISSED
            and not (data.get("reason") or "").strip()
        ):
            raise forms.ValidationError(_("Give the reason for dismissing the findings."))
        return data


class StatusForm(Bounded, forms.Form):
    # "Found in the past only" is the engine's to give, never a person's choice.
    status = forms.ChoiceField(
        label=_("new status"),
        choices=[(v, label) for v, label in Finding.Status.choices if v != Finding.Status.PAST],
    )
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class OverrideForm(Bounded, forms.Form):
    federation: forms.ModelChoiceField[Federation] = forms.ModelChoiceField(
        label=_("federation"), queryset=None
    )
    rule_id = forms.ChoiceField(label=_("rule"))
    parameters = forms.CharField(
        label=_("parameters (JSON)"), widget=forms.Textarea(attrs={"rows": 2}), initial="{}"
    )
    valid_from = forms.DateField(
        label=_("valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args, federations=None, rule_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        style_compact(self)
        self.fields["rule_id"].choices = list(rule_choices)

    def clean_parameters(self):
        try:
            value = json.loads(self.cleaned_data["parameters"])
        except ValueError as exc:
            raise forms.ValidationError(_("The parameters are not valid JSON.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The parameters must be a JSON object."))
        return value


class CoverageForm(Bounded, forms.Form):
    federation: forms.ModelChoiceField[Federation] = forms.ModelChoiceField(
        label=_("federation"), queryset=None, required=False
    )
    day = forms.DateField(
        label=_("as of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", "—"), *Organization.Category.choices]
    )
    legal_form = forms.ChoiceField(
        label=_("legal form"), required=False, choices=[("", "—"), *Organization.LegalForm.choices]
    )
    sector = forms.ChoiceField(label=_("sector"), required=False, choices=SECTORS)
    district = forms.CharField(label=_("district"), required=False, max_length=50)
    domain = forms.CharField(label=_("domain"), required=False, max_length=50)

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        style_compact(self)
