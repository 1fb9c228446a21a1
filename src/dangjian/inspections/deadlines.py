"""Annual-report deadlines and the exemption (DOMAIN.md §3.7).

The days are the rulebook's (``credit.abnormal_list_proposal``, national parameters): by default
the annual work report is due to the supervising unit by 31 March and to the registration
authority by 31 May of the year after the work year; a unit registered six months or less
before 31 December of the work year skips that year. A work year's report follows the rulebook
revision in force on 1 January after it.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

RULE = "credit.abnormal_list_proposal"


def _parameter(name: str, year: int):
    from dangjian.rules import params  # the rules app reads this module too: import late

    return params.value(RULE, name, day=datetime.date(year + 1, 1, 1))


def _due(name: str, year: int) -> datetime.date:
    month, day = (int(part) for part in _parameter(name, year).split("-"))
    return datetime.date(year + 1, month, day)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole months, clamped to the month's last day (31 Aug − 6 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def supervisor_deadline(year: int) -> datetime.date:
    return _due("report_due_to_supervisor", year)


def registrar_deadline(year: int) -> datetime.date:
    return _due("report_due_to_registrar", year)


def exemption_cutoff(year: int) -> datetime.date:
    """The earliest registration date that still counts as "≤ 6 months before 31 December"."""
    months = _parameter("exempt_registered_within_months", year)
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


@dataclass(frozen=True)
class ReportState:
    code: str  # on_time | late | missing | pending | exempt
    label: str
    deadline: datetime.date
    received_on: datetime.date | None

    @property
    def is_problem(self) -> bool:
        return self.code in ("late", "missing")


STATE_LABELS = {
    "on_time": _("on time"),
    "late": _("late"),
    "missing": _("not received"),
    "pending": _("not yet due"),
    "exempt": _("exempt"),
}


def report_state(
    received_on: datetime.date | None,
    deadline: datetime.date,
    today: datetime.date,
    exempt: bool = False,
) -> ReportState:
    if exempt:
        code = "exempt"
    elif received_on is not None:
        code = "on_time" if received_on <= deadline else "late"
    else:
        code = "missing" if today > deadline else "pending"
    return ReportState(code, STATE_LABELS[code], deadline, received_on)
