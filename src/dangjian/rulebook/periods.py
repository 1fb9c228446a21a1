"""Date arithmetic of the rules: calendar periods as integer indices, years with leap days,
months between two days, and the same indices as SQL expressions for SQLite and PostgreSQL.

A period index numbers calendar periods from year 0: month = year·12 + month − 1,
quarter = month index // 3, year = month index // 12. Using integers makes "which periods
have a meeting" one GROUP BY on both databases (Django's Extract runs a Python function per
row on SQLite; substr on the ISO text is several times faster).
"""

from __future__ import annotations

import calendar
import datetime
import functools

from django.db import connection

STEP = {"month": 1, "quarter": 3, "year": 12}
QUARTER_ZH = {0: "一", 1: "二", 2: "三", 3: "四"}


def month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def period_index(day: datetime.date, period: str) -> int:
    return month_index(day) // STEP[period]


@functools.lru_cache(maxsize=4096)
def period_bounds(index: int, period: str) -> tuple[datetime.date, datetime.date]:
    first_month = index * STEP[period]
    year, month = divmod(first_month, 12)
    start = datetime.date(year, month + 1, 1)
    last_year, last_month = divmod(first_month + STEP[period] - 1, 12)
    end = datetime.date(
        last_year, last_month + 1, calendar.monthrange(last_year, last_month + 1)[1]
    )
    return start, end


@functools.lru_cache(maxsize=4096)
def period_label(index: int, period: str) -> str:
    start, _ = period_bounds(index, period)
    if period == "month":
        return f"{start.year}年{start.month}月"
    if period == "quarter":
        return f"{start.year}年第{QUARTER_ZH[(start.month - 1) // 3]}季度"
    return f"{start.year}年"


@functools.lru_cache(maxsize=4096)
def period_code(index: int, period: str) -> str:
    start, _ = period_bounds(index, period)
    if period == "month":
        return f"{start:%Y-%m}"
    if period == "quarter":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def code_label(code: str) -> str:
    """A period code of ``period_code`` in words ("2025Q2" → 2025年第二季度); another text is
    returned as it is."""
    try:
        if "Q" in code:
            year, quarter = (int(part) for part in code.split("Q"))
            if 1 <= quarter <= 4:
                return period_label(year * 4 + quarter - 1, "quarter")
        elif "-" in code:
            year, month = (int(part) for part in code.split("-"))
            if 1 <= month <= 12:
                return period_label(year * 12 + month - 1, "month")
        elif code.isdigit():
            return period_label(int(code), "year")
    except ValueError:
        pass
    return code


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = month_index(day) + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when end is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


def latest_start_overdue(as_of: datetime.date, years: int, extension_years: int) -> datetime.date:
    """The latest term start whose term (plus ``extension_years``) has ended before ``as_of``.

    A term started on ``s`` ends on add_years(s, years), plus add_years(end, ext) when given.
    The deadline grows monotonically with the start, so the set of overdue starts is
    "start ≤ this day" — one indexed comparison in SQL instead of date arithmetic there
    (SQLite and PostgreSQL disagree about 29 February + 1 year).
    """
    guess = add_years(as_of, -(years + extension_years))
    best: datetime.date | None = None
    for delta in range(-4, 5):
        start = guess + datetime.timedelta(days=delta)
        if add_years(add_years(start, years), extension_years) < as_of:
            best = start
    assert best is not None
    return best


# -- SQL ------------------------------------------------------------------------------------
def sql_month_index(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER) - 1)"
    # date_part (double precision) rather than EXTRACT (numeric since PostgreSQL 14): the same
    # integers, computed faster over millions of meeting rows.
    return f"(CAST(date_part('year', {column}) AS INTEGER) * 12 + CAST(date_part('month', {column}) AS INTEGER) - 1)"


def sql_day(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"CAST(substr({column}, 9, 2) AS INTEGER)"
    return f"CAST(date_part('day', {column}) AS INTEGER)"


def sql_next_day(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"date({column}, '+1 day')"
    return f"({column} + 1)"


def sql_period_index(column: str, period: str) -> str:
    return f"({sql_month_index(column)} / {STEP[period]})"


def sql_first_full_period(column: str, period: str) -> str:
    """Index of the first period lying wholly on or after the day in ``column``.

    The modulo is written ``%%``: the SQL is run with parameters (both drivers unescape it).
    """
    step = STEP[period]
    return (
        f"({sql_period_index(column, period)} + CASE WHEN {sql_day(column)} = 1 AND "
        f"{sql_month_index(column)} %% {step} = 0 THEN 0 ELSE 1 END)"
    )


def sql_last_full_period(column: str, period: str) -> str:
    """Index of the last period lying wholly on or before the day in ``column``."""
    return f"({sql_period_index(sql_next_day(column), period)} - 1)"
