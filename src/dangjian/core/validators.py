"""Validators for Chinese identifiers: USCC (GB 32100), resident ID number (GB 11643), organization
code (GB 11714).

The USCC's check digit comes from python-stdnum (``stdnum.cn.uscc``), and so does the ID number's
area-code table (GB/T 2260, ``stdnum.numdb``). The ID number's check character and birth date are
computed here (the same arithmetic as ``stdnum.cn.ric``, without its per-character clean-up: a
ledger import validates 100,000 numbers), and so is the organization code's check digit, which
stdnum does not know.

Every ``validate_*`` function normalises its input (see :func:`normalize_code`), returns the
normalised value and raises :class:`~django.core.exceptions.ValidationError` naming the part that
is wrong (length, letters, birth date, area code, check digit …). Messages are English msgids
translated to Simplified Chinese in ``core/locale/zh_Hans``. Nothing here touches the database.

The ``*_validator`` callables are for ``validators=[...]`` on model and form fields. They do not
change the value, so forms should still store ``normalize_*``/``validate_*``'s result.
"""

from __future__ import annotations

import datetime
import functools
import re
import string
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

__all__ = [
    "EARLIEST_DATE",
    "PARTY_FOUNDED",
    "TEXT_MAX_LENGTH",
    "NotBefore",
    "not_before",
    "not_before_founding",
    "not_in_future",
    "party_date",
    "text_max_length",
    "id_number_birth_date",
    "id_number_check_character",
    "id_number_gender",
    "id_number_validator",
    "normalize_code",
    "normalize_id_number",
    "normalize_org_code",
    "normalize_uscc",
    "org_code_check_digit",
    "org_code_validator",
    "uscc_validator",
    "validate_id_number",
    "validate_org_code",
    "validate_uscc",
]

# Hyphen-like characters people paste as separators (NFKC already maps the full-width "－" to "-").
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_ALNUM = frozenset(string.digits + string.ascii_uppercase)
_DIGITS = frozenset(string.digits)


def _join(chars: Iterable[str]) -> str:
    """The distinct characters of ``chars`` in order of appearance, for an error message."""
    return ", ".join(dict.fromkeys(chars))


def normalize_code(value: str) -> str:
    """Canonical form of a typed or pasted code: half-width, no spaces or dashes, upper case.

    Full-width characters become half-width (NFKC), all whitespace (including the ideographic
    space U+3000, NBSP and line breaks), invisible format characters (zero-width space, BOM) and
    dash separators are removed, and letters are upper-cased (``x`` → ``X``). ``None`` becomes
    ``""``; other non-strings (numbers from a spreadsheet cell) are converted with ``str``.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if value.isascii() and value.isalnum():
        # Fast path (almost every cell of a ledger): ASCII letters and digits only, so NFKC is
        # the identity and there is no space, dash or format character to remove.
        return value.upper()
    value = unicodedata.normalize("NFKC", value)
    return "".join(
        ch
        for ch in value
        if not ch.isspace() and ch not in _DASHES and unicodedata.category(ch) != "Cf"
    ).upper()


# ---------------------------------------------------------------------------------------------
# Unified social credit code (统一社会信用代码), GB 32100-2015
# ---------------------------------------------------------------------------------------------

USCC_FORBIDDEN_LETTERS = "IOSVZ"

# GB 32100-2015 table: registering department (1st character) → organization types (2nd).
# A (军委改革和编制办公室), N (农业) and Y (其他) exist in the standard, but stdnum (and so this
# module) requires the first 8 characters to be digits, so they are never reached.
USCC_TYPES_BY_DEPARTMENT = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游: 外国/港澳台旅游部门常驻代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
}


def normalize_uscc(value: str) -> str:
    return normalize_code(value)


def validate_uscc(value: str) -> str:
    """Check a unified social credit code and return it normalised, e.g. ``91350100M000100Y43``."""
    number = normalize_uscc(value)
    if len(number) != 18:
        raise ValidationError(
            _("The unified social credit code must be 18 characters long; you entered %(count)d."),
            code="uscc_length",
            params={"count": len(number)},
        )
    invalid = [ch for ch in number if ch not in _ALNUM]
    if invalid:
        raise ValidationError(
            _(
                "The unified social credit code may only contain digits and capital letters; "
                "it contains %(chars)s."
            ),
            code="uscc_invalid_characters",
            params={"chars": _join(invalid)},
        )
    forbidden = [ch for ch in number if ch in USCC_FORBIDDEN_LETTERS]
    if forbidden:
        raise ValidationError(
            _(
                "The unified social credit code never uses the letters I, O, S, V or Z; "
                "it contains %(letters)s."
            ),
            code="uscc_forbidden_letters",
            params={"letters": _join(forbidden)},
        )
    if not all(ch in _DIGITS for ch in number[:8]):
        raise ValidationError(
            _(
                "The first 8 characters of the unified social credit code (registering "
                "department, organization type and region code) must be digits; "
                "%(prefix)s is not."
            ),
            code="uscc_prefix_not_digits",
            params={"prefix": number[:8]},
        )
    department, org_type = number[0], number[1]
    if department not in USCC_TYPES_BY_DEPARTMENT:
        raise ValidationError(
            _(
                "The 1st character of the unified social credit code, %(department)s, is not a "
                "registering department code."
            ),
            code="uscc_department",
            params={"department": department},
        )
    if org_type not in USCC_TYPES_BY_DEPARTMENT[department]:
        raise ValidationError(
            _(
                "The 2nd character of the unified social credit code, %(type)s, is not an "
                "organization type of registering department %(department)s."
            ),
            code="uscc_type",
            params={"type": org_type, "department": department},
        )
    expected = uscc.calc_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _(
                "The check character (18th) of the unified social credit code should be "
                "%(expected)s, not %(given)s; please check the code for typos."
            ),
            code="uscc_checksum",
            params={"expected": expected, "given": number[17]},
        )
    try:  # Everything stdnum checks was checked above; this only guards against drift.
        return uscc.validate(number)
    except StdnumError as exc:
        raise ValidationError(
            _("The unified social credit code is invalid."), code="uscc_invalid"
        ) from exc


def uscc_validator(value: str) -> None:
    """For ``validators=[uscc_validator]`` on model and form fields."""
    validate_uscc(value)


# ---------------------------------------------------------------------------------------------
# Resident ID number (公民身份号码), GB 11643-1999
# ---------------------------------------------------------------------------------------------


def normalize_id_number(value: str) -> str:
    return normalize_code(value)


@functools.lru_cache(maxsize=4096)  # ~3,500 area codes; the lookup dominated imports
def _area_code_known(area: str) -> bool:
    """Whether stdnum's table (GB/T 2260, with history) has had this 6-digit code at any time.

    Deliberately not ``ric.get_birth_place``: that also requires the county to have existed in
    the birth year, which rejects real numbers issued after a birth (people who first got a
    number, or a new one after moving, under a county code created later). It also raises
    ``KeyError`` for a known province with an unknown county (stdnum 2.2).
    """
    return any("county" in props for _part, props in numdb.get("cn/loc").info(area))


# An 18-character number as it should be: 17 ASCII digits and a digit or X (after normalising).
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_ID_CHECK_CHARACTERS = "10X98765432"  # indexed by Σ(digit × weight) mod 11


def id_number_check_character(body17: str) -> str:
    """GB 11643's check character of the first 17 digits of an ID number.

    The weights are Wi = 2^(17−i) mod 11 (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) and the check
    character is ``"10X98765432"[Σ ai·Wi mod 11]``. Since 2·13^(16−i) ≡ 2^(17−i) (mod 11),
    Σ ai·Wi ≡ 2·int(body17, 13), which ``int`` computes in C: one call instead of 17 steps.
    """
    return _ID_CHECK_CHARACTERS[2 * int(body17, 13) % 11]


@functools.lru_cache(maxsize=65_536)  # digits 7–14 repeat across a ledger (~36,500 days a century)
def _id_birth_date(birth: str) -> datetime.date | None:
    try:
        return datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        return None


def validate_id_number(value: str) -> str:
    """Check an 18-digit resident ID number and return it normalised (``x`` → ``X``).

    In this order, naming the first problem found: 15-digit legacy number, length, non-digits,
    last character, birth date (a real date, not in the future), area code (known to GB/T 2260
    at some time), check character.
    """
    number = normalize_id_number(value)
    if _ID_SHAPE.fullmatch(number) is None:
        _id_number_shape_error(number)
    birth = number[6:14]
    birth_date = _id_birth_date(birth)
    if birth_date is None:
        raise ValidationError(
            _("The birth date %(birth)s in the ID number (digits 7 to 14) is not a valid date."),
            code="id_number_birth_date",
            params={"birth": birth},
        )
    if birth_date > datetime.date.today():
        raise ValidationError(
            _("The birth date %(birth)s in the ID number (digits 7 to 14) is in the future."),
            code="id_number_birth_date_future",
            params={"birth": birth},
        )
    area = number[:6]
    if not _area_code_known(area):
        raise ValidationError(
            _("The area code %(area)s in the ID number (first 6 digits) is not a known area."),
            code="id_number_area",
            params={"area": area},
        )
    expected = id_number_check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _(
                "The check character (18th) of the ID number should be %(expected)s, not "
                "%(given)s; please check the number for typos."
            ),
            code="id_number_checksum",
            params={"expected": expected, "given": number[17]},
        )
    return number


def _id_number_shape_error(number: str) -> None:
    """Raise the error for a normalised number that is not 17 digits and a digit or X."""
    if len(number) == 15 and all(ch in _DIGITS for ch in number):
        raise ValidationError(
            _(
                "15-digit ID numbers of the first generation are no longer used; please enter "
                "the 18-character ID number."
            ),
            code="id_number_legacy",
            params={"count": 15},
        )
    if len(number) != 18:
        raise ValidationError(
            _("The ID number must be 18 characters long; you entered %(count)d."),
            code="id_number_length",
            params={"count": len(number)},
        )
    invalid = [ch for ch in number[:17] if ch not in _DIGITS]
    if invalid:
        raise ValidationError(
            _("The first 17 characters of the ID number must be digits; it contains %(chars)s."),
            code="id_number_not_digits",
            params={"chars": _join(invalid)},
        )
    raise ValidationError(
        _("The last character of the ID number must be a digit or X, not %(given)s."),
        code="id_number_last_char",
        params={"given": number[17]},
    )


def id_number_validator(value: str) -> None:
    """For ``validators=[id_number_validator]`` on model and form fields."""
    validate_id_number(value)


def id_number_birth_date(value: str) -> datetime.date:
    """Birth date (digits 7 to 14) of a valid ID number; ``ValidationError`` if it is invalid."""
    born = _id_birth_date(validate_id_number(value)[6:14])
    if born is None:  # not reached: validate_id_number has checked the date
        raise ValueError("ID number without a valid birth date")
    return born


def id_number_gender(value: str) -> str:
    """``"male"`` if the 17th digit is odd, ``"female"`` if even; ``ValidationError`` if invalid."""
    return "male" if int(validate_id_number(value)[16]) % 2 else "female"


# ---------------------------------------------------------------------------------------------
# Organization code (组织机构代码), GB 11714-1997 — not in stdnum
# ---------------------------------------------------------------------------------------------

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalize_org_code(value: str) -> str:
    return normalize_code(value)


def org_code_check_digit(body: str) -> str:
    """Check character of an 8-character organization code body (digits and capital letters).

    C9 = 11 − (Σ Ci·Wi mod 11) with W = 3 7 9 10 5 8 4 2, digits worth 0–9 and letters
    A–Z worth 10–35; 10 is written X and 11 is written 0.
    """
    if len(body) != 8 or any(ch not in _ALNUM for ch in body):
        raise ValueError(f"an organization code body is 8 digits or capital letters: {body!r}")
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_org_code(value: str) -> str:
    """Check an organization code and return it normalised without the dash (``D2143569X``)."""
    code = normalize_org_code(value)
    if len(code) != 9:
        raise ValidationError(
            _(
                "The organization code must be 9 characters long (8 plus a check character); "
                "you entered %(count)d."
            ),
            code="org_code_length",
            params={"count": len(code)},
        )
    invalid = [ch for ch in code[:8] if ch not in _ALNUM]
    if invalid:
        raise ValidationError(
            _(
                "The first 8 characters of the organization code must be digits or capital "
                "letters; it contains %(chars)s."
            ),
            code="org_code_invalid_characters",
            params={"chars": _join(invalid)},
        )
    if code[8] not in _DIGITS and code[8] != "X":
        raise ValidationError(
            _(
                "The check character (9th) of the organization code must be a digit or X, "
                "not %(given)s."
            ),
            code="org_code_last_char",
            params={"given": code[8]},
        )
    expected = org_code_check_digit(code[:8])
    if code[8] != expected:
        raise ValidationError(
            _(
                "The check character (9th) of the organization code should be %(expected)s, "
                "not %(given)s; please check the code for typos."
            ),
            code="org_code_checksum",
            params={"expected": expected, "given": code[8]},
        )
    return code


def org_code_validator(value: str) -> None:
    """For ``validators=[org_code_validator]`` on model and form fields."""
    validate_org_code(value)


# -- input bounds (issue 11): one home for the limits every form applies --------------------------
#: The longest free text any form takes (notes, findings, replies …): a few pages, never megabytes.
TEXT_MAX_LENGTH = 5000
#: No date the system records lies before this (a typo such as 1800 or 0202 is refused).
EARLIEST_DATE = datetime.date(1900, 1, 1)
#: The Communist Party of China's founding: no party date lies before it.
PARTY_FOUNDED = datetime.date(1921, 7, 1)


def text_max_length(limit: int = TEXT_MAX_LENGTH) -> MaxLengthValidator:
    """The free-text bound with its Chinese message (Django's own names the count only)."""
    return MaxLengthValidator(
        limit, message=_("At most %(limit_value)d characters (this text has %(show_value)d).")
    )


@deconstructible
class NotBefore:
    """Refuses a date before ``earliest``; the message names the earliest date allowed."""

    def __init__(self, earliest: datetime.date, message: Any = None) -> None:
        self.earliest = earliest
        self.message = message

    def __call__(self, value: datetime.date | None) -> None:
        if value is None:
            return
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day < self.earliest:
            raise ValidationError(
                self.message or _("The date cannot be before %(earliest)s."),
                code="too_early",
                params={"earliest": self.earliest.isoformat()},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NotBefore) and (self.earliest, self.message) == (
            other.earliest,
            other.message,
        )


def not_before(earliest: datetime.date, message: Any = None) -> NotBefore:
    return NotBefore(earliest, message)


def not_in_future(value: datetime.date | None) -> None:
    """For facts in the past (a visit, a party date): nothing after today (local time)."""
    from django.utils import timezone

    if value is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")


def not_before_founding(value: datetime.date | None, founded_on: datetime.date | None) -> None:
    """For a unit's facts (a visit, an inspection): nothing before the unit was founded."""
    if value is not None and founded_on is not None and value < founded_on:
        raise ValidationError(
            _("The date cannot be before the unit was founded (%(founded)s)."),
            code="before_founding",
            params={"founded": founded_on.isoformat()},
        )


#: A party date (joining, full membership, founding of a party organization).
party_date = not_before(PARTY_FOUNDED, _("A party date cannot be before 1921-07-01."))
