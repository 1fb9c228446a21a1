"""The deadlines of a notice: the signing and feedback deadlines a new notice gets unless its
sender sets them (by working days, ``core.workdays``), and whether one is provisional (N-3)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from dangjian.core import workdays
from dangjian.notices.services.common import _param

# -- deadlines ------------------------------------------------------------------------------


def _local_at(day: datetime.date, like: datetime.datetime) -> datetime.datetime:
    """``day`` at the local time of day of ``like``."""
    local = timezone.localtime(like)
    return local.replace(year=day.year, month=day.month, day=day.day)


def default_deadline(
    now: datetime.datetime, *, urgent: bool, federation: Any = None
) -> datetime.datetime:
    """The signing deadline a new notice gets unless its sender sets one (rulebook
    ``notices.receipts``): an urgent one within hours, another within working days by the
    official holiday schedule (``core.workdays``), at the same time of day."""
    if urgent:
        return now + datetime.timedelta(hours=_param("urgent_sign_hours", federation))
    days = _param("sign_working_days", federation)
    return _local_at(workdays.add_workdays(timezone.localdate(now), days).day, now)


def default_feedback_deadline(
    sign_deadline: datetime.datetime, *, federation: Any = None
) -> datetime.datetime:
    """A task's feedback deadline unless its sender sets one: ``feedback_working_days``
    working days after the signing deadline."""
    days = _param("feedback_working_days", federation)
    return _local_at(
        workdays.add_workdays(timezone.localdate(sign_deadline), days).day, sign_deadline
    )


def deadline_provisional(start: datetime.datetime, deadline: datetime.datetime) -> bool:
    """Whether working days between ``start`` and ``deadline`` cross a year whose holiday
    schedule is not yet known: the deadline may move when it is entered (N-3)."""
    first, last = timezone.localdate(start), timezone.localdate(deadline)
    return workdays.workdays_between(first, last)[1] or not workdays.year_known(first.year)
