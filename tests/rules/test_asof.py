"""Explanations read as of a day (``rules.asof``), computed by hand."""

import datetime

from dangjian.rules.asof import AS_OF, days_since, months_since, shown, text_on

D = datetime.date
TEXT = f"截至 {AS_OF} 仍未换届，已逾期 {days_since(D(2025, 1, 31))} 天（{months_since(D(2025, 1, 31))} 个月）。"


def test_the_day_and_the_counts_up_to_it():
    assert text_on(TEXT, D(2025, 1, 31)) == "截至 2025-01-31 仍未换届，已逾期 0 天（0 个月）。"
    # 28 February is not yet a whole month after 31 January; 31 March is two.
    assert text_on(TEXT, D(2025, 2, 28)) == "截至 2025-02-28 仍未换届，已逾期 28 天（0 个月）。"
    assert text_on(TEXT, D(2025, 3, 31)) == "截至 2025-03-31 仍未换届，已逾期 59 天（2 个月）。"
    # Across a leap day.
    assert text_on(TEXT, D(2028, 3, 1)).endswith("已逾期 1125 天（37 个月）。")


def test_shown_writes_dates_as_official_text_does():
    assert shown(TEXT, D(2025, 3, 31)) == "截至2025年3月31日仍未换届，已逾期 59 天（2 个月）。"


def test_without_a_day_the_marks_read_as_a_dash():
    assert text_on(TEXT, None) == "截至 — 仍未换届，已逾期 — 天（— 个月）。"


def test_a_text_without_marks_and_braces_of_a_name_are_left_alone():
    plain = "截至 2024-12-31 该单位{筹}有 2 项重大决策"
    assert text_on(plain, D(2025, 3, 31)) == plain
    assert text_on("{days since 2025-13-01}", D(2025, 3, 31)) == "{days since 2025-13-01}"
