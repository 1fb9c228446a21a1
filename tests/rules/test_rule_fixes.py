"""The three rule fixes of issue 17 (point 4) at their boundaries, computed by hand."""

import datetime

import pytest

from dangjian.party.models import Coverage
from dangjian.registry.models import Organization
from dangjian.rulebook.services import set_override
from dangjian.rules.models import Finding

D = datetime.date
pytestmark = pytest.mark.django_db
AS_OF = D(2025, 11, 15)
CHARTER = "governance.charter_lacks_clause"
DECISIONS = "governance.no_party_in_decisions"
LF = Organization.LegalForm


def by_unit(candidates):
    return {c.organization_id: c for c in candidates}


# -- the charter clause: social organizations only (its source) -----------------------------
@pytest.mark.parametrize(
    ("legal_form", "flagged"),
    [
        (LF.SOCIAL_GROUP, True),
        (LF.PRIVATE_NON_ENTERPRISE, True),
        (LF.FOUNDATION, True),
        (LF.ENTERPRISE, False),
        (LF.OTHER, False),
    ],
)
def test_the_charter_rule_judges_social_organizations_only(world, legal_form, flagged):
    unit = world.unit("章程单位", legal_form=legal_form)
    world.charter(unit, D(2019, 3, 1), False)
    found = by_unit(world.evaluate(AS_OF, CHARTER))
    assert (unit.pk in found) == flagged
    if flagged:
        assert found[unit.pk].explanation == (
            "该单位现行章程（2019-03-01 通过）未写入党的建设有关内容，截至 2025-11-15 尚未修订。"
        )


def test_a_federation_may_add_its_enterprises_to_the_charter_rule(world):
    company = world.unit("网络科技有限公司", legal_form=LF.ENTERPRISE)
    world.charter(company, D(2019, 3, 1), False)
    assert world.evaluate(AS_OF, CHARTER) == []
    set_override(
        world.fed,
        CHARTER,
        {"applies_to_legal_forms": ["social_group", "enterprise"]},
        D(2025, 1, 1),
        actor=None,
    )
    assert set(by_unit(world.evaluate(AS_OF, CHARTER))) == {company.pk}


# -- major decisions: silence is flagged too, lower -----------------------------------------
D2019 = D(2019, 1, 1)


def covered_unit(world, name, *, since=D2019, until=None):
    unit = world.unit(name, full=3)
    po = world.party_org(f"{name}党支部", units=[unit], valid_from=since)
    Coverage.objects.filter(party_organization=po).update(valid_to=until)
    return unit


def test_decisions_without_the_party_and_silent_years(world):
    """As of 15 November 2025 the window is 2024 (ended) and 2025 (to date).

    * 有记录: covered all 2024, one decision with the party → nothing;
    * 无记录: covered all 2024, no decision at all → 2024, lower severity (information);
    * 被排除: covered all 2024, a decision without the party on 10 May 2024 → 2024, warning;
    * 年中覆盖: covered from 1 March 2024 → 2024 not judged for silence;
    * 2025 has not ended: no silence finding for it, but the decision without the party on
      1 September 2025 (被排除) is a warning for 2025.
    """
    kept = covered_unit(world, "有记录")
    world.decision(kept, D(2024, 3, 16), True)
    silent = covered_unit(world, "无记录")
    excluded = covered_unit(world, "被排除")
    world.decision(excluded, D(2024, 5, 10), False)
    world.decision(excluded, D(2025, 9, 1), False)
    late = covered_unit(world, "年中覆盖", since=D(2024, 3, 1))
    found = {(c.organization_id, c.period_key): c for c in world.evaluate(AS_OF, DECISIONS)}
    assert set(found) == {(silent.pk, "2024"), (excluded.pk, "2024"), (excluded.pk, "2025")}
    assert late.pk and kept.pk
    quiet = found[(silent.pk, "2024")]
    assert quiet.severity == "info"
    assert quiet.explanation == (
        "2024 年该单位全年由党组织覆盖（2024-01-01 至 2024-12-31），"
        "但没有一项重大决策有党组织参与的记录（全年记录重大决策 0 项）。"
    )
    assert found[(excluded.pk, "2024")].severity is None  # the rule's own: warning
    assert found[(excluded.pk, "2024")].explanation == (
        "2024 年（截至 2024-12-31）该单位有 1 项重大决策没有党组织参与的记录：2024-05-10“年度预算”。"
    )
    assert "2025-09-01“年度预算”" in found[(excluded.pk, "2025")].explanation


def test_a_silent_year_is_judged_on_its_last_day(world):
    silent = covered_unit(world, "年末判断")
    world.decision(silent, D(2023, 3, 16), True)  # 2023, also in the window, is not silent
    assert world.evaluate(D(2024, 12, 30), DECISIONS) == []
    (c,) = world.evaluate(D(2024, 12, 31), DECISIONS)
    assert (c.organization_id, c.period_key, c.severity) == (silent.pk, "2024", "info")
    # Covered on 1 January but no longer on 31 December: not a whole year.
    ended = covered_unit(world, "年内撤销覆盖", until=D(2024, 12, 30))
    world.decision(ended, D(2023, 3, 16), True)
    assert ended.pk not in by_unit(world.evaluate(D(2024, 12, 31), DECISIONS))


def test_the_findings_carry_their_severity_and_change_it_with_the_facts(world):
    unit = covered_unit(world, "先无后有")
    world.run(AS_OF, [DECISIONS])
    f = Finding.objects.get(rule_id=DECISIONS, organization=unit)
    assert (f.period_key, f.severity, f.status) == ("2024", "info", "open")
    # A decision of 2024 taken without the party is recorded later: the higher severity.
    world.decision(unit, D(2024, 6, 1), False)
    world.run(AS_OF + datetime.timedelta(days=1), [DECISIONS])
    f.refresh_from_db()
    assert f.severity == "warning" and "1 项重大决策没有党组织参与" in f.explanation
    assert [o.severity for o in f.observations.order_by("as_of")] == ["info", "warning"]


def test_an_overridden_severity_must_be_a_severity(world):
    covered_unit(world, "错误参数")
    set_override(world.fed, DECISIONS, {"no_record_severity": "严重"}, D(2024, 1, 1), actor=None)
    (c,) = world.evaluate(AS_OF, DECISIONS)
    assert c.severity == "info"
    set_override(world.fed, DECISIONS, {"no_record_severity": "warning"}, D(2024, 1, 1), actor=None)
    (c,) = world.evaluate(AS_OF, DECISIONS)
    assert c.severity == "warning"


# -- 四有: 有书记 listed ------------------------------------------------------------------------
def test_a_vacant_secretary_appears_among_the_four_standards(world):
    from dangjian.party.models import Position

    unit = world.unit("书记离任协会", full=3)
    po = world.party_org("书记离任支部", units=[unit], relation_full=3)
    world.run(AS_OF, ["standards.incomplete"])
    assert not Finding.objects.filter(party_organization=po).exists()
    # The secretary left on 31 August 2025: from 1 September the post is vacant.
    Position.objects.filter(party_organization=po).update(valid_to=D(2025, 8, 31))
    assert world.evaluate(D(2025, 8, 31), "standards.incomplete") == []
    (c,) = world.evaluate(D(2025, 9, 1), "standards.incomplete")
    assert c.evidence["missing"] == [
        {
            "code": "secretary",
            "text": "没有在任书记（自 2025-09-01 起空缺，见“书记空缺”）",
            "see_rule": "terms.secretary_vacant",
        }
    ]
    assert c.explanation == (
        "截至 2025-09-01，该党组织“四有”标准缺 1 项：（1）没有在任书记（自 2025-09-01 起空缺，"
        "见“书记空缺”）。"
    )
