"""The recruitment procedure as the rulebook states it (``recruitment.procedure``): the stages,
the steps in order with their articles, documents and who acts, and the intervals.

Everything is read for a day (the revision in force then) and a federation (its overrides of
the local parameters); a later revision of the 细则 is a new rulebook entry, so a step recorded
under the 2014 text keeps the version and article it was judged by.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from dangjian.core import workdays
from dangjian.rulebook import params
from dangjian.rulebook.periods import add_months

RULE = "recruitment.procedure"
OVERDUE_RULE = "recruitment.overdue"
DEPARTURE_RULE = "recruitment.departure"
PUBLICITY_RULE = "recruitment.publicity"
# The steps a 公示 may precede: 发展对象, the branch meeting's 接收, the branch meeting's 转正.
PUBLICITY_STEPS = ("candidate", "admission_meeting", "full_meeting")


@dataclass(frozen=True)
class StepRule:
    code: str
    stage: str
    title: str
    article: str
    documents: tuple[str, ...]
    actor: str
    verified: bool
    repeats: bool
    decision: bool
    order: int


def value(name: str, *, day: datetime.date, federation=None) -> Any:
    return params.value(RULE, name, day=day, federation=federation)


def version(day: datetime.date) -> str:
    return str(value("version", day=day))


def document(day: datetime.date) -> str:
    return str(value("document", day=day))


def steps(day: datetime.date) -> list[StepRule]:
    """The steps in force on ``day``, in order (the 25, then the decisions)."""
    return [
        StepRule(
            code=s["code"],
            stage=s["stage"],
            title=s["title_zh"],
            article=s["article"],
            documents=tuple(s.get("documents") or ()),
            actor=s["actor"],
            verified=bool(s.get("verified")),
            repeats=bool(s.get("repeats")),
            decision=bool(s.get("decision")),
            order=i,
        )
        for i, s in enumerate(value("steps", day=day))
    ]


def step(code: str, day: datetime.date) -> StepRule:
    for s in steps(day):
        if s.code == code:
            return s
    raise KeyError(code)


def stages(day: datetime.date) -> list[tuple[str, str]]:
    return [(s["code"], s["title_zh"]) for s in value("stages", day=day)]


def stage_title(code: str, day: datetime.date) -> str:
    return dict(stages(day)).get(code, code)


def cite(code: str, day: datetime.date) -> str:
    """ "《细则》（2014）第七条" — the article a refusal or finding names."""
    return f"《{document(day)}》{step(code, day).article}"


# -- intervals -------------------------------------------------------------------------------


def months_after(start: datetime.date, name: str, *, federation=None) -> datetime.date:
    """``start`` plus the parameter ``name`` in calendar months (the revision in force on
    ``start``): the last day allowed. A month after 31 January is the last day of February."""
    return add_months(start, int(value(name, day=start, federation=federation)))


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Whole years of age on ``day`` (a birthday on 29 February falls on 1 March in a common
    year: the person is not of age on 28 February)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


# -- local rules, each its own rulebook entry (sources not verified) ----------


def departure_months(day: datetime.date, federation=None) -> int:
    return int(params.value(DEPARTURE_RULE, "months", day=day, federation=federation))


def publicity_required(code: str, day: datetime.date, federation=None) -> bool:
    before = params.value(PUBLICITY_RULE, "before", day=day, federation=federation) or ()
    return code in before


def publicity_workdays(day: datetime.date, federation=None) -> int:
    return int(params.value(PUBLICITY_RULE, "workdays", day=day, federation=federation))


def publicity_end(start: datetime.date, *, federation=None) -> workdays.Reckoned:
    """The last day of a 公示 begun on ``start``: ``workdays`` working days counting its first
    (the first working day on or after ``start``), by ``core.workdays`` — provisional where a
    year's holiday schedule is not known."""
    n = publicity_workdays(start, federation)
    first = workdays.add_workdays(start, 0)
    last = workdays.add_workdays(first.day, max(n - 1, 0))
    return workdays.Reckoned(last.day, first.provisional or last.provisional)
