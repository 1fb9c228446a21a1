from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import Bounded, DateInput, style_compact
from dangjian.registry.models import Federation


class DashboardForm(Bounded, forms.Form):
    federation: forms.ModelChoiceField[Federation] = forms.ModelChoiceField(
        label=_("federation"), queryset=None, required=False, empty_label=None
    )
    day = forms.DateField(label=_("as of"), required=False, widget=DateInput())

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        style_compact(self)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The figures cannot be shown as of a day in the future."))
        return day
