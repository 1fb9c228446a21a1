"""Annual-report deadlines and the exemption (DOMAIN.md §3.7).

The days are the rulebook's (``credit.abnormal_list_proposal``, national parameters): by default
the annual work report is due to the supervising unit by 31 March and to the registration
authority by 31 May of the year after the work year; a unit registered six months or less
before 31 December of the work year skips that year. A work year's report follows the rulebook
revision in force on 1 January after it. The inspections, the rules and the demo read them here.
"""

from __future__ import annotations

import datetime
from typing import Any

from dangjian.rulebook import params
from dangjian.rulebook.periods import add_months

RULE = "credit.abnormal_list_proposal"


def _parameter(name: str, year: int) -> Any:
    return params.value(RULE, name, day=datetime.date(year + 1, 1, 1))


def _due(name: str, year: int) -> datetime.date:
    month, day = (int(part) for part in _parameter(name, year).split("-"))
    return datetime.date(year + 1, month, day)


def supervisor_deadline(year: int) -> datetime.date:
    return _due("report_due_to_supervisor", year)


def registrar_deadline(year: int) -> datetime.date:
    return _due("report_due_to_registrar", year)


def exemption_cutoff(year: int) -> datetime.date:
    """The earliest registration date that still counts as "≤ 6 months before 31 December"."""
    months = int(_parameter("exempt_registered_within_months", year))
    return add_months(datetime.date(year, 12, 31), -months)


def is_exempt(registered_on: datetime.date | None, year: int) -> bool:
    """Registered six months or less before 31 December of ``year`` (30 June counts as six)."""
    if registered_on is None or registered_on.year != year:
        return False
    return registered_on >= exemption_cutoff(year)


def first_inspection_year(registered_on: datetime.date | None, joined_on: datetime.date) -> int:
    """The first work year a member unit owes an annual report for."""
    year = joined_on.year
    if registered_on and registered_on.year > year:
        year = registered_on.year
    return year
