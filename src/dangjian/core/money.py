"""Money: integer fen (分) everywhere, one rounding rule, and 元 as people write them.

Amounts are stored, added and compared as integers of fen: no float ever holds money, and no
Decimal leaves this module. The one rounding rule of the system is :func:`round_half_up`: a
fraction of a fen of one half or more goes up, less goes down (四舍五入到分). Dues are
``base × rate`` rounded that way (``dues.amounts``).
"""

from __future__ import annotations

import decimal
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FEN_PER_YUAN = 100
# Larger than any amount a branch handles (10 million 元): a typo of extra digits is refused.
MAX_FEN = 10_000_000 * FEN_PER_YUAN

_STRIP = re.compile(r"[\s,，¥￥]|元$|人民币")


def round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` to the nearest whole number, a half going away from zero.

    The one rounding rule for money: 500.5 fen → 501 fen; 500.4999 fen → 500 fen. Integer
    arithmetic only, so the result is the same on every machine and in SQL
    (``(n * 2 + d) / (d * 2)`` for non-negative values)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator >= 0:  # every amount due: the same rule in one expression (a million a month)
        return (2 * numerator + denominator) // (2 * denominator)
    quotient, remainder = divmod(-numerator, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return -quotient


def parse_yuan(value: object) -> int:
    """An amount of 元 as typed (``30``, ``30.5``, ``30.00``, ``￥1,234.50``, ``30元``, full-width
    digits) → fen. Refused, with a message in Chinese: empty, not a number, negative, more than
    two decimals (a fen is the smallest unit), or implausibly large."""
    if isinstance(value, bool):
        raise ValidationError(_("Enter an amount in yuan, such as 30 or 30.50."))
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        # A spreadsheet's number: its shortest decimal text (0.1 + 0.2 is never typed).
        text = repr(value)
    else:
        text = _STRIP.sub("", unicodedata.normalize("NFKC", str(value or "")))
    if not text:
        raise ValidationError(_("Enter an amount in yuan, such as 30 or 30.50."))
    try:
        amount = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise ValidationError(
            _("“%(value)s” is not an amount; enter a number of yuan, such as 30 or 30.50.")
            % {"value": value}
        ) from None
    if not amount.is_finite():
        raise ValidationError(_("Enter an amount in yuan, such as 30 or 30.50."))
    if amount < 0:
        raise ValidationError(_("An amount cannot be negative."))
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError(
            _("“%(value)s” has more than two decimals; amounts are in yuan and fen (e.g. 30.05).")
            % {"value": value}
        )
    fen = int(amount * FEN_PER_YUAN)
    if fen > MAX_FEN:
        raise ValidationError(_("This amount is too large; check the number of digits."))
    return fen


def yuan(fen: int | None) -> str:
    """Fen as 元 with two decimals (``3000`` → ``"30.00"``); empty for no amount."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"
