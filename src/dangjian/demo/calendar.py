"""Period arithmetic shared by the demo's meeting generator."""

import datetime


def month_periods(start: datetime.date, end: datetime.date):
    """(first day, last day) of every calendar month that intersects [start, end]."""
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        first = datetime.date(year, month, 1)
        nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
        yield first, nxt - datetime.timedelta(days=1)
        year, month = nxt.year, nxt.month


def quarter_periods(start: datetime.date, end: datetime.date):
    year, quarter = start.year, (start.month - 1) // 3
    while (year, quarter) <= (end.year, (end.month - 1) // 3):
        first = datetime.date(year, 3 * quarter + 1, 1)
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
        yield first, datetime.date(year, 3 * quarter + 1, 1) - datetime.timedelta(days=1)


def year_periods(start: datetime.date, end: datetime.date):
    for year in range(start.year, end.year + 1):
        yield datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def day_within(first, last, start, end, offset: int) -> datetime.date | None:
    """A day inside the period that also lies within [start, end], ``offset`` days in if room."""
    lo, hi = max(first, start), min(last, end)
    if lo > hi:
        return None
    return min(lo + datetime.timedelta(days=offset), hi)
