"""Upload and column-mapping forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.ledgers import reader, specs
from dangjian.ledgers.models import LEDGER_CHOICES
from dangjian.registry.models import Federation


class UploadForm(forms.Form):
    ledger = forms.ChoiceField(label=_("ledger"), choices=LEDGER_CHOICES)
    federation = forms.ModelChoiceField(label=_("federation"), queryset=Federation.objects.none())
    file = forms.FileField(
        label=_("file (.xlsx, .xlsm, .xls or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.csv"}),
    )

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = (
            federations if federations is not None else (Federation.objects.none())
        )
        if federations is not None and federations.count() == 1:
            self.fields["federation"].initial = federations.first()
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.fields["file"].widget.attrs["class"] = "form-control form-control-sm"

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > reader.MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is %(size)d MB; the limit is %(limit)d MB. Split it into several files."
                )
                % {"size": file.size // (1024 * 1024), "limit": reader.MAX_BYTES // (1024 * 1024)}
            )
        return file


class MappingForm(forms.Form):
    """One drop-down per header of the file: which ledger column it holds (or none)."""

    def __init__(self, *args, ledger: specs.Ledger, upload, **kwargs):
        super().__init__(*args, **kwargs)
        self.ledger = ledger
        labels = upload.mapping.get("labels") or []
        current = upload.mapping.get("columns") or {}
        choices = [("", _("(not imported)"))] + [
            (c.key, c.header + ("*" if c.required else "")) for c in ledger.columns
        ]
        for index, label in enumerate(labels):
            if not label:
                continue
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=current.get(str(index), ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def clean(self):
        data = super().clean()
        used = {}
        for name, key in data.items():
            if not key:
                continue
            if key in used:
                raise forms.ValidationError(
                    _("%(column)s is chosen for two headers: %(a)s and %(b)s.")
                    % {
                        "column": self.ledger.column(key).header,
                        "a": self.fields[used[key]].label,
                        "b": self.fields[name].label,
                    }
                )
            used[key] = name
        return data

    def columns(self) -> dict[int, str]:
        return {
            int(name.removeprefix("col_")): key for name, key in self.cleaned_data.items() if key
        }
