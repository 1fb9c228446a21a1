"""Working days by the official holiday schedule (core.workdays), hand-counted on 2026's
published schedule: National Day 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked
(调休); Mid-Autumn Friday 09-25 off. 2027 is not in the installed calendar."""

import datetime

import pytest

from dangjian.core import workdays
from dangjian.core.models import CalendarDay

D = datetime.date
pytestmark = pytest.mark.django_db


def test_a_plain_week():
    # Friday + 2 working days: Monday is the first, Tuesday the second.
    assert workdays.add_workdays(D(2026, 12, 4), 2) == workdays.Reckoned(D(2026, 12, 8), False)


def test_the_national_day_week_is_skipped():
    assert workdays.add_workdays(D(2026, 9, 30), 1).day == D(2026, 10, 8)
    # Nothing counts from inside the holiday until it ends.
    assert workdays.add_workdays(D(2026, 10, 3), 0).day == D(2026, 10, 8)


def test_weekends_made_working_days_count():
    assert workdays.add_workdays(D(2026, 10, 9), 1).day == D(2026, 10, 10)  # a Saturday, worked
    # Friday 09-18 → Saturday off, Sunday 09-20 worked, Monday worked.
    assert workdays.workdays_between(D(2026, 9, 18), D(2026, 9, 21)) == (2, False)
    # Mid-Autumn Friday 09-25 is off: after Monday 09-21, Tue, Wed and Thu count.
    assert workdays.workdays_between(D(2026, 9, 21), D(2026, 9, 25)) == (3, False)


def test_an_unknown_year_is_counted_monday_to_friday_and_said_provisional():
    assert not workdays.year_known(2027)
    # Thu 12-31 (known), Fri 2027-01-01 (unknown: a weekday, counted), Mon 01-04.
    assert workdays.add_workdays(D(2026, 12, 30), 3) == workdays.Reckoned(D(2027, 1, 4), True)
    assert workdays.workdays_between(D(2026, 12, 30), D(2027, 1, 4)) == (3, True)


def test_an_entered_year_is_known_and_its_days_win():
    CalendarDay.objects.create(day=D(2027, 1, 1), workday=False, note="元旦")
    assert workdays.year_known(2027)
    assert workdays.add_workdays(D(2026, 12, 30), 3) == workdays.Reckoned(D(2027, 1, 5), False)
    # A row also corrects a day the built-in calendar knows.
    CalendarDay.objects.create(day=D(2026, 12, 7), workday=False, note="更正")
    assert workdays.add_workdays(D(2026, 12, 4), 2).day == D(2026, 12, 9)
    assert not workdays.is_workday(D(2026, 12, 7))


def test_bounds():
    assert workdays.workdays_between(D(2026, 12, 8), D(2026, 12, 8)) == (0, False)
    assert workdays.workdays_between(D(2026, 12, 8), D(2026, 12, 1)) == (0, False)
    with pytest.raises(ValueError):
        workdays.add_workdays(D(2026, 12, 4), -1)
    with pytest.raises(ValueError):
        workdays.add_workdays(D(2026, 12, 4), workdays.MAX_WORKDAYS + 1)
