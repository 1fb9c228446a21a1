"""The organization list's filters, as a plain form applied to a scoped queryset."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import style_compact
from dangjian.party.queries import with_party_organization
from dangjian.registry.models import Federation, Organization

YES_NO = [("", _("all")), ("yes", _("yes")), ("no", _("no"))]


class OrganizationFilter(forms.Form):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    federation = forms.ModelChoiceField(
        label=_("federation"), queryset=Federation.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=_("category"),
        required=False,
        choices=[("", _("all")), *Organization.Category.choices],
    )
    district = forms.CharField(label=_("district"), required=False, max_length=50)
    has_party_org = forms.ChoiceField(
        label=_("has a party organization"), required=False, choices=YES_NO
    )
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("all")), *Organization.Status.choices]
    )

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations or Federation.objects.none()
        style_compact(self)

    def apply(self, qs):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data["q"]:
            term = data["q"].strip()
            qs = qs.filter(Q(name__contains=term) | Q(uscc=term.upper()))
        if data["federation"]:
            qs = qs.members_of(data["federation"])
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["district"]:
            qs = qs.filter(district=data["district"].strip())
        if data["status"]:
            qs = qs.filter(status=data["status"])
        qs = with_party_organization(qs)
        if data["has_party_org"] == "yes":
            qs = qs.filter(has_party_org=True)
        elif data["has_party_org"] == "no":
            qs = qs.filter(has_party_org=False)
        return qs
