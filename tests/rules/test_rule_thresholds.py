"""Hand-computed scenarios for every rule, at and around each threshold."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.inspections.models import AnnualInspection, Visit
from dangjian.orglife.models import Meeting
from dangjian.party.models import Coverage, Employment, PartyOrganization, Position
from dangjian.rulebook.periods import add_years, latest_start_overdue
from dangjian.rules.engine import Engine
from dangjian.rules.kinds import dormancy

from .conftest import shipped_entries

D = datetime.date
K = PartyOrganization.Kind
AS_OF = D(2025, 11, 15)
pytestmark = pytest.mark.django_db


def subjects(candidates) -> set[int]:
    return {c.party_organization_id or c.organization_id for c in candidates}


# -- formation ---------------------------------------------------------------------------
def test_required_not_formed_at_two_and_three_full_members(world):
    two = world.unit("两名党员协会", full=2)
    three = world.unit("三名党员协会", full=3)
    probation = world.unit("两正一预协会", full=2, probationary=1)
    found = world.evaluate(AS_OF, "formation.required_not_formed")
    assert subjects(found) == {three.pk}
    (c,) = found
    assert "正式党员 3 名" in c.explanation and "2025-11-15" in c.explanation
    # Membership began 2019-01-01, three full members employed since 2016: 82 months.
    assert c.evidence["since"] == "2019-01-01" and "82 个月" in c.explanation
    candidates = world.evaluate(AS_OF, "formation.joint_branch_candidate")
    assert subjects(candidates) == {two.pk, probation.pk}


def test_required_not_formed_counts_members_as_of_the_day(world):
    unit = world.unit("新近转正协会", full=2)
    world.members(1, employer=unit, full_on=D(2025, 6, 1))
    assert world.evaluate(D(2025, 5, 31), "formation.required_not_formed") == []
    (c,) = world.evaluate(D(2025, 6, 1), "formation.required_not_formed")
    assert c.evidence["since"] == "2025-06-01" and "已持续 0 个月" in c.explanation
    # A member who left the ledger no longer counts.
    world.members(0)
    leaver = unit.employments.first().member
    leaver.left_on = D(2025, 9, 1)
    leaver.save()
    assert world.evaluate(D(2025, 9, 2), "formation.required_not_formed") == []


def test_required_not_formed_counts_each_person_once_towards_the_threshold(world):
    """X holds two jobs at the unit (from 2020 and 2021), Y and Z one each (2022, 2023): three
    full members, the third from 2023-01-01 — X's second job is not a second person."""
    unit = world.unit("兼职党员协会")
    [x] = world.members(1, employer=unit, employed_from=D(2020, 1, 1))
    Employment.objects.create(member=x, organization=unit, valid_from=D(2021, 1, 1))
    world.members(1, employer=unit, employed_from=D(2022, 1, 1))
    world.members(1, employer=unit, employed_from=D(2023, 1, 1))
    (c,) = world.evaluate(AS_OF, "formation.required_not_formed")
    assert c.evidence["full_members"] == 3
    assert c.evidence["since"] == "2023-01-01" and "自 2023-01-01 起" in c.explanation
    assert c.evidence["relations"] == {"unrecorded": 3}


def test_covered_units_and_instructors(world):
    covered = world.unit("已覆盖协会", full=5)
    world.party_org("已覆盖协会党支部", units=[covered], relation_full=5)
    small = world.unit("一名党员协会", full=1)
    world.instructor(small)
    empty = world.unit("无党员协会")
    empty_with_instructor = world.unit("有指导员协会")
    world.instructor(empty_with_instructor)
    assert world.evaluate(AS_OF, "formation.required_not_formed") == []
    assert world.evaluate(AS_OF, "formation.joint_branch_candidate") == []
    assert subjects(world.evaluate(AS_OF, "formation.needs_instructor")) == {empty.pk}


def test_joint_branch_with_five_and_six_units(world):
    five = [world.unit(f"五{i}协会", full=1) for i in range(5)]
    six = [world.unit(f"六{i}协会", full=1) for i in range(6)]
    world.party_org("第一联合党支部", kind=K.JOINT_BRANCH, units=five)
    second = world.party_org("第二联合党支部", kind=K.JOINT_BRANCH, units=six)
    (c,) = world.evaluate(AS_OF, "formation.joint_branch_too_many_units")
    assert c.party_organization_id == second.pk
    assert "覆盖 6 个单位" in c.explanation and "多 1 个" in c.explanation


def test_committee_needed_at_seven_full_members(world):
    six = world.party_org("六人支部", relation_full=6)
    seven = world.party_org("七人支部", relation_full=7)
    seven_with_committee = world.party_org("七人有委员会支部", relation_full=7, posts=2)
    found = world.evaluate(AS_OF, "formation.needs_committee")
    assert subjects(found) == {seven.pk}
    assert "正式党员 7 名" in found[0].explanation
    assert six.pk not in subjects(found) and seven_with_committee.pk not in subjects(found)


def test_the_queries_of_a_rule_do_not_grow_with_its_findings(world):
    """Each finding once read the counting basis's parameters again (a query of the
    federation's overrides): 620 findings were 0.6 s of queries at 100,000 units."""

    def queries_for(branches):
        for _ in range(branches):
            world.party_org(f"七人支部{world.rng.random()}", relation_full=7)
        with CaptureQueriesContext(connection) as captured:
            found = world.evaluate(AS_OF, "formation.needs_committee")
        return len(found), len(captured)

    one, queries = queries_for(1)
    four, more_queries = queries_for(3)
    assert (one, four) == (1, 4)
    assert more_queries == queries


def test_branch_size_49_50_51_and_general_branch_100(world):
    world.party_org("四十九人支部", relation_full=48)  # + the secretary = 49
    world.party_org("五十人支部", relation_full=50)
    big = world.party_org("五十一人支部", relation_full=51)
    general = world.party_org("百人总支", kind=K.GENERAL_BRANCH, relation_full=100)
    world.party_org("九十九人总支", kind=K.GENERAL_BRANCH, relation_full=99)
    found = {
        c.party_organization_id: c for c in world.evaluate(AS_OF, "formation.branch_too_large")
    }
    assert set(found) == {big.pk, general.pk}
    assert "正式党员 51 名" in found[big.pk].explanation and "党总支" in found[big.pk].explanation
    assert "基层党委" in found[general.pk].explanation


# -- terms ---------------------------------------------------------------------------------
def test_term_starting_on_a_leap_day():
    # 3 years from 29 Feb 2020 end on 28 Feb 2023: overdue from 1 March 2023.
    assert add_years(D(2020, 2, 29), 3) == D(2023, 2, 28)
    assert latest_start_overdue(D(2023, 3, 1), 3, 0) == D(2020, 2, 29)
    assert latest_start_overdue(D(2023, 2, 28), 3, 0) < D(2020, 2, 29)


def test_term_overdue_around_the_deadline(world):
    # The term elected on 29 Feb 2020 ends on 28 Feb 2023; no extension was approved, so it
    # is overdue from the next day (it used to be assumed a year's extension: issue 17).
    leap = world.party_org("闰日换届支部", valid_from=D(2019, 1, 1), term_started_on=D(2020, 2, 29))
    assert world.evaluate(D(2023, 2, 28), "terms.overdue") == []
    (c,) = world.evaluate(D(2023, 3, 1), "terms.overdue")
    assert c.party_organization_id == leap.pk
    assert "2020-02-29" in c.explanation and "2023-02-28" in c.explanation
    assert "逾期 1 天" in c.explanation
    # A committee's term is five years: elected on 1 March 2020, overdue from 2 March 2025.
    committee = world.party_org("行业党委", kind=K.COMMITTEE, term_started_on=D(2020, 3, 1))
    assert subjects(world.evaluate(D(2025, 3, 1), "terms.overdue")) == {leap.pk}
    assert subjects(world.evaluate(D(2025, 3, 2), "terms.overdue")) == {leap.pk, committee.pk}


def test_secretary_vacant(world):
    po = world.party_org("书记离任支部", relation_full=4)
    Position.objects.filter(party_organization=po).update(valid_to=D(2025, 8, 31))
    assert world.evaluate(D(2025, 8, 31), "terms.secretary_vacant") == []
    (c,) = world.evaluate(AS_OF, "terms.secretary_vacant")
    assert c.evidence["vacant_since"] == "2025-09-01" and "空缺 75 天" in c.explanation
    never = world.party_org("从未配书记支部", secretary=False, valid_from=D(2025, 10, 1))
    assert never.pk in subjects(world.evaluate(AS_OF, "terms.secretary_vacant"))


# -- four standards --------------------------------------------------------------------------
def test_standards_list_every_standard_not_met_the_secretary_included(world):
    """四有 lists every standard not met; a vacant secretary post is one of them (before, it
    was left to 书记空缺 alone and the 四有不齐 count was short), pointing to that finding."""
    unit = world.unit("指导员组建协会", full=3)
    no_doc = world.party_org("无批文支部", units=[world.unit("甲协会", full=3)], approval="")
    instructor_made = world.party_org(
        "指导员组建支部", units=[unit], mode=PartyOrganization.FormationMode.INSTRUCTOR_DRIVEN
    )
    no_units = world.party_org("无覆盖支部", units=[])
    no_secretary = world.party_org(
        "无书记支部", units=[world.unit("乙协会", full=3)], secretary=False
    )
    complete = world.party_org("四有齐全支部", units=[world.unit("丙协会", full=3)])
    found = {c.party_organization_id: c for c in world.evaluate(AS_OF, "standards.incomplete")}
    assert set(found) == {no_doc.pk, instructor_made.pk, no_units.pk, no_secretary.pk}
    assert complete.pk not in found
    assert "批文" in found[no_doc.pk].explanation
    assert "派遣通知" in found[instructor_made.pk].explanation
    (secretary,) = found[no_secretary.pk].evidence["missing"]
    assert secretary["code"] == "secretary" and secretary["see_rule"] == "terms.secretary_vacant"
    # The branch was formed on 1 January 2019 without a secretary: vacant since then.
    assert found[no_secretary.pk].explanation == (
        "截至 2025-11-15，该党组织“四有”标准缺 1 项：（1）没有在任书记（自 2019-01-01 起空缺，"
        "见“书记空缺”）。"
    )
    assert no_secretary.pk in subjects(world.evaluate(AS_OF, "terms.secretary_vacant"))
    world.instructor(unit, notice_no="测指〔2019〕9号")
    found = subjects(world.evaluate(AS_OF, "standards.incomplete"))
    assert instructor_made.pk not in found


# -- organizational life ---------------------------------------------------------------------
def test_branch_formed_mid_quarter_owes_only_whole_periods(world):
    po = world.party_org("年中成立支部", valid_from=D(2025, 2, 10))
    # It meets in March only (theme day and general meeting), then nothing.
    world.meeting(po, "theme_day", D(2025, 3, 5))
    world.meeting(po, "general_meeting", D(2025, 3, 20))
    (c,) = world.evaluate(D(2025, 7, 15), "orglife.irregular")
    missing = c.evidence["missing"]
    # Q1 2025 and February are partial: not owed. Q2 is owed; March is met; April–June missing.
    assert missing["general_meeting"]["missing"] == ["2025Q2"]
    assert missing["party_lesson"]["missing"] == ["2025Q2"]
    assert missing["theme_day"]["missing"] == ["2025-04", "2025-05", "2025-06"]
    assert "life_meeting" not in missing  # 2025 is not over
    assert "共缺 5 次" in c.explanation and "2025年第二季度" in c.explanation


def test_the_window_of_an_organization_founded_or_dissolved_at_its_edges(world):
    """As of 15 October 2025, one year back: the periods checked run from January 2024 to the
    last whole quarter (2025Q3) and month (September 2025). An organization founded on the
    window's first day owes from it, one founded the day after from the next whole period,
    one founded the day before the same as the first; one dissolved on a quarter's last day
    owes that quarter, one dissolved the day before does not. Only the general meeting is
    judged (an override), and no meeting is held."""
    from dangjian.rulebook import params
    from dangjian.rulebook.models import RuleOverride

    shipped = params.value("orglife.irregular", "requirements", day=D(2025, 10, 15))
    RuleOverride.objects.create(
        federation=world.fed,
        rule_id="orglife.irregular",
        parameters={
            "requirements": {k: {"applies_to": []} for k in shipped if k != "general_meeting"}
        },
        valid_from=D(2019, 1, 1),
    )
    cases = {
        "first_day": (D(2024, 1, 1), None),
        "day_after": (D(2024, 1, 2), None),
        "day_before": (D(2023, 12, 31), None),
        "quarter_end": (D(2022, 5, 1), D(2025, 9, 30)),
        "day_before_end": (D(2022, 5, 1), D(2025, 9, 29)),
    }
    orgs = {
        name: world.party_org(f"边界{name}", valid_from=start, valid_to=end)
        for name, (start, end) in cases.items()
    }
    owed: dict[str, list[str]] = {name: [] for name in cases}
    by_pk = {po.pk: name for name, po in orgs.items()}
    for c in world.evaluate(D(2025, 10, 15), "orglife.irregular"):
        if c.party_organization_id in by_pk:
            missing = c.evidence["missing"]["general_meeting"]["missing"]
            owed[by_pk[c.party_organization_id]] += missing
    every = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    assert owed == {
        "first_day": every,
        "day_after": every[1:],
        "day_before": every,
        "quarter_end": every,
        "day_before_end": every[:-1],
    }


def test_last_day_of_a_quarter(world):
    po = world.party_org("季末支部", valid_from=D(2025, 1, 1))
    world.meet_regularly(po, D(2025, 1, 1), D(2025, 3, 31))
    world.meet_regularly(po, D(2025, 4, 1), D(2025, 6, 30), kinds=("theme_day", "party_lesson"))
    assert world.evaluate(D(2025, 6, 29), "orglife.irregular") == []
    (c,) = world.evaluate(D(2025, 6, 30), "orglife.irregular")
    assert c.evidence["missing"] == {
        "general_meeting": {"period": "quarter", "missing": ["2025Q2"]}
    }


def test_committee_meetings_only_where_a_committee_exists(world):
    small = world.party_org("无委员会支部", valid_from=D(2024, 1, 1))
    big = world.party_org("有委员会支部", valid_from=D(2024, 1, 1), posts=2, relation_full=7)
    for po in (small, big):
        world.meet_regularly(po, D(2024, 1, 1), AS_OF)
    found = world.evaluate(AS_OF, "orglife.irregular")
    assert subjects(found) == {big.pk}
    assert set(found[0].evidence["missing"]) == {"committee_meeting"}


def test_a_requirement_applies_to_its_organization_kinds_only(world):
    """A party committee owes a party lesson and a life meeting, not a branch's general
    meeting, theme day or democratic review; neither owes committee meetings without a
    committee. An override applying a requirement to no kind switches it off."""
    from dangjian.rulebook.models import RuleOverride

    committee = world.party_org("行业党委", kind=K.COMMITTEE, valid_from=D(2024, 1, 1))
    branch = world.party_org("未开会支部", valid_from=D(2024, 1, 1))

    def owed():
        kinds: dict[int, set[str]] = {committee.pk: set(), branch.pk: set()}
        for c in world.evaluate(AS_OF, "orglife.irregular"):
            kinds[c.party_organization_id] |= set(c.evidence["missing"])
        return kinds

    assert owed() == {
        committee.pk: {"party_lesson", "life_meeting"},
        branch.pk: {
            "general_meeting",
            "party_lesson",
            "theme_day",
            "life_meeting",
            "democratic_review",
        },
    }
    RuleOverride.objects.create(
        federation=world.fed,
        rule_id="orglife.irregular",
        parameters={"requirements": {"party_lesson": {"applies_to": []}}},
        valid_from=D(2019, 1, 1),
    )
    assert owed() == {
        committee.pk: {"life_meeting"},
        branch.pk: {"general_meeting", "theme_day", "life_meeting", "democratic_review"},
    }


def test_a_long_lookback_reads_every_period_of_every_year(world):
    """Five years back (2020-01 to 2025-10: more months than one mask block holds): a period
    is missing only when none of its months has a counted meeting, at the first and last
    month of a block as anywhere else."""
    from dangjian.orglife.models import Meeting
    from dangjian.orglife.services.journal import meetings_changed
    from dangjian.rulebook.models import RuleOverride

    RuleOverride.objects.create(
        federation=world.fed,
        rule_id="orglife.irregular",
        parameters={"lookback_years": 5},
        valid_from=D(2019, 1, 1),
    )
    po = world.party_org("五年支部", valid_from=D(2019, 1, 1))
    world.meet_regularly(po, D(2019, 1, 1), AS_OF)
    gaps = {
        "theme_day": [D(2020, 1, 1), D(2023, 12, 1), D(2024, 1, 1)],
        # The whole third quarter of 2024; of the third quarter of 2022, August only.
        "general_meeting": [D(2024, 7, 1), D(2024, 8, 1), D(2024, 9, 1)],
        "party_lesson": [D(2022, 8, 1)],
        # All of 2021; of 2024, every month but December.
        "life_meeting": [D(2021, m, 1) for m in range(1, 13)],
        "democratic_review": [D(2024, m, 1) for m in range(1, 12)],
    }
    for kind, days in gaps.items():
        Meeting.objects.filter(party_organization=po, kind=kind, held_on__in=days).delete()
    meetings_changed([po.pk])
    found = {
        c.period_key: c.evidence["missing"] for c in world.evaluate(AS_OF, "orglife.irregular")
    }
    assert found == {
        "2020": {"theme_day": {"period": "month", "missing": ["2020-01"]}},
        "2021": {"life_meeting": {"period": "year", "missing": ["2021"]}},
        "2023": {"theme_day": {"period": "month", "missing": ["2023-12"]}},
        "2024": {
            "general_meeting": {"period": "quarter", "missing": ["2024Q3"]},
            "theme_day": {"period": "month", "missing": ["2024-01"]},
        },
    }


def test_rule_revised_mid_year(world):
    from dangjian.rulebook.loader import Rulebook

    entries = shipped_entries()
    revised = dict(next(e for e in entries if e["id"] == "orglife.irregular"))
    revised["effective_from"] = D(2025, 7, 1)
    reqs = dict(revised["parameters"]["requirements"])
    reqs.pop("theme_day")  # the revision no longer asks for a monthly theme day
    revised["parameters"] = {**revised["parameters"], "requirements": reqs}
    book = Rulebook([*entries, revised])
    po = world.party_org("修订期间支部", valid_from=D(2025, 1, 1))
    world.meet_regularly(
        po, D(2025, 1, 1), D(2025, 10, 31), kinds=("general_meeting", "party_lesson")
    )
    (c,) = world.evaluate(D(2025, 11, 1), "orglife.irregular", book=book)
    # Theme days are owed January–June (the first revision), not July–October.
    assert c.evidence["missing"]["theme_day"]["missing"] == [f"2025-0{m}" for m in range(1, 7)]


# -- empty shell ---------------------------------------------------------------------------
def test_empty_shell_conditions(world):
    quiet = world.party_org("停摆支部", units=[world.unit("丙协会", full=4)], relation_full=4)
    world.meeting(quiet, "theme_day", D(2025, 5, 14))  # 6 months before 15 Nov is 15 May
    vacant = world.party_org("缺书记支部", units=[world.unit("丁协会", full=4)], relation_full=4)
    world.meet_regularly(vacant, D(2019, 1, 1), AS_OF)
    Position.objects.filter(party_organization=vacant).update(valid_to=D(2025, 8, 14))
    # Two full members in all (both hold their relation here, neither works in the unit).
    tiny = world.party_org("两人支部", units=[world.unit("戊协会")], relation_full=2)
    world.meet_regularly(tiny, D(2019, 1, 1), AS_OF)
    healthy = world.party_org("正常支部", units=[world.unit("己协会", full=4)], relation_full=4)
    world.meet_regularly(healthy, D(2019, 1, 1), AS_OF)
    found = {c.party_organization_id: c for c in world.evaluate(AS_OF, "shell.empty_branch")}
    assert set(found) == {quiet.pk, vacant.pk, tiny.pk}
    assert found[quiet.pk].evidence["conditions"][0]["code"] == "no_orglife"
    assert "2025-05-14" in found[quiet.pk].explanation
    assert found[vacant.pk].evidence["conditions"][0]["code"] == "secretary_vacant"
    assert "正式党员 2 名" in found[tiny.pk].explanation
    # One day less quiet, one day less vacant: not yet.
    world.meeting(quiet, "theme_day", D(2025, 5, 15))
    Position.objects.filter(party_organization=vacant).update(valid_to=D(2025, 8, 15))
    assert set(subjects(world.evaluate(AS_OF, "shell.empty_branch"))) == {tiny.pk}


def test_empty_shell_when_every_unit_left(world):
    unit = world.unit("已退会协会", full=3, left=D(2025, 3, 31))
    po = world.party_org("退会单位支部", units=[unit], relation_full=3)
    world.meet_regularly(po, D(2019, 1, 1), AS_OF)
    (c,) = world.evaluate(AS_OF, "shell.empty_branch")
    assert c.evidence["conditions"][0]["code"] == "units_gone"


# -- governance ----------------------------------------------------------------------------
def test_charter_and_decisions(world):
    unit = world.unit("章程协会", full=3)
    world.charter(unit, D(2019, 1, 1), False)
    po = world.party_org("章程协会党支部", units=[unit], valid_from=D(2025, 4, 1))
    assert subjects(world.evaluate(AS_OF, "governance.charter_lacks_clause")) == {unit.pk}
    world.charter(unit, D(2025, 6, 1), True)
    assert world.evaluate(AS_OF, "governance.charter_lacks_clause") == []
    assert world.evaluate(D(2025, 5, 31), "governance.charter_lacks_clause") != []
    # Before the branch existed, a decision without it is not a finding; after, it is.
    world.decision(unit, D(2025, 3, 16), False)
    assert world.evaluate(AS_OF, "governance.no_party_in_decisions") == []
    world.decision(unit, D(2025, 9, 1), False)
    (c,) = world.evaluate(AS_OF, "governance.no_party_in_decisions")
    assert "1 项重大决策" in c.explanation and "2025-09-01" in c.explanation
    assert c.period_key == "2025"
    assert po.pk


# -- dormancy and credit -------------------------------------------------------------------
def test_dormant_society_and_abnormal_list(world):
    unit = world.unit("沉寂协会", joined=D(2019, 1, 1))
    for year in (2019, 2020, 2021, 2022):
        AnnualInspection.objects.create(
            organization=unit, year=year, report_to_registrar_on=D(year + 1, 5, 1)
        )
    world.instructor(unit)  # work coverage, so it is not the needs-instructor case
    diligent = world.unit("按时报送协会", joined=D(2019, 1, 1))
    for year in range(2019, 2025):
        AnnualInspection.objects.create(
            organization=diligent, year=year, report_to_registrar_on=D(year + 1, 5, 1)
        )
    # As of 15 Nov 2025 the last due year is 2024: 2023 and 2024 are missing.
    dormant = world.evaluate(AS_OF, "dormancy.dormant_society")
    assert subjects(dormant) == {unit.pk}
    codes = [c["code"] for c in dormant[0].evidence["conditions"]]
    assert codes == ["no_annual_report", "inactive"]
    assert "2023—2024 年度连续 2 年未报送" in dormant[0].explanation
    # On 31 May 2024 the 2023 report is not yet late.
    assert world.evaluate(D(2024, 5, 31), "credit.abnormal_list_proposal") == []
    (c,) = world.evaluate(D(2024, 6, 1), "credit.abnormal_list_proposal")
    assert c.evidence["conditions"][0]["code"] == "annual_report_not_filed"
    Visit.objects.create(
        organization=unit,
        visited_on=D(2025, 10, 1),
        visitors="走访组",
        findings="人去楼空",
        unreachable_at_address=True,
    )
    (c,) = world.evaluate(AS_OF, "credit.abnormal_list_proposal")
    assert [x["code"] for x in c.evidence["conditions"]] == [
        "annual_report_not_filed",
        "unreachable",
    ]
    assert diligent.pk not in subjects(world.evaluate(AS_OF, "dormancy.dormant_society"))
    # Enterprises are not judged by the social-organization rules.
    firm = world.unit("沉寂公司", legal_form="enterprise", category="enterprise")
    assert firm.pk not in subjects(world.evaluate(AS_OF, "dormancy.dormant_society"))


def test_each_kind_of_activity_within_the_inactive_window(world):
    """Inactive = nothing recorded in the 12 months up to the day (15 Nov 2024 – 15 Nov 2025,
    both included): each source of activity on the window's first day keeps a society active;
    the day before it, or the day after the run's day, does not. A visit that found it gone,
    and a meeting only planned, are not activity."""
    since, before, after = D(2024, 11, 15), D(2024, 11, 14), AS_OF + datetime.timedelta(days=1)

    def decision(unit, day):
        world.decision(unit, day, True)

    def charter(unit, day):
        world.charter(unit, day, True)

    def registrar(unit, day):
        AnnualInspection.objects.create(organization=unit, year=2023, report_to_registrar_on=day)

    def supervisor(unit, day):
        AnnualInspection.objects.create(organization=unit, year=2023, report_to_supervisor_on=day)

    def visit(unit, day, gone=False):
        Visit.objects.create(
            organization=unit, visited_on=day, visitors="走访组", unreachable_at_address=gone
        )

    def meeting(unit, day, status=Meeting.Status.HELD):
        po = world.party_org(f"{unit.name}党支部", units=[unit])
        world.meeting(po, "general_meeting", day, status=status)

    sources = {"决策": decision, "章程": charter, "年报": registrar, "报主管": supervisor,
               "走访": visit, "会议": meeting}  # fmt: skip
    expected, named = {}, {}
    for name, record in sources.items():
        for label, day, inactive in (("当日", since, False), ("前一日", before, True),
                                     ("次日", after, True)):  # fmt: skip
            unit = named[name + label] = world.unit(f"{name}{label}协会", joined=D(2019, 1, 1))
            record(unit, day)
            expected[unit.pk] = inactive
    joined_on = world.unit("窗口首日加入协会", joined=since)
    joined_before = world.unit("前一日加入协会", joined=before)
    gone = world.unit("人去楼空协会", joined=D(2019, 1, 1))
    visit(gone, since, gone=True)
    planned = world.unit("只有计划协会", joined=D(2019, 1, 1))
    meeting(planned, since, status=Meeting.Status.PLANNED)
    nothing = world.unit("毫无记录协会", joined=D(2019, 1, 1))
    expected |= {joined_on.pk: False, joined_before.pk: True, gone.pk: True, planned.pk: True,
                 nothing.pk: True}  # fmt: skip

    found = {
        c.organization_id: c
        for c in world.evaluate(AS_OF, "dormancy.dormant_society")
        if "inactive" in [x["code"] for x in c.evidence["conditions"]]
    }
    assert {pk for pk, inactive in expected.items() if inactive} == set(found)
    day_before = found[named["决策前一日"].pk].explanation
    assert "最近一次活动记录为 2024-11-14，已 12 个月无活动记录" in day_before
    assert "最近一次活动记录为 2024-11-14" in found[joined_before.pk].explanation
    assert "最近一次活动记录为 2019-01-01" in found[nothing.pk].explanation
    # Only the units asked about are judged (an incremental run's path).
    engine = Engine(world.fed, AS_OF, rule_ids=["dormancy.dormant_society"])
    (ctx,) = engine.contexts("dormancy.dormant_society")
    judged = dormancy.dormant_units(ctx, ctx.params, {nothing.pk, joined_on.pk})
    assert set(judged) == {nothing.pk}


def test_missing_reports_only_where_the_federation_keeps_both_years(world, make_world):
    """As of 15 Nov 2025 the reports owed are 2023's and 2024's. A federation whose inspection
    ledger lacks either year (another federation's rows do not count) has no unit missing
    them: the ledger is not kept, not every report unfiled."""
    silent = world.unit("未报协会", joined=D(2019, 1, 1))
    filed = world.unit("已报协会", joined=D(2019, 1, 1))

    def missing():
        return {
            c.organization_id
            for c in world.evaluate(AS_OF, "dormancy.dormant_society")
            if "no_annual_report" in [x["code"] for x in c.evidence["conditions"]]
        }

    AnnualInspection.objects.create(organization=filed, year=2024, report_to_registrar_on=AS_OF)
    elsewhere = make_world().unit("外联合会协会", joined=D(2019, 1, 1))
    AnnualInspection.objects.create(organization=elsewhere, year=2023, exempt=True)
    assert missing() == set()
    AnnualInspection.objects.create(organization=filed, year=2023, report_to_supervisor_on=AS_OF)
    assert missing() == {silent.pk}


def test_abnormal_list_for_required_not_formed(world):
    unit = world.unit("应建协会", full=3)
    for year in range(2019, 2025):
        AnnualInspection.objects.create(
            organization=unit, year=year, report_to_registrar_on=D(year + 1, 3, 1)
        )
    (c,) = world.evaluate(AS_OF, "credit.abnormal_list_proposal")
    assert c.evidence["conditions"][0]["code"] == "no_party_organization"
    assert "正式党员 3 名" in c.explanation
    Coverage.objects.create(
        party_organization=world.party_org("应建协会党支部"),
        organization=unit,
        valid_from=D(2025, 1, 1),
    )
    assert world.evaluate(AS_OF, "credit.abnormal_list_proposal") == []
