"""The shared input bounds (issue 11, problem 7): every form's free text is bounded, every date
has an earliest value, party dates start at the party's founding."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from dangjian.core.forms import Bounded, StyledForm
from dangjian.core.validators import (
    PARTY_FOUNDED,
    TEXT_MAX_LENGTH,
    not_before,
    not_in_future,
    party_date,
)


class _Form(StyledForm):
    note = forms.CharField(widget=forms.Textarea, required=False)
    code = forms.CharField(max_length=20, required=False)
    day = forms.DateField(required=False)
    founded = forms.DateField(required=False, validators=[not_before(datetime.date(1949, 10, 1))])


class _Plain(Bounded, forms.Form):
    note = forms.CharField(required=False)


@pytest.mark.parametrize("form_class", [_Form, _Plain])
def test_free_text_is_bounded_with_a_chinese_message(form_class):
    with translation.override("zh-hans"):
        form = form_class({"note": "x" * (TEXT_MAX_LENGTH + 1)})
        assert not form.is_valid()
        assert "最多 5000 个字" in form.errors["note"][0]
    assert form_class({"note": "x" * TEXT_MAX_LENGTH}).is_valid()
    assert form_class().fields["note"].widget.attrs["maxlength"] == str(TEXT_MAX_LENGTH)


def test_a_field_keeps_its_own_bounds():
    form = _Form({"code": "x" * 21, "founded": "1921-07-01"})
    assert form.fields["code"].max_length == 20
    assert not form.is_valid()
    assert set(form.errors) == {"code", "founded"}


def test_dates_before_1900_are_refused_in_chinese():
    with translation.override("zh-hans"):
        form = _Form({"day": "1800-01-01"})
        assert not form.is_valid()
        assert "日期不能早于 1900-01-01" in form.errors["day"][0]
    assert _Form({"day": "1900-01-01"}).is_valid()


def test_party_dates_start_at_the_founding_of_the_party():
    party_date(PARTY_FOUNDED)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        party_date(datetime.date(1921, 6, 30))
    assert "1921-07-01" in str(info.value.messages[0])
    assert "党" in str(info.value.messages[0])


def test_no_future_date_for_a_past_fact():
    not_in_future(datetime.date.today())
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        not_in_future(datetime.date.today() + datetime.timedelta(days=1))
    assert "将来" in info.value.messages[0]
