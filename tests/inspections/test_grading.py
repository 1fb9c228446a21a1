"""Grade evaluation: validity per the 2026 rule, cut-offs, the party-organization bar,
eligibility and coverage points."""

import datetime
from decimal import Decimal

import pytest

from dangjian.inspections import grading

D = datetime.date


@pytest.mark.parametrize(
    ("notice", "start", "end"),
    [
        (D(2026, 11, 20), D(2027, 1, 1), D(2031, 12, 31)),
        (D(2026, 1, 1), D(2027, 1, 1), D(2031, 12, 31)),
        (D(2026, 12, 31), D(2027, 1, 1), D(2031, 12, 31)),
        (D(2027, 1, 1), D(2028, 1, 1), D(2032, 12, 31)),
    ],
)
def test_validity_from_1_january_after_the_notice_to_31_december_of_the_fifth_year(
    notice, start, end
):
    assert grading.validity(notice) == (start, end)


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (Decimal("950"), "5A"),
        (Decimal("900"), "5A"),
        (Decimal("899.99"), "4A"),
        (Decimal("800"), "4A"),
        (Decimal("700"), "3A"),
        (Decimal("600"), "2A"),
        (Decimal("500"), "1A"),
        (Decimal("499"), ""),
    ],
)
def test_default_cutoffs(total, grade):
    assert (
        grading.grade_for(total, grading.DEFAULT_CUTOFFS, has_party_org=True, bar=False)[0] == grade
    )


def test_bar_caps_units_without_a_party_organization_at_3a():
    grade, notes = grading.grade_for(
        Decimal("960"), grading.DEFAULT_CUTOFFS, has_party_org=False, bar=True
    )
    assert grade == "3A"
    assert "3A" in notes[0]
    # Without the switch, or with a party organization, no cap.
    assert (
        grading.grade_for(Decimal("960"), grading.DEFAULT_CUTOFFS, has_party_org=False, bar=False)[
            0
        ]
        == "5A"
    )
    assert (
        grading.grade_for(Decimal("960"), grading.DEFAULT_CUTOFFS, has_party_org=True, bar=True)[0]
        == "5A"
    )
    # Below 4A the bar changes nothing.
    assert grading.grade_for(
        Decimal("750"), grading.DEFAULT_CUTOFFS, has_party_org=False, bar=True
    ) == ("3A", [])


def test_custom_cutoffs():
    cutoffs = {"5A": 950, "4A": 850, "3A": 750, "2A": 650, "1A": 550}
    assert grading.grade_for(Decimal("940"), cutoffs, has_party_org=True, bar=False)[0] == "4A"


def test_coverage_points_scaled_from_the_two_point_indicator():
    assert grading.coverage_score("organization", 20) == Decimal("20.00")
    assert grading.coverage_score("instructor", 20) == Decimal("15.00")
    assert grading.coverage_score("none", 20) == Decimal("0.00")
    assert grading.coverage_score("instructor", 2) == Decimal("1.50")


def test_default_indicator_set_is_1000_points_with_party_building_100():
    assert sum(i["max"] for i in grading.DEFAULT_INDICATORS) == 1000
    party = [i for i in grading.DEFAULT_INDICATORS if i["code"].startswith("party")]
    assert sum(i["max"] for i in party) == 100


class _Org:
    def __init__(self, founded_on):
        self.founded_on = founded_on
        self.pk = None


def test_eligibility_needs_two_full_years():
    assert grading.eligibility(_Org(D(2024, 11, 26)), D(2026, 11, 26)).eligible
    check = grading.eligibility(_Org(D(2024, 11, 27)), D(2026, 11, 26))
    assert not check.eligible
    assert "2024-11-27" in check.reasons[0]


def test_eligibility_reasons_for_the_credit_lists():
    check = grading.eligibility(
        _Org(D(2010, 1, 1)), D(2026, 11, 26), on_abnormal_list=True, on_serious_list=True
    )
    assert not check.eligible
    assert len(check.reasons) == 2


def test_validity_and_eligibility_years_follow_the_rulebook(monkeypatch):
    """grading.parameters (national): a revision applies from its date, earlier notices keep
    the years then in force."""
    import copy

    import yaml

    from dangjian.rulebook import params
    from dangjian.rulebook.loader import PATH, Rulebook

    entries = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    first = next(e for e in entries if e["id"] == "grading.parameters")
    later = copy.deepcopy(first)
    later["effective_from"] = datetime.date(2030, 1, 1)
    later["parameters"] = {"min_registered_years": 3, "valid_years": 3}
    book = Rulebook([*entries, later])
    monkeypatch.setattr(params, "load", lambda: book)
    assert grading.validity(datetime.date(2029, 12, 20)) == (
        datetime.date(2030, 1, 1),
        datetime.date(2034, 12, 31),
    )
    assert grading.validity(datetime.date(2030, 3, 1)) == (
        datetime.date(2031, 1, 1),
        datetime.date(2033, 12, 31),
    )
