"""The party organization list's filters, as a plain form applied to a scoped queryset."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import style_compact
from dangjian.party.models import PartyOrganization


class PartyOrganizationFilter(forms.Form):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all")), *PartyOrganization.Kind.choices]
    )
    formation_mode = forms.ChoiceField(
        label=_("formation mode"),
        required=False,
        choices=[("", _("all")), *PartyOrganization.FormationMode.choices],
    )
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("all")), *PartyOrganization.Status.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_compact(self)

    def apply(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data["q"]:
            qs = qs.filter(name__contains=data["q"].strip())
        for name in ("kind", "formation_mode", "status"):
            if data[name]:
                qs = qs.filter(**{name: data[name]})
        return qs
