"""Boundary cases of ``core.validators.validate_id_number`` (GB 11643) and its equivalence with
the stdnum-based implementation it replaced (same result, same error code and parameters).

No test here touches the database.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from dangjian.core import validators as v
from dangjian.core.validators import (
    id_number_birth_date,
    id_number_check_character,
    id_number_gender,
    validate_id_number,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999, table 1


def textbook_check(body17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True)) % 11]


def numbered(body17: str) -> str:
    return body17 + textbook_check(body17)


def code_of(value):
    with pytest.raises(ValidationError) as info:
        validate_id_number(value)
    return info.value.code, info.value.params


def reference(value):
    """The implementation before the fast path (stdnum for date and check character)."""
    number = v.normalize_id_number(value)
    if len(number) == 15 and all(ch in "0123456789" for ch in number):
        return ("id_number_legacy", {"count": 15})
    if len(number) != 18:
        return ("id_number_length", {"count": len(number)})
    invalid = [ch for ch in number[:17] if ch not in "0123456789"]
    if invalid:
        return ("id_number_not_digits", {"chars": ", ".join(dict.fromkeys(invalid))})
    if number[17] not in "0123456789X":
        return ("id_number_last_char", {"given": number[17]})
    try:
        birth = ric.get_birth_date(number)
    except Exception:
        return ("id_number_birth_date", {"birth": number[6:14]})
    if birth > datetime.date.today():
        return ("id_number_birth_date_future", {"birth": number[6:14]})
    if not v._area_code_known(number[:6]):
        return ("id_number_area", {"area": number[:6]})
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        return ("id_number_checksum", {"expected": expected, "given": number[17]})
    return number


def outcome(value):
    try:
        return validate_id_number(value)
    except ValidationError as exc:
        return (exc.code, exc.params)


def test_check_character_matches_the_standards_weights():
    for body in [
        "11010519491231002",
        "44030519800101123",
        "00000000000000000",
        "99999999999999999",
    ]:
        assert id_number_check_character(body) == textbook_check(body)
        assert id_number_check_character(body) == ric.calc_check_digit(body + "0")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_property(body):
    assert id_number_check_character(body) == textbook_check(body)


def test_x_check_character_upper_and_lower_case():
    value = "11010519491231002X"
    assert textbook_check(value[:17]) == "X"
    assert validate_id_number(value) == value
    assert validate_id_number("11010519491231002x") == value  # lower-case x is accepted
    assert validate_id_number("１１０１０５１９４９１２３１００２ｘ") == value  # full-width too
    assert code_of("110105194912310020") == (
        "id_number_checksum",
        {"expected": "X", "given": "0"},
    )


def test_digit_where_x_is_due_and_x_where_a_digit_is_due():
    body = next(b for b in (f"1101051990010100{i}" for i in range(10)) if textbook_check(b) != "X")
    assert code_of(body + "X") == (
        "id_number_checksum",
        {"expected": textbook_check(body), "given": "X"},
    )


@pytest.mark.parametrize(
    ("birth", "valid"),
    [
        ("20000229", True),  # divisible by 400: leap
        ("19960229", True),  # divisible by 4: leap
        ("19000229", False),  # divisible by 100, not by 400: not leap
        ("20230229", False),
        ("20240229", True),
        ("19991231", True),
        ("19990230", False),
        ("19991301", False),
        ("19990001", False),
        ("19990100", False),
    ],
)
def test_birth_dates_and_leap_years(birth, valid):
    value = numbered("110105" + birth + "002")
    if valid:
        assert validate_id_number(value) == value
        assert id_number_birth_date(value) == datetime.date(
            int(birth[:4]), int(birth[4:6]), int(birth[6:])
        )
    else:
        assert code_of(value) == ("id_number_birth_date", {"birth": birth})


def test_birth_today_is_fine_tomorrow_is_future():
    today = datetime.date.today()
    value = numbered("110105" + f"{today:%Y%m%d}" + "001")
    assert validate_id_number(value) == value
    tomorrow = today + datetime.timedelta(days=1)
    birth = f"{tomorrow:%Y%m%d}"
    assert code_of(numbered("110105" + birth + "001")) == (
        "id_number_birth_date_future",
        {"birth": birth},
    )
    assert code_of(numbered("110105" + "99991231" + "001"))[0] == "id_number_birth_date_future"


def test_fifteen_digit_numbers_are_refused_as_first_generation():
    assert code_of("110105491231002") == ("id_number_legacy", {"count": 15})
    assert code_of("１１０１０５４９１２３１００２") == ("id_number_legacy", {"count": 15})
    assert code_of("11010549123100X") == ("id_number_length", {"count": 15})


def test_error_precedence():
    assert code_of("11010519491231002") == ("id_number_length", {"count": 17})
    assert code_of("1101051949123100２Y")[0] == "id_number_last_char"
    assert code_of("A1010519491231002Y")[0] == "id_number_not_digits"
    # date before area before check character
    assert code_of("000000" + "19490231" + "0021")[0] == "id_number_birth_date"
    assert code_of("000000" + "19490101" + "0021")[0] == "id_number_area"
    assert code_of(numbered("11010519490101002")[:-1] + "Y")[0] == "id_number_last_char"


def test_non_ascii_digits_are_not_digits():
    value = "11010519491231002X".replace("1", "١", 1)  # Arabic-Indic one
    assert code_of(value)[0] == "id_number_not_digits"


def test_gender_from_the_17th_digit():
    assert id_number_gender(numbered("11010519900101001")) == "male"
    assert id_number_gender(numbered("11010519900101002")) == "female"


@settings(max_examples=400)
@given(
    st.one_of(
        st.text(alphabet="0123456789Xx -", min_size=0, max_size=22),
        st.builds(
            lambda area, y, m, d, seq, last: f"{area}{y:04d}{m:02d}{d:02d}{seq:03d}{last}",
            st.sampled_from(["110105", "310101", "440305", "000000", "110199", "110112"]),
            st.integers(1890, 2100),
            st.integers(0, 13),
            st.integers(0, 32),
            st.integers(0, 999),
            st.sampled_from(list("0123456789Xx")),
        ),
        st.builds(
            numbered,
            st.builds(
                lambda y, m, d: f"440305{y:04d}{m:02d}{d:02d}123",
                st.integers(1900, 2030),
                st.integers(1, 12),
                st.integers(1, 31),
            ),
        ),
    )
)
@example("11010519491231002x")
@example("１１０１０５１９４９１２３１００２Ｘ")
def test_same_outcome_as_the_stdnum_implementation(value):
    assert outcome(value) == reference(value)
