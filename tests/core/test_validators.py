"""Tests for dangjian.core.validators (USCC, resident ID number, organization code).

Messages are English msgids translated in core/locale/zh_Hans; the Chinese text only shows once
the build has run compilemessages. So most tests assert on ``ValidationError.code`` and
``.params`` and on the English text under ``override("en")``; the .po file itself is checked
without compiling it, and the rendered Chinese only when a fresh .mo exists.

No test here is marked ``django_db``: pytest-django would fail any that touched the database.
"""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from dangjian.core import validators as v
from dangjian.core.validators import (
    id_number_birth_date,
    id_number_gender,
    id_number_validator,
    normalize_code,
    normalize_id_number,
    normalize_uscc,
    org_code_check_digit,
    org_code_validator,
    uscc_validator,
    validate_id_number,
    validate_org_code,
    validate_uscc,
)

USCC_EXAMPLES = ["91350100M000100Y43", "91110000600037341L"]
ID_EXAMPLE = "11010519491231002X"  # 北京市朝阳区, born 1949-12-31, 17th digit 2 → female
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I O S V Z
KNOWN_AREAS = ["110105", "310101", "440305", "350102", "510107", "110000"]


def with_uscc_check(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def with_id_check(body17: str) -> str:
    # stdnum's ric.calc_check_digit expects the whole 18 characters and ignores the last one.
    return body17 + ric.calc_check_digit(body17 + "0")


def error_of(func, value) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(value)
    return info.value


def english(error: ValidationError) -> str:
    with override("en"):
        return error.messages[0]


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


# --- normalize_code ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
        (" 9135 0100\nM000 100Y43\t", "91350100M000100Y43"),
        ("\u30009135\u30000100-M000100Y43\u00a0", "91350100M000100Y43"),
        ("9135－0100—M000100Y43\r\n", "91350100M000100Y43"),
        ("\ufeff9135\u200b0100M000100Y43", "91350100M000100Y43"),
        ("91350100m000100y43", "91350100M000100Y43"),
        ("11010519491231002x", ID_EXAMPLE),
        ("ｄ２１４３５６９－ｘ", "D2143569X"),
        ("", ""),
        (None, ""),
        (12345, "12345"),
    ],
)
def test_normalize_code(raw, expected):
    assert normalize_code(raw) == expected


def test_normalize_aliases():
    assert normalize_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert normalize_id_number("110105 19491231 002x") == ID_EXAMPLE


# --- USCC ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", USCC_EXAMPLES)
def test_known_valid_uscc(code):
    assert uscc.is_valid(code)  # stdnum agrees
    assert validate_uscc(code) == code
    assert uscc_validator(code) is None


@pytest.mark.parametrize(
    "raw",
    [
        "９１３５０１００Ｍ０００１００Ｙ４３",
        "9135 0100 M000 100Y 43",
        "9135\n0100\r\nM000100Y43",
        "\u300091350100-M000100Y43\u00a0",
        "91350100m000100y43",
    ],
)
def test_uscc_is_normalised(raw):
    assert validate_uscc(raw) == "91350100M000100Y43"


@pytest.mark.parametrize("code", USCC_EXAMPLES)
def test_uscc_wrong_check_character(code):
    wrong = "1" if code[-1] != "1" else "2"
    error = error_of(validate_uscc, code[:17] + wrong)
    assert error.code == "uscc_checksum"
    assert error.params == {"expected": code[-1], "given": wrong}
    assert english(error) == (
        f"The check character (18th) of the unified social credit code should be {code[-1]}, "
        f"not {wrong}; please check the code for typos."
    )


@pytest.mark.parametrize("length", [0, 17, 19])
def test_uscc_wrong_length(length):
    value = (USCC_EXAMPLES[0] + "1")[:length]
    error = error_of(validate_uscc, value)
    assert error.code == "uscc_length"
    assert error.params == {"count": length}
    assert english(error) == (
        f"The unified social credit code must be 18 characters long; you entered {length}."
    )


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_uscc_forbidden_letters(letter):
    value = "91350100" + letter + "000100Y43"
    error = error_of(validate_uscc, value)
    assert error.code == "uscc_forbidden_letters"
    assert error.params == {"letters": letter}
    assert letter in english(error)


def test_uscc_forbidden_letters_are_all_named_once():
    error = error_of(validate_uscc, "91350100MOOIOO1Z43")
    assert error.params == {"letters": "O, I, Z"}
    assert english(error) == (
        "The unified social credit code never uses the letters I, O, S, V or Z; "
        "it contains O, I, Z."
    )


def test_uscc_forbidden_letter_lower_case():
    assert error_of(validate_uscc, "91350100o000100Y43").params == {"letters": "O"}


def test_uscc_other_characters():
    error = error_of(validate_uscc, "91350100M00010#Y4中")
    assert error.code == "uscc_invalid_characters"
    assert error.params == {"chars": "#, 中"}


def test_uscc_first_eight_must_be_digits():
    value = with_uscc_check("9A350100M000100Y4")  # check character right: only the prefix is wrong
    error = error_of(validate_uscc, value)
    assert error.code == "uscc_prefix_not_digits"
    assert error.params == {"prefix": "9A350100"}
    assert "9A350100" in english(error)


def test_uscc_registering_department():
    value = with_uscc_check("01350100M000100Y4")
    error = error_of(validate_uscc, value)
    assert error.code == "uscc_department"
    assert error.params == {"department": "0"}


@pytest.mark.parametrize("prefix", ["94", "54", "10", "20", "99"])
def test_uscc_organization_type(prefix):
    value = with_uscc_check(prefix + "350100M000100Y4")
    error = error_of(validate_uscc, value)
    assert error.code == "uscc_type"
    assert error.params == {"type": prefix[1], "department": prefix[0]}


@pytest.mark.parametrize("prefix", ["11", "12", "13", "19", "51", "52", "53", "59", "92", "93"])
def test_uscc_organization_types_in_the_standard(prefix):
    value = with_uscc_check(prefix + "350100M000100Y4")
    assert validate_uscc(value) == value


def test_uscc_validator_in_a_form_field():
    field = forms.CharField(validators=[uscc_validator])
    assert field.clean("91350100M000100Y43") == "91350100M000100Y43"
    with pytest.raises(ValidationError) as info:
        field.clean("91350100M000100Y44")
    assert info.value.error_list[0].code == "uscc_checksum"


# --- Resident ID number -------------------------------------------------------------------------


def test_known_valid_id_number():
    assert ric.is_valid(ID_EXAMPLE)  # stdnum (incl. its area table) accepts it
    assert validate_id_number(ID_EXAMPLE) == ID_EXAMPLE
    assert id_number_validator(ID_EXAMPLE) is None


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        "110105 19491231 002x",
        "110105-19491231-002X",
        "1101051949\r\n1231002x",
    ],
)
def test_id_number_is_normalised(raw):
    assert validate_id_number(raw) == ID_EXAMPLE


def test_id_number_full_width():
    assert validate_id_number(full_width("11010519491231002x")) == ID_EXAMPLE


def test_id_number_wrong_check_character():
    error = error_of(validate_id_number, "110105194912310021")
    assert error.code == "id_number_checksum"
    assert error.params == {"expected": "X", "given": "1"}
    assert english(error) == (
        "The check character (18th) of the ID number should be X, not 1; "
        "please check the number for typos."
    )


@pytest.mark.parametrize("length", [17, 19])
def test_id_number_wrong_length(length):
    error = error_of(validate_id_number, (ID_EXAMPLE + "1")[:length])
    assert error.code == "id_number_length"
    assert error.params == {"count": length}
    assert english(error) == f"The ID number must be 18 characters long; you entered {length}."


def test_id_number_fifteen_digits():
    error = error_of(validate_id_number, "110105491231002")
    assert error.code == "id_number_legacy"


def test_id_number_non_digits_in_first_17():
    error = error_of(validate_id_number, "1101051949I2310O2X")
    assert error.code == "id_number_not_digits"
    assert error.params == {"chars": "I, O"}


def test_id_number_last_character():
    error = error_of(validate_id_number, "11010519491231002Y")
    assert error.code == "id_number_last_char"
    assert error.params == {"given": "Y"}


@pytest.mark.parametrize("birth", ["19490231", "20230229", "19901301", "19900100", "00000000"])
def test_id_number_impossible_birth_date(birth):
    value = with_id_check("110105" + birth + "002")  # check character right: only the date is wrong
    error = error_of(validate_id_number, value)
    assert error.code == "id_number_birth_date"
    assert error.params == {"birth": birth}
    assert english(error) == (
        f"The birth date {birth} in the ID number (digits 7 to 14) is not a valid date."
    )


def test_id_number_leap_day_is_fine():
    value = with_id_check("11010520000229002")
    assert validate_id_number(value) == value


def test_id_number_birth_date_in_the_future():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    birth = tomorrow.strftime("%Y%m%d")
    error = error_of(validate_id_number, with_id_check("110105" + birth + "002"))
    assert error.code == "id_number_birth_date_future"
    assert error.params == {"birth": birth}


@pytest.mark.parametrize("area", ["000000", "999999", "110199"])
def test_id_number_unknown_area(area):
    # 110199: 北京市 exists but county 0199 does not; stdnum 2.2's get_birth_place raises
    # KeyError('county') for such numbers, which must still come out as a ValidationError.
    value = with_id_check(area + "19900101001")
    error = error_of(validate_id_number, value)
    assert error.code == "id_number_area"
    assert error.params == {"area": area}
    assert english(error) == (
        f"The area code {area} in the ID number (first 6 digits) is not a known area."
    )


def test_id_number_area_created_after_the_birth_year():
    # 110112 通州区 dates from 1997; stdnum's get_birth_place rejects anyone born earlier, but
    # people got numbers with the new code after moving or on their first registration then.
    value = with_id_check("11011219600101001")
    assert not ric.is_valid(value)
    assert validate_id_number(value) == value


def test_id_number_gender_and_birth_date():
    assert id_number_gender(ID_EXAMPLE) == "female"
    assert id_number_gender("11010519491231002x") == "female"
    male = with_id_check("11010519491231001")
    assert id_number_gender(male) == "male"
    assert id_number_birth_date(ID_EXAMPLE) == datetime.date(1949, 12, 31)
    assert id_number_birth_date(male) == datetime.date(1949, 12, 31)


def test_id_number_helpers_reject_invalid_numbers():
    assert error_of(id_number_gender, "110105194912310021").code == "id_number_checksum"
    assert error_of(id_number_birth_date, "1101051949").code == "id_number_length"


# --- Organization code (GB 11714) -----------------------------------------------------------


# Hand computations, weights W = 3 7 9 10 5 8 4 2, letters A=10 … Z=35, C9 = 11 − (Σ mod 11):
#   D2143569: D=13·3=39, 2·7=14, 1·9=9, 4·10=40, 3·5=15, 5·8=40, 6·4=24, 9·2=18 → Σ=199;
#             199 mod 11 = 1; 11 − 1 = 10 → "X"                                 → D2143569-X
#   60003734: 6·3=18, 0, 0, 0, 3·5=15, 7·8=56, 3·4=12, 4·2=8 → Σ=109;
#             109 mod 11 = 10; 11 − 10 = 1 → "1"                                → 60003734-1
#             (the 9th–17th characters of the USCC 91110000600037341L)
#   12345678: 1·3=3, 2·7=14, 3·9=27, 4·10=40, 5·5=25, 6·8=48, 7·4=28, 8·2=16 → Σ=201;
#             201 mod 11 = 3; 11 − 3 = 8 → "8"                                  → 12345678-8
#   10000004: 1·3=3, 4·2=8 → Σ=11; 11 mod 11 = 0; 11 − 0 = 11 → "0"           → 10000004-0
@pytest.mark.parametrize(
    ("body", "check"),
    [("D2143569", "X"), ("60003734", "1"), ("12345678", "8"), ("10000004", "0")],
)
def test_org_code_check_digit_by_hand(body, check):
    assert org_code_check_digit(body) == check
    assert validate_org_code(f"{body}-{check}") == body + check
    assert org_code_validator(body + check) is None


def test_org_code_matches_uscc_example():
    assert validate_org_code(USCC_EXAMPLES[1][8:17]) == "600037341"


def test_org_code_normalised():
    assert validate_org_code(" ｄ２１４３５６９－ｘ\n") == "D2143569X"


def test_org_code_wrong_check_character():
    error = error_of(validate_org_code, "D2143569-1")
    assert error.code == "org_code_checksum"
    assert error.params == {"expected": "X", "given": "1"}
    assert english(error) == (
        "The check character (9th) of the organization code should be X, not 1; "
        "please check the code for typos."
    )


@pytest.mark.parametrize(("value", "count"), [("D2143569", 8), ("D2143569-X1", 10), ("", 0)])
def test_org_code_wrong_length(value, count):
    error = error_of(validate_org_code, value)
    assert error.code == "org_code_length"
    assert error.params == {"count": count}


def test_org_code_invalid_characters():
    error = error_of(validate_org_code, "D21#3569X")
    assert error.code == "org_code_invalid_characters"
    assert error.params == {"chars": "#"}


def test_org_code_check_character_must_be_digit_or_x():
    error = error_of(validate_org_code, "D2143569Y")
    assert error.code == "org_code_last_char"
    assert error.params == {"given": "Y"}


def test_org_code_check_digit_rejects_bad_bodies():
    with pytest.raises(ValueError):
        org_code_check_digit("D214356")


# --- Properties --------------------------------------------------------------------------------

VALIDATE_FUNCTIONS = [validate_uscc, validate_id_number, validate_org_code]


@given(body=st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_uscc_property_digits_completed_by_stdnum(body):
    code = with_uscc_check(body)
    try:
        result = validate_uscc(code)
    except ValidationError as error:
        assert error.code in {"uscc_department", "uscc_type"}  # the check character is right
    else:
        assert result == code


@given(body=st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_uscc_property_any_alphabet_completed_by_stdnum(body):
    code = with_uscc_check(body)
    try:
        result = validate_uscc(code)
    except ValidationError as error:
        assert error.code in {"uscc_prefix_not_digits", "uscc_department", "uscc_type"}
    else:
        assert result == code
        assert uscc.is_valid(code)


@given(
    prefix=st.sampled_from(["91", "92", "93", "51", "52", "53", "12"]),
    region=st.text(alphabet="0123456789", min_size=6, max_size=6),
    subject=st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
    data=st.data(),
)
def test_uscc_property_valid_codes_survive_formatting(prefix, region, subject, data):
    code = with_uscc_check(prefix + region + subject)
    assert validate_uscc(code) == code
    decorated = "".join(
        data.draw(st.sampled_from(["", " ", "-", "\u3000", "\n", "\u00a0"])) + ch for ch in code
    )
    if data.draw(st.booleans()):
        decorated = full_width(decorated)
    if data.draw(st.booleans()):
        decorated = decorated.lower()
    assert validate_uscc(decorated) == code


@given(body=st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_number_property_digits_completed_by_stdnum(body):
    number = with_id_check(body)
    try:
        result = validate_id_number(number)
    except ValidationError as error:
        assert error.code in {
            "id_number_birth_date",
            "id_number_birth_date_future",
            "id_number_area",
        }
    else:
        assert result == number


@given(
    area=st.sampled_from(KNOWN_AREAS),
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date.today()),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_id_number_property_real_dates_and_areas_are_accepted(area, birth, sequence):
    number = with_id_check(f"{area}{birth:%Y%m%d}{sequence:03d}")
    assert validate_id_number(number.lower()) == number
    assert id_number_birth_date(number) == birth
    assert id_number_gender(number) == ("male" if sequence % 2 else "female")


@given(body=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=8))
def test_org_code_property_completed_code_is_valid(body):
    code = body + org_code_check_digit(body)
    assert validate_org_code(code) == code
    wrong = next(c for c in "0123456789X" if c != code[-1])
    assert error_of(validate_org_code, body + wrong).code == "org_code_checksum"


@given(value=st.text())
def test_property_any_text_only_raises_validation_error(value):
    for validate in VALIDATE_FUNCTIONS:
        try:
            result = validate(value)
        except ValidationError:
            pass
        else:
            assert isinstance(result, str)


@given(value=st.text(alphabet=USCC_ALPHABET + "IOSVZx -\u3000", max_size=24))
def test_property_code_like_text_only_raises_validation_error(value):
    for validate in VALIDATE_FUNCTIONS:
        try:
            validate(value)
        except ValidationError as error:
            assert error.code  # every error says which part is wrong


@pytest.mark.parametrize("value", [None, 0, 110105194912310020, 1.5, b"91350100M000100Y43"])
def test_non_strings_only_raise_validation_error(value):
    for validate in VALIDATE_FUNCTIONS:
        with pytest.raises(ValidationError):
            validate(value)


# --- Translations ------------------------------------------------------------------------------

PO_FILE = Path(v.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def validator_msgids() -> list[str]:
    """The string literals passed to ``_()`` in validators.py."""
    tree = ast.parse(Path(v.__file__).read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


def read_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid → (msgstr, fuzzy) for the singular, context-free entries of a .po file."""
    entries: dict[str, tuple[str, bool]] = {}
    current: dict[str, str] = {}
    key = None
    fuzzy = False

    def flush():
        if "msgid" in current and "msgstr" in current and "msgctxt" not in current:
            entries[current["msgid"]] = (current["msgstr"], fuzzy)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line or line.startswith("#"):
            if current:
                flush()
                current, key, fuzzy = {}, None, False
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            if key is not None:
                current[key] += ast.literal_eval(line)
            continue
        key, _, rest = line.partition(" ")
        if key == "msgid" and "msgid" in current:  # entry without a blank line before it
            flush()
            current, fuzzy = {}, False
        current[key] = ast.literal_eval(rest)
    return entries


def test_every_message_has_a_chinese_translation_in_the_po_file():
    """Needs no compilemessages: reads django.po itself.

    Every msgid of validators.py has a Chinese msgstr, not fuzzy, with the same placeholders
    (a missing or misspelt %(name)s would crash or lose the detail when the message renders).
    """
    msgids = validator_msgids()
    assert len(msgids) >= 15
    entries = read_po(PO_FILE)
    assert "Plural-Forms: nplurals=1; plural=0;" in entries[""][0]
    for msgid in msgids:
        assert msgid in entries, f"missing from {PO_FILE}: {msgid!r}"
        msgstr, fuzzy = entries[msgid]
        assert msgstr and not fuzzy, msgid
        assert CJK.search(msgstr), msgid
        assert set(PLACEHOLDER.findall(msgstr)) == set(PLACEHOLDER.findall(msgid)), msgid


@pytest.mark.skipif(
    not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime,
    reason="core's zh_Hans catalogue is not compiled (run compilemessages)",
)
def test_messages_render_in_chinese():
    error = error_of(validate_id_number, with_id_check("11010520230231001"))
    with override("zh-hans"):
        message = error.messages[0]
    assert "20230231" in message
    assert "出生日期" in message
    with override("zh-hans"):
        message = error_of(validate_uscc, "91350100M000100Y44").messages[0]
    assert "统一社会信用代码" in message
    assert "3" in message and "4" in message
