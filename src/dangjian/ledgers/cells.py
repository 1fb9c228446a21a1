"""Turning what people type into Excel/WPS cells into clean values, or a Chinese explanation.

Every parser takes the raw value python-calamine (or the csv reader) gave — ``str``, ``float``,
``int``, ``bool``, ``datetime.date``/``datetime.datetime``/``datetime.time`` or ``""`` — and
returns the clean value, or raises :class:`CellError` whose message the user sees in the error
workbook's comment. Nothing here touches the database.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core.exports import ESCAPE, unescape_cell
from dangjian.core.money import parse_yuan
from dangjian.core.validators import normalize_code, validate_id_number, validate_uscc

EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel serial numbers that are plausible dates in a ledger: 1900-01-01 .. 2099-12-31.
SERIAL_MIN, SERIAL_MAX = 1, 73415

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?E[+-]?\d+$", re.IGNORECASE)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
TRUE_WORDS = frozenset(["是", "√", "✓", "✔", "☑", "y", "yes", "true", "1", "对", "有", "t"])
FALSE_WORDS = frozenset(["否", "×", "✗", "✘", "☐", "n", "no", "false", "0", "无", "不是", "f"])


class CellError(Exception):
    """A cell that cannot be read; ``str(exc)`` is the Chinese message for the user."""


def is_blank(value) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    if value and not value[0].isspace() and value[0] not in "\u200b\ufeff":
        return False  # fast path: a cell that starts with something visible
    return not _SPACES.sub("", value)


def _plain(value: str) -> bool:
    """Whether a str cell has nothing for :data:`_SPACES` to change: every character printable
    and no space. (Line breaks, tabs, U+3000, NBSP, zero-width spaces and BOMs are all
    non-printable; so this is a C-speed test that skips the regular expression.)"""
    return value.isprintable() and " " not in value


def text(value) -> str:
    """A text cell: line breaks and runs of spaces become one space, ends trimmed.

    Numbers that Excel stored for a text column come back without a trailing ``.0``; text
    the exports neutralised (``'=…``, see ``core.exports.safe_cell``) comes back as it was.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else value
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, str):
        return str(value)
    if value[:1] == ESCAPE:
        value = unescape_cell(value)
    if _plain(value):
        return value
    return _SPACES.sub(" ", value).strip()


def compact(value) -> str:
    """Text with every space and line break removed (names of people and units)."""
    if isinstance(value, str) and _plain(value) and value[:1] != ESCAPE:
        return value
    return _SPACES.sub("", text(value))


def halfwidth(value) -> str:
    return unicodedata.normalize("NFKC", text(value))


def date(value) -> datetime.date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("This is not a date."))
    if isinstance(value, int | float):
        return _from_serial(value)
    raw = _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))
    if re.fullmatch(r"\d+(\.0+)?", raw) and len(raw.split(".")[0]) <= 5:
        return _from_serial(float(raw))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise CellError(
                    _("%(value)s is not a real calendar date.") % {"value": value}
                ) from None
    raise CellError(
        _(
            "%(value)s is not a date we can read; write it like 2019-06-28, 2019年6月28日 "
            "or 2019.6.28."
        )
        % {"value": value}
    )


_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})[./\-](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]


def month(value) -> datetime.date | None:
    """A month (``2026-03``, ``2026年3月``, ``2026.3``, ``202603``, or any date in it, as Excel
    stores a month it recognised) as its first day."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    raw = _SPACES.sub("", unicodedata.normalize("NFKC", text(value)))
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, number = (int(g) for g in match.groups())
            if 1 <= number <= 12 and year >= 1921:
                return datetime.date(year, number, 1)
    try:
        day = date(value)
    except CellError:
        day = None
    if day is not None:
        return day.replace(day=1)
    raise CellError(
        _("%(value)s is not a month we can read; write it like 2026-03 or 2026年3月.")
        % {"value": value}
    )


def money(value) -> int | None:
    """An amount in 元 (a number, or text such as ``30.50`` or ``￥30``) as integer fen;
    negative, non-numeric and three-decimal amounts refused (``core.money.parse_yuan``)."""
    if is_blank(value):
        return None
    try:
        return parse_yuan(value)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from None


def _from_serial(number: float) -> datetime.date:
    if not (SERIAL_MIN <= number <= SERIAL_MAX) or number != int(number):
        raise CellError(
            _("%(value)s is not a date; write it like 2019-06-28.") % {"value": text(number)}
        )
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def boolean(value) -> bool:
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = compact(unicodedata.normalize("NFKC", text(value))).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(
        _("Write 是 or 否 (or ✓ / leave empty) here, not %(value)s.") % {"value": value}
    )


def integer(value) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("This must be a whole number."))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    raw = compact(unicodedata.normalize("NFKC", text(value))).rstrip("人名个")
    if re.fullmatch(r"\d+(\.0+)?", raw):
        return int(raw.split(".")[0])
    raise CellError(_("%(value)s is not a whole number.") % {"value": value})


def _scientific(value) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, str):
        return bool(_SCIENTIFIC.match(compact(unicodedata.normalize("NFKC", value))))
    return False


# An ID number typed cleanly as text (almost every cell): no space, sign, "E" or "*" to look for.
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9Xx]", re.ASCII)


def id_number(value) -> str:
    if value.__class__ is str and _PLAIN_ID.fullmatch(value):
        try:
            return validate_id_number(value)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from None
    if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) == 18:
        value = str(value)
    if _scientific(value) or (isinstance(value, int) and not isinstance(value, bool)):
        raise CellError(
            _(
                "Excel turned this ID number into a number (%(value)s) and lost its last digits. "
                "Set the column's format to Text, type the number again and re-upload; we do not "
                "guess the missing digits."
            )
            % {"value": _excel_display(value)}
        )
    raw = text(value)
    if "*" in raw:
        raise CellError(_("This ID number is masked with *; type the full number to import it."))
    try:
        return validate_id_number(raw)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from None


def _excel_display(value) -> str:
    if isinstance(value, float | int):
        return f"{float(value):.5E}".replace(".00000E", "E")
    return compact(unicodedata.normalize("NFKC", text(value))).upper()


def uscc(value) -> str:
    if isinstance(value, float):
        raise CellError(
            _("Excel turned this credit code into a number; set the column to Text and retype it.")
        )
    try:
        return validate_uscc(text(value))
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from None


_MASKED_PHONE = re.compile(r"[0-9]{3}\*{1,13}[0-9]{4}", re.ASCII)


def phone(value) -> str:
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("This phone number was turned into a number by Excel."))
        value = str(int(value))
    raw = normalize_code(value)
    if raw.startswith("+86"):
        raw = raw[3:]
    if _MASKED_PHONE.fullmatch(raw):
        return raw  # as a masked export shows it: the handler compares it with the stored one
    if not re.fullmatch(r"[0-9]{5,20}", raw):
        raise CellError(_("%(value)s is not a phone number.") % {"value": value})
    return raw


def choice(value, labels: dict[str, str]) -> str:
    """``labels`` maps every accepted spelling (already compacted) to the stored code."""
    key = compact(value)
    folded = unicodedata.normalize("NFKC", key).lower()
    for candidate in (key, folded):
        if candidate in labels:
            return labels[candidate]
    raise CellError(
        _("%(value)s is not one of the allowed values: %(allowed)s.")
        % {"value": value, "allowed": "、".join(_display_labels(labels))}
    )


def _display_labels(labels: dict[str, str]) -> list[str]:
    """The first spelling of each code (the Chinese label, as the drop-down shows it)."""
    seen, shown = set(), []
    for spelling, code in labels.items():
        if code not in seen:
            seen.add(code)
            shown.append(spelling)
    return shown
