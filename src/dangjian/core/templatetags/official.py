"""``{% load official %}``: ``{{ day|official_date }}`` writes a date as official text does
(2026年12月2日), with core.dates' one formatter."""

from __future__ import annotations

import datetime

from django import template

from dangjian.core.dates import official_date as _official_date

register = template.Library()


@register.filter
def official_date(day: datetime.date | None) -> str:
    if not isinstance(day, datetime.date):
        return ""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return _official_date(day)
