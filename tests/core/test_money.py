"""Money in integer fen: the one rounding rule and 元 as people type them."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.money import parse_yuan, round_half_up, yuan


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (5_005_000, 10_000, 501),  # 500.5 fen: a half goes up (a banker's rounding gives 500)
        (5_004_999, 10_000, 500),  # 500.4999 fen: down
        (6_172_500, 10_000, 617),  # 1234.50 元 × 0.5 % = 6.1725 元 → 6.17
        (15, 10, 2),
        (14, 10, 1),
        (0, 7, 0),
        (-15, 10, -2),  # away from zero on both sides
    ],
)
def test_round_half_up(numerator, denominator, expected):
    assert round_half_up(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("30", 3000),
        ("30.5", 3050),
        ("30.50", 3050),
        ("0.2", 20),
        ("￥1,234.50", 123450),
        ("30元", 3000),
        ("３０．０５", 3005),  # full-width, as a Chinese input method types it
        (" 15.00 ", 1500),
        (30, 3000),
        (30.05, 3005),  # a spreadsheet's number
    ],
)
def test_parse_yuan_reads_what_people_type(typed, fen):
    assert parse_yuan(typed) == fen


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "不能为负数"),
        ("abc", "不是金额"),
        ("30.005", "超过两位小数"),
        ("", "请输入金额"),
        ("1e20", "金额过大"),
    ],
)
def test_parse_yuan_refuses_in_chinese(typed, message):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        parse_yuan(typed)
    assert message in " ".join(caught.value.messages)


def test_yuan_shows_two_decimals():
    assert yuan(3000) == "30.00"
    assert yuan(20) == "0.20"
    assert yuan(5) == "0.05"
    assert yuan(None) == ""
