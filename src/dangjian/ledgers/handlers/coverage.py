"""What a row's coverage list (覆盖单位) means for the stored coverages of its party organization.

Planned once per row when the file is checked: the preview shows the plan (the coverage before
and after, with the dates), the commit carries out the same plan. Nothing is deleted:

* an active organization: the list is the complete list of units it covers now. Units no longer
  listed end today; units newly listed are covered from the day it was formed (a new row) or
  from today (a stored organization);
* a dissolved organization (its 撤销日期 filled): the list names the units it covered when it
  was dissolved. Its coverage ends on the dissolution day, and a listed unit without coverage
  on that day is covered for the period the organization existed (from its founding, or from
  the day after its last earlier coverage of that unit). Coverage that already ended is history
  and stays as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dangjian.party.models import Coverage

ONE_DAY = datetime.timedelta(days=1)
Span = tuple[int, datetime.date, datetime.date | None]  # (unit id, first day, last day)


@dataclass
class Plan:
    before: list[Span] = field(default_factory=list)  # the coverage the list is compared with
    after: list[Span] = field(default_factory=list)  # the same, once the plan is carried out
    add: list[Span] = field(default_factory=list)
    end: list[tuple[Coverage, datetime.date]] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.add or self.end)


def plan(
    stored: list[Coverage],
    wanted: set[int],
    *,
    founded: datetime.date,
    dissolved: datetime.date | None,
    today: datetime.date,
    new: bool,
) -> Plan:
    """The plan for one party organization: ``stored`` are all its coverages (none for a new
    row), ``wanted`` the units listed in the row."""
    if new:
        spans = [(unit, founded, dissolved) for unit in sorted(wanted)]
        return Plan(after=spans, add=spans)
    if dissolved is None:
        return _active(stored, wanted, founded=founded, today=today)
    return _dissolved(stored, wanted, founded=founded, dissolved=dissolved)


def _active(stored, wanted, *, founded, today) -> Plan:
    open_ = [c for c in stored if c.valid_to is None]
    kept = [c for c in open_ if c.organization_id in wanted]
    start = max(founded, today)
    missing = sorted(wanted - {c.organization_id for c in kept})
    add: list[Span] = [(unit, start, None) for unit in missing]
    return Plan(
        before=[_span(c) for c in open_],
        after=[_span(c) for c in kept] + add,
        add=add,
        end=[(c, today) for c in open_ if c.organization_id not in wanted],
    )


def _dissolved(stored, wanted, *, founded, dissolved) -> Plan:
    on_last_day = [c for c in stored if c.valid_from <= dissolved and _reaches(c, dissolved)]
    covered = {c.organization_id for c in on_last_day}
    add: list[Span] = []
    for unit in sorted(wanted - covered):
        earlier = [c.valid_to for c in stored if c.organization_id == unit and c.valid_to]
        start = max(earlier) + ONE_DAY if earlier else founded
        if start <= dissolved:
            add.append((unit, start, dissolved))
    return Plan(
        before=[_span(c) for c in on_last_day],
        after=[(c.organization_id, c.valid_from, c.valid_to or dissolved) for c in on_last_day]
        + add,
        add=add,
        end=[(c, dissolved) for c in stored if c.valid_to is None],
    )


def _reaches(coverage: Coverage, day: datetime.date) -> bool:
    return coverage.valid_to is None or coverage.valid_to >= day


def _span(coverage: Coverage) -> Span:
    return (coverage.organization_id, coverage.valid_from, coverage.valid_to)


def describe(spans: list[Span], names: dict[int, str]) -> str:
    """The coverage as the preview shows it: 测试乙商会（2020-09-01 至 2022-05-31）、…"""
    parts = []
    for unit, start, end in sorted(spans, key=lambda s: (names.get(s[0], ""), s[1])):
        name = names.get(unit, str(unit))
        if end is None:
            parts.append(_("%(unit)s (from %(start)s)") % {"unit": name, "start": start})
        else:
            parts.append(
                _("%(unit)s (%(start)s to %(end)s)") % {"unit": name, "start": start, "end": end}
            )
    return "、".join(parts)
