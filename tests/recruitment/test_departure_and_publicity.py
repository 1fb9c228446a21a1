"""R-12 and R-18 at their boundaries (rulebook ``recruitment.departure`` and
``recruitment.publicity``, sources not verified).

R-12: a branch meeting on 2024-09-10 with ``months`` = 3: leaving on 2024-12-10 (3 calendar
months later) blocks the acceptance, leaving on 2024-12-11 does not.

R-18: 5 working days counting the first, by the official 2024 schedule: a 公示 begun Monday
2024-09-02 runs Monday to Friday, to 2024-09-06 — the meeting on the 6th is refused, on Saturday
the 7th accepted. Begun Thursday 2024-09-12 it crosses the Mid-Autumn holiday: the 12th (1), 13th
(2), Saturday 14th a working day by 调休 (3), 15th–17th off, 18th (4), 19th (5) — the meeting on
the 19th is refused, on the 20th accepted. A year the schedule does not know is provisional.
"""

from __future__ import annotations

import datetime

import pytest

from dangjian.core.errors import WorkflowError
from dangjian.recruitment import procedure
from dangjian.rulebook.services import set_override

from .conftest import Branch
from .test_failed_votes import MEETING, _ready

D = datetime.date
pytestmark = pytest.mark.django_db
VOTE = {"present": 9, "yes_present": 9, "yes_written": 0}


def test_departure_within_three_months_blocks_the_acceptance(branch: Branch):
    a = _ready(branch)
    with pytest.raises(WorkflowError, match="2024-12-10"):
        branch.step(a, MEETING, D(2024, 9, 10), planned_departure_on=D(2024, 12, 10), **VOTE)
    assert not a.steps.filter(code=MEETING).exists()
    branch.step(a, MEETING, D(2024, 9, 10), planned_departure_on=D(2024, 12, 11), **VOTE)
    assert a.steps.get(code=MEETING).data["planned_departure_on"] == "2024-12-11"


def test_departure_months_is_a_parameter(branch: Branch):
    set_override(branch.fed, "recruitment.departure", {"months": 1}, D(2014, 6, 10), actor=None)
    a = _ready(branch)
    branch.step(a, MEETING, D(2024, 9, 10), planned_departure_on=D(2024, 10, 11), **VOTE)


def test_publicity_of_five_working_days_in_a_plain_week(branch: Branch):
    a = _ready(branch)
    with pytest.raises(WorkflowError, match="2024-09-06"):
        branch.step(a, MEETING, D(2024, 9, 6), publicity_from=D(2024, 9, 2), **VOTE)
    branch.step(a, MEETING, D(2024, 9, 7), publicity_from=D(2024, 9, 2), **VOTE)
    data = a.steps.get(code=MEETING).data
    assert (data["publicity_from"], data["publicity_until"], data["publicity_provisional"]) == (
        "2024-09-02",
        "2024-09-06",
        False,
    )


def test_publicity_across_the_mid_autumn_holiday(branch: Branch):
    a = _ready(branch)
    with pytest.raises(WorkflowError, match="2024-09-19"):
        branch.step(a, MEETING, D(2024, 9, 19), publicity_from=D(2024, 9, 12), **VOTE)
    branch.step(a, MEETING, D(2024, 9, 20), publicity_from=D(2024, 9, 12), **VOTE)


def test_publicity_required_where_the_federation_lists_the_step(branch: Branch):
    set_override(
        branch.fed,
        "recruitment.publicity",
        {"before": ["admission_meeting"], "workdays": 7},
        D(2014, 6, 10),
        actor=None,
    )
    a = _ready(branch)
    with pytest.raises(WorkflowError, match="7 个工作日"):
        branch.step(a, MEETING, D(2024, 9, 10), **VOTE)
    # 7 working days from Monday 2024-09-02: to Tuesday 2024-09-10.
    with pytest.raises(WorkflowError, match="2024-09-10"):
        branch.step(a, MEETING, D(2024, 9, 10), publicity_from=D(2024, 9, 2), **VOTE)
    branch.step(a, MEETING, D(2024, 9, 11), publicity_from=D(2024, 9, 2), **VOTE)


def test_default_publicity_is_not_required_and_five_days(branch: Branch):
    assert procedure.publicity_workdays(D(2026, 1, 1), branch.fed) == 5
    assert not procedure.publicity_required("candidate", D(2026, 1, 1), branch.fed)


def test_a_year_without_a_known_schedule_is_provisional():
    # 2024 is known; 2099 is not (counted Monday to Friday): Monday 2099-03-02 to Friday 03-06.
    known = procedure.publicity_end(D(2024, 9, 2))
    assert (known.day, known.provisional) == (D(2024, 9, 6), False)
    unknown = procedure.publicity_end(D(2099, 3, 2))
    assert (unknown.day, unknown.provisional) == (D(2099, 3, 6), True)
