from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import Bootstrap
from dangjian.party.models import Designation
from dangjian.recognition.models import Recognition
from dangjian.registry.models import Organization


def _year_choices():
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this + 1, 2009, -1)]


class DesignationForm(Bootstrap, forms.Form):
    organization = forms.ModelChoiceField(label=_("unit"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=Designation.Kind.choices)
    year = forms.TypedChoiceField(label=_("year"), coerce=int, choices=_year_choices)
    granted_by = forms.CharField(label=_("granted by"), max_length=200)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["year"].initial = timezone.localdate().year


class RevokeForm(Bootstrap, forms.Form):
    revoked_on = forms.DateField(label=_("revoked on"), initial=timezone.localdate)

    def clean_revoked_on(self):
        value = self.cleaned_data["revoked_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The date must not be in the future."))
        return value


class RecognitionForm(Bootstrap, forms.ModelForm):
    url = forms.URLField(label=_("link"), required=False, assume_scheme="https")

    class Meta:
        model = Recognition
        fields = [
            "kind",
            "organization",
            "title",
            "person_name",
            "level",
            "granted_by",
            "granted_on",
            "certificate_no",
            "url",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean_granted_on(self):
        value = self.cleaned_data["granted_on"]
        if value and value > timezone.localdate():
            raise ValidationError(_("The date must not be in the future."))
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Recognition.Kind.INDIVIDUAL and not data.get("person_name"):
            self.add_error("person_name", _("Name the exemplary individual."))
        if kind == Recognition.Kind.WORK and not data.get("url"):
            self.add_error("url", _("Give the link where the work is shown."))
        return data
