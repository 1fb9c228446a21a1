"""The amount due: whole-base bands (upper bound inclusive), retirees' bands, fixed amounts,
reductions, and the one rounding rule — every figure computed by hand."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.dues import amounts
from dangjian.dues.models import Category

D = datetime.date
RATES = amounts.rates(D(2026, 1, 1))


def due(category, yuan=None, fixed_fen=None):
    base = None if yuan is None else round(yuan * 100)
    return amounts.standard(category, base, fixed_fen, RATES).fen


@pytest.mark.parametrize(
    ("base", "expected_fen"),
    [
        (3000.00, 1500),  # ≤ 3000 元: 0.5 % of the whole base
        (3000.01, 3000),  # just above: 1 % of the WHOLE base (30.0001 → 30.00), not progressive
        (5000.00, 5000),  # ≤ 5000 元: 1 %
        (5000.01, 7500),  # 1.5 % of 5000.01 = 75.00015 → 75.00
        (10000.00, 15000),  # ≤ 10000 元: 1.5 %
        (10000.01, 20000),  # 2 % of 10000.01 = 200.0002 → 200.00
        (0.00, 0),
        (2500.00, 1250),
    ],
)
def test_employed_bands_at_their_boundaries(base, expected_fen):
    assert due(Category.EMPLOYED, base) == expected_fen


@pytest.mark.parametrize(
    ("base", "expected_fen"),
    [(5000.00, 2500), (5000.01, 5000), (3000.01, 1500), (8000.00, 8000)],
)
def test_retirees_bands(base, expected_fen):
    # Retirees: ≤ 5000 元 0.5 %, above 1 % — 3000.01 stays at 0.5 % (15.00 元).
    assert due(Category.RETIRED, base) == expected_fen


def test_rounding_is_half_up_to_the_fen():
    # 1001.00 元 × 0.5 % = 5.005 元: half a fen goes up (5.01), not to the even fen (5.00).
    assert due(Category.EMPLOYED, 1001.00) == 501
    # 1234.50 × 0.5 % = 6.1725 → 6.17; 1234.70 × 0.5 % = 6.1735 → 6.17; 1235.00 → 6.175 → 6.18
    assert due(Category.EMPLOYED, 1234.50) == 617
    assert due(Category.EMPLOYED, 1234.70) == 617
    assert due(Category.EMPLOYED, 1235.00) == 618
    # 4321.50 × 1 % = 43.215 → 43.22
    assert due(Category.EMPLOYED, 4321.50) == 4322


def test_fixed_amounts():
    assert due(Category.STUDENT) == 20
    assert due(Category.UNEMPLOYED) == 20
    assert due(Category.RELIEF) == 20
    assert due(Category.RURAL, fixed_fen=50) == 50


def test_reduction_and_exemption():
    assert amounts.after_relief(3000, "exempt", None) == 0
    assert amounts.after_relief(3000, "reduced", 1000) == 1000
    assert amounts.after_relief(3000, "reduced", 5000) == 3000  # never more than the standard
    assert amounts.after_relief(3000, None, None) == 3000


@pytest.mark.parametrize("fixed", [19, 101])
def test_a_farmers_amount_outside_the_range_is_refused(fixed):
    with pytest.raises(ValidationError) as caught:
        amounts.check_declaration(Category.RURAL, None, fixed, RATES)
    assert "0.20" in caught.value.messages[0] and "1.00" in caught.value.messages[0]


def test_rates_as_people_write_them():
    assert [amounts.percent(r) for r in (50, 100, 150, 200)] == ["0.5%", "1%", "1.5%", "2%"]


def test_the_rates_are_national_and_the_limits_local():
    from dangjian.rulebook import loader

    national = loader.load().national("dues.amounts")
    assert {
        "employed_bands",
        "retired_bands",
        "fixed_fen",
        "rural_min_fen",
        "rural_max_fen",
    } <= national
    assert "back_payment_max_months" not in national
    assert "months" in loader.load().national("dues.arrears")
