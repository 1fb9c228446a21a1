"""Annual-report deadlines and the six-month exemption, at their boundaries."""

import datetime

import pytest

from dangjian.inspections.reports import report_state
from dangjian.rulebook.deadlines import (
    exemption_cutoff,
    first_inspection_year,
    is_exempt,
    registrar_deadline,
    supervisor_deadline,
)
from dangjian.rulebook.periods import add_months

D = datetime.date


def test_deadlines_of_the_following_year():
    assert supervisor_deadline(2025) == D(2026, 3, 31)
    assert registrar_deadline(2025) == D(2026, 5, 31)


@pytest.mark.parametrize(
    ("received", "state"),
    [
        (D(2026, 3, 30), "on_time"),
        (D(2026, 3, 31), "on_time"),  # on the deadline is on time
        (D(2026, 4, 1), "late"),  # the day after is late
        (None, "missing"),
    ],
)
def test_report_to_supervisor_31_march_vs_1_april(received, state):
    result = report_state(received, supervisor_deadline(2025), today=D(2026, 6, 1))
    assert result.code == state
    assert result.is_problem == (state in ("late", "missing"))


def test_registrar_31_may_vs_1_june():
    deadline = registrar_deadline(2025)
    assert report_state(D(2026, 5, 31), deadline, D(2026, 7, 1)).code == "on_time"
    assert report_state(D(2026, 6, 1), deadline, D(2026, 7, 1)).code == "late"


def test_not_yet_due_is_pending_not_missing():
    deadline = supervisor_deadline(2025)
    assert report_state(None, deadline, today=D(2026, 3, 31)).code == "pending"
    assert report_state(None, deadline, today=D(2026, 4, 1)).code == "missing"


def test_exempt_overrides_everything():
    assert (
        report_state(None, supervisor_deadline(2025), D(2027, 1, 1), exempt=True).code == "exempt"
    )


@pytest.mark.parametrize(
    ("registered", "exempt"),
    [
        (D(2025, 6, 29), False),  # more than six months before 31 December
        (D(2025, 6, 30), True),  # exactly six months before 31 December: exempt
        (D(2025, 7, 1), True),
        (D(2025, 12, 31), True),
        (D(2024, 12, 31), False),  # registered the year before: owes this year's report
        (None, False),
    ],
)
def test_six_month_exemption_boundary(registered, exempt):
    assert is_exempt(registered, 2025) is exempt


def test_exemption_cutoff_is_30_june():
    assert exemption_cutoff(2025) == D(2025, 6, 30)
    assert exemption_cutoff(2024) == D(2024, 6, 30)


def test_add_months_clamps_to_month_end():
    assert add_months(D(2025, 8, 31), -6) == D(2025, 2, 28)
    assert add_months(D(2024, 8, 31), -6) == D(2024, 2, 29)
    assert add_months(D(2025, 1, 31), 13) == D(2026, 2, 28)


def test_first_inspection_year():
    assert first_inspection_year(D(2010, 5, 1), D(2018, 10, 30)) == 2018
    assert first_inspection_year(D(2020, 9, 1), D(2019, 1, 1)) == 2020
    assert first_inspection_year(None, D(2019, 1, 1)) == 2019


def _book_with_deadlines(**revised):
    """The project's rulebook with a revision of the credit rule from 2030 (others unchanged)."""
    import copy

    import yaml

    from dangjian.rulebook.loader import PATH, Rulebook

    entries = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    credit = next(e for e in entries if e["id"] == "credit.abnormal_list_proposal")
    later = copy.deepcopy(credit)
    later["effective_from"] = datetime.date(2030, 1, 1)
    later["parameters"].update(revised)
    return Rulebook([*entries, later])


def test_the_deadlines_are_the_rulebooks_and_follow_its_revisions(monkeypatch):
    from dangjian.rulebook import params

    book = _book_with_deadlines(report_due_to_supervisor="04-30", exempt_registered_within_months=3)
    monkeypatch.setattr(params, "load", lambda: book)
    # Work year 2028: the revision in force on 1 January 2029 (the first one).
    assert supervisor_deadline(2028) == datetime.date(2029, 3, 31)
    assert exemption_cutoff(2028) == datetime.date(2028, 6, 30)
    # Work year 2029: reported in 2030, under the revision of 1 January 2030.
    assert supervisor_deadline(2029) == datetime.date(2030, 4, 30)
    assert registrar_deadline(2029) == datetime.date(2030, 5, 31)
    assert exemption_cutoff(2029) == datetime.date(2029, 9, 30)


@pytest.mark.django_db
def test_a_federation_cannot_move_the_national_deadlines(demo_federation):
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from dangjian.rulebook import services

    officer = get_user_model().objects.get(username="officer")
    with pytest.raises(ValidationError) as refused:
        services.set_override(
            demo_federation,
            "credit.abnormal_list_proposal",
            {"report_due_to_registrar": "06-30"},
            datetime.date(2026, 1, 1),
            actor=officer,
        )
    assert "全国统一" in refused.value.messages[0]
