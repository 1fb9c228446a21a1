"""Meetings that satisfy the organizational-life regime, period by period."""

import datetime
from collections.abc import Callable, Iterable

from dangjian.orglife.models import Meeting

from .calendar import day_within, month_periods, quarter_periods, year_periods

K = Meeting.Kind
# A calendar function: (first day, last day) of each period that meets [start, end].
Periods = Callable[[datetime.date, datetime.date], Iterable[tuple[datetime.date, datetime.date]]]

TOPICS = {
    K.GENERAL_MEETING: "学习贯彻党的创新理论",
    K.COMMITTEE_MEETING: "研究部署支部近期工作",
    K.PARTY_LESSON: "书记讲党课",
    K.THEME_DAY: "主题党日活动",
    K.LIFE_MEETING: "年度组织生活会",
    K.DEMOCRATIC_REVIEW: "民主评议党员",
}


def full_regime(has_committee: bool) -> list[tuple[Meeting.Kind, Periods, int]]:
    """(kind, period generator, day offset) for every required meeting kind."""
    regime: list[tuple[Meeting.Kind, Periods, int]] = [
        (K.GENERAL_MEETING, quarter_periods, 20),
        (K.PARTY_LESSON, quarter_periods, 35),
        (K.THEME_DAY, month_periods, 4),
        (K.LIFE_MEETING, year_periods, 20),
        (K.DEMOCRATIC_REVIEW, year_periods, 25),
    ]
    if has_committee:
        regime.append((K.COMMITTEE_MEETING, month_periods, 2))
    return regime


def meetings_for(party_org, start: datetime.date, end: datetime.date, regime, size: int):
    rows = []
    for kind, periods, offset in regime:
        for first, last in periods(start, end):
            day = day_within(first, last, start, end, offset)
            if day is None:
                continue
            # One member away now and then — never so many that a meeting misses its quorum
            # (more than half present): the demo's ordinary branches are in order.
            away = day.toordinal() % 3 == 0 and 2 * (size - 1) > size
            present = size - away
            rows.append(
                Meeting(
                    party_organization=party_org,
                    kind=kind,
                    held_on=day,
                    topic=f"{day.year}年{TOPICS[kind]}",
                    expected_count=size or None,
                    present_count=present or None,
                    minutes=f"会议由支部书记主持，应到党员{size}名，实到{present}名。",
                )
            )
    return rows
