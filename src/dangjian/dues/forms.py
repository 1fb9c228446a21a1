"""The dues pages' forms: amounts in 元 (``core.forms.YuanField``), months as ``2026-03``."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm, YuanField
from dangjian.core.money import yuan
from dangjian.dues.models import ArrearsStep, Category, DuesPayment, DuesRelief, HandIn
from dangjian.dues.queries import parse_month


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.Field):
    """A month as ``2026-03`` (the browser's month picker sends that form), cleaned to its
    first day."""

    widget = MonthInput
    default_error_messages = {"invalid": _("Write the month like 2026-03.")}

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, datetime.date) else value

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        month = parse_month(text[:10])
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


def _today():
    return timezone.localdate()


class BaseForm(StyledForm):
    from_month = MonthField(label=_("from month"), help_text=_("The month the new pay starts."))
    category = forms.ChoiceField(label=_("dues category"), choices=Category.choices)
    base = YuanField(
        label=_("monthly base (yuan)"),
        required=False,
        help_text=_("The fixed, regular part of after-tax pay; for the employed and retirees."),
    )
    fixed = YuanField(
        label=_("fixed monthly amount (yuan)"),
        required=False,
        help_text=_("For farmer members only: between 0.20 and 1.00 yuan."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class PaymentForm(StyledForm):
    first_month = MonthField(label=_("first month"))
    last_month = MonthField(
        label=_("last month"),
        required=False,
        help_text=_("Leave empty to pay one month; a later month pays several ahead."),
    )
    amount = YuanField(label=_("amount paid (yuan)"))
    paid_on = forms.DateField(label=_("paid on"), initial=_today)
    method = forms.ChoiceField(label=_("payment method"), choices=DuesPayment.Method.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ReliefForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=DuesRelief.Kind.choices)
    first_month = MonthField(label=_("first month"))
    last_month = MonthField(label=_("last month"))
    monthly = YuanField(label=_("reduced monthly amount (yuan)"), required=False)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    decided_on = forms.DateField(label=_("decided by the branch on"))


class ApproveReliefForm(StyledForm):
    approved_on = forms.DateField(label=_("approved by the higher organization on"), initial=_today)
    approved_by = forms.CharField(label=_("approving organization"), max_length=200)


class ReasonForm(StyledForm):
    first_month = MonthField(label=_("first month"))
    last_month = MonthField(label=_("last month"))
    reason = forms.CharField(label=_("good reason"), widget=forms.Textarea(attrs={"rows": 2}))


class StepForm(StyledForm):
    kind = forms.ChoiceField(label=_("step"), choices=ArrearsStep.Kind.choices)
    taken_on = forms.DateField(label=_("date"), initial=_today)
    note = forms.CharField(
        label=_("what was found or decided"), widget=forms.Textarea(attrs={"rows": 2})
    )


class HandInForm(StyledForm):
    period = forms.ChoiceField(label=_("period"), choices=HandIn.Period.choices)
    first_month = MonthField(
        label=_("month (a quarter: any of its months)"),
    )
    amount = YuanField(label=_("amount handed in (yuan)"))
    handed_on = forms.DateField(label=_("handed in on"), initial=_today)
    note = forms.CharField(
        label=_("statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Added to the statement the system writes (months, payments, amount)."),
    )


class ReceiveForm(StyledForm):
    received_on = forms.DateField(label=_("received on"), initial=_today)
    note = forms.CharField(label=_("receipt note"), max_length=200, required=False)


class PublishForm(StyledForm):
    year = forms.IntegerField(widget=forms.HiddenInput)
    published_on = forms.DateField(label=_("published on"), initial=_today)


class YearForm(StyledForm):
    year = forms.IntegerField(widget=forms.HiddenInput)


class MonthPaymentsForm(StyledForm):
    """A month's payments for the whole branch in one form: for each member still owing the
    month, a box to tick, the amount (the month's due, to change only for a voluntary extra) and
    how it was paid; one date for all."""

    paid_on = forms.DateField(label=_("paid on"), initial=_today)

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in rows:
            if row["payment"] is not None or row["due_fen"] in (None, 0):
                continue
            pk = row["member"].pk
            self.fields[f"pay_{pk}"] = forms.BooleanField(label=row["member"].name, required=False)
            self.fields[f"amount_{pk}"] = YuanField(
                label=_("amount paid (yuan)"), required=False, initial=row["due_fen"]
            )
            self.fields[f"method_{pk}"] = forms.ChoiceField(
                label=_("payment method"),
                choices=DuesPayment.Method.choices,
                initial=DuesPayment.Method.CASH,
                required=False,  # an untouched row needs nothing; a ticked one defaults to cash
            )
            self.rows.append(
                {
                    **row,
                    "due_yuan": yuan(row["due_fen"]),
                    "pay": f"pay_{pk}",
                    "amount": f"amount_{pk}",
                    "method": f"method_{pk}",
                }
            )
        self.style()

    def chosen(self):
        """(member, amount in fen, method) of each ticked row (after ``is_valid``)."""
        data = self.cleaned_data
        for row in self.rows:
            if data.get(row["pay"]):
                amount = data.get(row["amount"])
                method = data.get(row["method"]) or DuesPayment.Method.CASH
                yield row, (row["due_fen"] if amount is None else amount), method

    def bound(self):
        """Each row with its bound fields, for the template."""
        for row in self.rows:
            yield {
                **row,
                "pay_field": self[row["pay"]],
                "amount_field": self[row["amount"]],
                "method_field": self[row["method"]],
            }
