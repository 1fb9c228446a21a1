"""The amount due: the rulebook's rates and fixed amounts (``dues.amounts``) applied to what a
member declared. The one definition; the assessment, the pages and the import call it.

* Employed, salaried and self-employed members (and retirees, with their own bands) pay a rate
  on their WHOLE monthly base — a step function, not progressive: 3000.00 元 pays 0.5 % =
  15.00 元, 3000.01 元 pays 1 % = 30.00 元. A band's upper bound is inclusive.
* Farmers pay the fixed amount set for them within the rulebook's range (0.20–1.00 元);
  students, the unemployed and members living on relief pay the fixed 0.20 元.
* A reduction or exemption approved by the higher organization replaces the amount for its months.
* Rounding: base × rate, rounded half up to the fen (``core.money.round_half_up``), the
  system's one rounding rule — 1001.00 元 × 0.5 % = 5.005 元 → 5.01 元.
"""

from __future__ import annotations

import bisect
import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core.money import round_half_up, yuan
from dangjian.dues.models import BASE_CATEGORIES, Category
from dangjian.rulebook import params

RULE = "dues.amounts"
BASIS_POINTS = 10_000  # a rate of 50 basis points is 0.5 %

Band = tuple[int | None, int]  # (upper bound in fen, inclusive; None for the top band), rate


@dataclass(frozen=True)
class Rates:
    """The rulebook's numbers in force on a day (for a federation)."""

    employed: tuple[Band, ...]
    retired: tuple[Band, ...]
    fixed: dict[str, int]
    rural_min_fen: int
    rural_max_fen: int


def rates(day: datetime.date, federation: Any = None) -> Rates:
    def value(name: str) -> Any:
        return params.value(RULE, name, day=day, federation=federation)

    return Rates(
        employed=tuple((b[0], b[1]) for b in value("employed_bands")),
        retired=tuple((b[0], b[1]) for b in value("retired_bands")),
        fixed=dict(value("fixed_fen")),
        rural_min_fen=value("rural_min_fen"),
        rural_max_fen=value("rural_max_fen"),
    )


def local(name: str, day: datetime.date, federation: Any = None) -> int:
    """A local parameter of the dues rule (``back_payment_max_months``, ``advance_max_months``)."""
    return int(params.value(RULE, name, day=day, federation=federation))


def rate_bp(bands: tuple[Band, ...], base_fen: int) -> int:
    """The rate of the band the whole base falls in (upper bounds inclusive)."""
    uppers, rates_ = _bounds(bands)
    return rates_[bisect.bisect_left(uppers, base_fen)]


@functools.lru_cache(maxsize=64)
def _bounds(bands: tuple[Band, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The bands' upper bounds (the open one left out) and rates, for a binary search."""
    if not bands or bands[-1][0] is not None:
        raise ValueError("the rulebook's bands must end with an open band")
    return tuple(u for u, _ in bands[:-1] if u is not None), tuple(r for _, r in bands)


def percent(rate: int | None) -> str:
    """A rate in basis points as people write it: 50 → "0.5%", 150 → "1.5%"."""
    if rate is None:
        return ""
    whole, rest = divmod(rate, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"


class Standard(NamedTuple):
    """A month's standard amount (before any reduction) and how it was reached."""

    fen: int
    rate_bp: int | None = None  # for the categories paying a rate on their base


Calculator = Callable[[str, int | None, int | None], Standard]


def calculator(r: Rates) -> Calculator:
    """``standard`` under the rates ``r`` as one function, its bands looked up once (the
    assessment calls it a million times a month: the categories are looked up in a dict of
    plain strings, half the time of comparing with the enum's members one by one)."""
    banded = {
        Category.EMPLOYED.value: _bounds(r.employed),
        Category.RETIRED.value: _bounds(r.retired),
    }
    rural, rural_default, fixed = Category.RURAL.value, r.rural_min_fen, r.fixed
    search = bisect.bisect_left

    def amount(category: str, base_fen: int | None, fixed_fen: int | None) -> Standard:
        bands = banded.get(category)
        if bands is not None:
            uppers, rates_ = bands
            base = base_fen or 0
            rate = rates_[search(uppers, base)]
            return Standard(round_half_up(base * rate, BASIS_POINTS), rate)
        if category == rural:
            return Standard(fixed_fen if fixed_fen is not None else rural_default)
        return Standard(fixed[category])

    return amount


def standard(category: str, base_fen: int | None, fixed_fen: int | None, r: Rates) -> Standard:
    """The monthly amount of a declaration under the rates ``r``."""
    return calculator(r)(category, base_fen, fixed_fen)


def after_relief(standard_fen: int, kind: str | None, monthly_fen: int | None) -> int:
    """What is due once an approved reduction or exemption applies."""
    if kind == "exempt":
        return 0
    if kind == "reduced" and monthly_fen is not None:
        return min(monthly_fen, standard_fen)
    return standard_fen


def check_declaration(category: str, base_fen: int | None, fixed_fen: int | None, r: Rates) -> None:
    """A declaration the rates can turn into an amount, or a Chinese refusal."""
    if category not in Category.values:
        raise ValidationError(_("Choose the member's dues category."))
    if category in BASE_CATEGORIES and base_fen is None:
        raise ValidationError(_("Enter the monthly base (after-tax regular pay) in yuan."))
    if category == Category.RURAL:
        if fixed_fen is None:
            raise ValidationError(_("Enter the monthly amount set for this farmer member."))
        if not r.rural_min_fen <= fixed_fen <= r.rural_max_fen:
            raise ValidationError(
                _("A farmer member pays between %(low)s and %(high)s yuan a month.")
                % {"low": yuan(r.rural_min_fen), "high": yuan(r.rural_max_fen)}
            )
