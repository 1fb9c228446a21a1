from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import Bounded
from dangjian.registry.models import Federation

from .models import Campaign


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class CampaignForm(Bounded, forms.ModelForm):
    """Lists are edited one item per line; the rubric as "criterion = weight" lines."""

    categories_text = forms.CharField(
        label=_("Categories (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    sections_text = forms.CharField(
        label=_("Required sections (one per line)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    rubric_text = forms.CharField(
        label=_("Scoring rubric (one “criterion = weight” per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Campaign
        fields = [
            "federation",
            "year",
            "title",
            "call_text",
            "deadline",
            "section_word_limit",
            "total_word_limit",
            "max_images",
            "max_attachments",
            "max_attachment_mb",
            "reviewers_per_submission",
            "selection_quota",
            "borderline_margin",
            "series_title",
        ]
        widgets = {
            "deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "call_text": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, federations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = federations
        campaign = self.instance
        if campaign.pk or not self.is_bound:
            self.initial.setdefault("categories_text", "\n".join(campaign.categories or []))
            self.initial.setdefault("sections_text", "\n".join(campaign.sections or []))
            self.initial.setdefault(
                "rubric_text",
                "\n".join(f"{c['title']} = {c['weight']}" for c in campaign.rubric or []),
            )
        if campaign.pk:
            self.fields["federation"].disabled = True
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_sections_text(self):
        sections = _lines(self.cleaned_data["sections_text"])
        if not sections:
            raise ValidationError(_("Name at least one section."))
        if len(set(sections)) != len(sections):
            raise ValidationError(_("Section names must differ."))
        return sections

    def clean_categories_text(self):
        return _lines(self.cleaned_data["categories_text"])

    def clean_rubric_text(self):
        rubric = []
        for i, line in enumerate(_lines(self.cleaned_data["rubric_text"]), start=1):
            title, sep, weight = line.rpartition("=")
            try:
                value = int(weight.strip())
            except ValueError:
                value = 0
            if not sep or not title.strip() or value <= 0:
                raise ValidationError(
                    _("Line %(n)s: write “criterion = weight” with a positive whole weight.")
                    % {"n": i}
                )
            rubric.append({"key": f"c{i}", "title": title.strip(), "weight": value})
        if not rubric:
            raise ValidationError(_("Name at least one criterion."))
        return rubric

    def campaign_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "federation"}
        data["categories"] = self.cleaned_data["categories_text"]
        data["sections"] = self.cleaned_data["sections_text"]
        data["rubric"] = self.cleaned_data["rubric_text"]
        return data


class ImageForm(Bounded, forms.Form):
    file = forms.FileField(label=_("Image"))
    caption = forms.CharField(label=_("Caption"), max_length=200)
    taken_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AttachmentForm(Bounded, forms.Form):
    file = forms.FileField(label=_("Attachment (.docx or image)"))


class FigureForm(Bounded, forms.Form):
    label = forms.CharField(label=_("What the number is"), max_length=100)
    value = forms.CharField(label=_("Number"), max_length=50)


class PullFiguresForm(Bounded, forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))


class SelectForm(Bounded, forms.Form):
    number = forms.IntegerField(label=_("Number in the series"), min_value=1, max_value=999)
    editor_note = forms.CharField(
        label=_("Editor's note"), widget=forms.Textarea(attrs={"rows": 4})
    )


class _Styled(Bounded, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class RevisionForm(_Styled):
    title = forms.CharField(label=_("Title"), max_length=200)
    editor_note = forms.CharField(
        label=_("Editor's note"), widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(
        label=_("Revision note (shown on the public page)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AffiliationForm(Bounded, forms.Form):
    """Where an expert works; both empty records an independent expert."""

    uscc = forms.CharField(
        label=_("Unit's unified social credit code"),
        required=False,
        max_length=18,
        help_text=_("the unit the expert works for, if it is in your ledger"),
    )
    # The queryset (the officer's federations) is set per request in __init__.
    federation: forms.ModelChoiceField[Federation] = forms.ModelChoiceField(
        label=_("Federation"),
        required=False,
        queryset=None,
        help_text=_("the federation the expert works for or represents"),
    )

    def __init__(self, *args, organizations, federations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = organizations
        self.fields["federation"].queryset = federations
        self.fields["uscc"].widget.attrs["class"] = "form-control"
        self.fields["federation"].widget.attrs["class"] = "form-select"

    def clean_uscc(self):
        code = (self.cleaned_data.get("uscc") or "").strip().upper()
        if not code:
            return None
        organization = self.organizations.filter(uscc=code).first()
        if organization is None:
            raise ValidationError(_("No unit with this credit code in your scope."))
        return organization
