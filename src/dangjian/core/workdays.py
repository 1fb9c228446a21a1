"""Working days (工作日) by the official holiday schedule — the one home of "N working days".

Notice deadlines (LIFECYCLE N-3) and publicity periods (公示, R-18) are counted in working days:
Monday to Friday, minus the public holidays, plus the weekends made working days (调休). The
schedule is published by the State Council each year, so it comes from two places:

- the ``chinesecalendar`` package from PyPI, which carries the published schedules up to its
  release (2004–2026 in 1.11);
- ``core.CalendarDay`` rows, entered by an administrator when a year is published before the
  package knows it (or to correct a day). A row wins over the package.

A year that neither source knows is counted Monday to Friday, and every answer that touches it
says ``provisional`` so a page can say the date may move when the schedule is entered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import chinese_calendar
from chinese_calendar.constants import holidays as _BUILT_IN

from dangjian.core.models import CalendarDay

_FIRST_YEAR = min(_BUILT_IN).year
_LAST_YEAR = max(_BUILT_IN).year
# Never walk further than this looking for working days (a typo of 5000 instead of 5).
MAX_WORKDAYS = 366


@dataclass(frozen=True)
class Reckoned:
    """A date or count reckoned in working days, and whether an unknown year was involved."""

    day: datetime.date
    provisional: bool


class _Calendar:
    """The schedule of the years one computation touches, read once."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        rows = CalendarDay.objects.filter(
            day__gte=datetime.date(first.year, 1, 1), day__lte=datetime.date(last.year, 12, 31)
        ).values_list("day", "workday")
        self.overrides = dict(rows)
        self.entered_years = {d.year for d in self.overrides}

    def known(self, year: int) -> bool:
        return _FIRST_YEAR <= year <= _LAST_YEAR or year in self.entered_years

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if _FIRST_YEAR <= day.year <= _LAST_YEAR:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5


def year_known(year: int) -> bool:
    """Whether the holiday schedule of ``year`` is known (built in or entered)."""
    return _Calendar(datetime.date(year, 1, 1), datetime.date(year, 1, 1)).known(year)


def is_workday(day: datetime.date) -> bool:
    return _Calendar(day, day).is_workday(day)


def add_workdays(start: datetime.date, count: int) -> Reckoned:
    """The ``count``-th working day after ``start`` (``start`` itself not counted): a notice
    published on a Friday with 2 working days to sign is due on Tuesday. ``count`` 0 is the
    first working day on or after ``start``."""
    if not 0 <= count <= MAX_WORKDAYS:
        raise ValueError(f"working days must be between 0 and {MAX_WORKDAYS}")
    # Two calendar days per working day is more than the longest holiday run needs (Spring
    # Festival: 9 days off for 5 working days); one read covers the whole span.
    calendar = _Calendar(start, start + datetime.timedelta(days=2 * count + 21))
    day, provisional = start, not calendar.known(start.year)
    if count == 0:
        while not calendar.is_workday(day):
            day += datetime.timedelta(days=1)
            provisional = provisional or not calendar.known(day.year)
        return Reckoned(day, provisional)
    left = count
    while left:
        day += datetime.timedelta(days=1)
        provisional = provisional or not calendar.known(day.year)
        if calendar.is_workday(day):
            left -= 1
    return Reckoned(day, provisional)


def workdays_between(start: datetime.date, end: datetime.date) -> tuple[int, bool]:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``), and
    whether the count is provisional: a 公示 from Monday to Friday of a plain week is 4 days
    after its first day, i.e. 5 working days including the first (callers say which they mean)."""
    if end <= start:
        return 0, False
    calendar = _Calendar(start, end)
    count, provisional, day = 0, False, start
    while day < end:
        day += datetime.timedelta(days=1)
        provisional = provisional or not calendar.known(day.year)
        count += calendar.is_workday(day)
    return count, provisional
