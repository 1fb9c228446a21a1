"""Form helpers shared by the apps."""

from django import forms


def style_compact(form: forms.BaseForm) -> None:
    """Small Bootstrap controls, for the filter rows above lists (no inline styles: strict CSP)."""
    for field in form.fields.values():
        select = isinstance(field.widget, forms.Select)
        field.widget.attrs["class"] = (
            "form-select form-select-sm" if select else "form-control form-control-sm"
        )
