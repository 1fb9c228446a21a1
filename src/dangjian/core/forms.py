"""Form helpers shared by the apps: Bootstrap classes on widgets (no inline styles: strict CSP)."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.core.money import parse_yuan, yuan
from dangjian.core.validators import EARLIEST_DATE, TEXT_MAX_LENGTH, NotBefore, text_max_length


class DateInput(forms.DateInput):
    """The browser's date picker, with the value in the ISO form it expects."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(attrs, **kwargs)


class YuanField(forms.Field):
    """An amount typed in 元, cleaned to integer fen (``core.money.parse_yuan``: negative,
    non-numeric and three-decimal amounts refused in Chinese). A text input with the decimal
    keypad on phones, not ``type=number``: the browser would drop what it cannot parse instead of
    letting the server say what is wrong."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("maxlength", "20")

    def prepare_value(self, value: Any) -> Any:
        return yuan(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        return parse_yuan(text[:40])


def bound_fields(form: forms.BaseForm) -> None:
    """The input bounds every form has unless a field says otherwise: free text at most
    ``TEXT_MAX_LENGTH`` characters (a field with its own ``max_length`` keeps it), and no date
    before ``EARLIEST_DATE`` (a field with its own ``NotBefore`` keeps that). Idempotent."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and field.max_length is None:
            field.max_length = TEXT_MAX_LENGTH
            field.validators.append(text_max_length(TEXT_MAX_LENGTH))
            field.widget.attrs.setdefault("maxlength", str(TEXT_MAX_LENGTH))
        elif isinstance(field, forms.DateField) and not any(
            isinstance(v, NotBefore) for v in field.validators
        ):
            field.validators.append(NotBefore(EARLIEST_DATE))
            field.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())


class Bounded:
    """Mixin for forms that do not take the Bootstrap styling: the same input bounds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_fields(self)  # type: ignore[arg-type]


def _css_for(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(
        widget, forms.RadioSelect
    ):  # also CheckboxSelectMultiple: the template lays it out
        return ""
    if isinstance(widget, forms.Select):  # also SelectMultiple
        return "form-select"
    return "form-control"


class Bootstrap:
    """Mixin for Form and ModelForm: the input bounds (``bound_fields``), Bootstrap classes on
    every widget, date pickers for dates, and ``is-invalid`` on the fields with errors.

    A class the form declared on a widget is kept after the Bootstrap one. A form that adds
    fields after ``__init__`` calls ``style()`` again (it is idempotent).
    """

    fields: dict[str, forms.Field]
    _errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        bound_fields(self)  # type: ignore[arg-type]
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and not isinstance(
                field.widget, DateInput | forms.HiddenInput
            ):
                field.widget = DateInput(attrs=field.widget.attrs)
            widget = field.widget
            css = _css_for(widget)
            present = widget.attrs.get("class", "")
            if css and css not in present.split():
                widget.attrs["class"] = f"{css} {present}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes.split():
                    widget.attrs["class"] = f"{classes} is-invalid".strip()


class StyledForm(Bootstrap, forms.Form):
    """A plain form with the Bootstrap styling."""


def style_compact(form: forms.BaseForm) -> None:
    """Small Bootstrap controls, for the filter rows above lists."""
    for field in form.fields.values():
        select = isinstance(field.widget, forms.Select)
        field.widget.attrs["class"] = (
            "form-select form-select-sm" if select else "form-control form-control-sm"
        )
