"""The workflows use the rulebook's numbers, with the federation's overrides: a federation that
changes a threshold in the rulebook sees its forms and tasks follow, not only its findings."""

import datetime

import pytest
from django.urls import reverse

from dangjian.applications.checks import (
    full_members_for_branch,
    joint_branch_max_units,
    term_years,
)
from dangjian.applications.models import FormationCase
from dangjian.registry.models import Federation, Organization
from dangjian.rulebook.models import RuleOverride

pytestmark = pytest.mark.django_db

SMALL_UNITS = ["天津市区块链协会", "天津市地理信息产业协会", "天津智链信息科技有限公司"]


def test_defaults_are_the_rulebooks():
    assert full_members_for_branch() == 3
    assert joint_branch_max_units() == 5
    assert term_years("branch") == 3
    assert term_years("general_branch") == 3
    assert term_years("committee") == 5


def test_a_federation_override_applies_from_its_date_and_down_the_tree(demo_federation):
    RuleOverride.objects.create(
        federation=demo_federation,
        rule_id="formation.joint_branch_too_many_units",
        parameters={"max_units": 3},
        valid_from=datetime.date(2025, 1, 1),
    )
    RuleOverride.objects.create(
        federation=demo_federation,
        rule_id="terms.overdue",
        parameters={"branch_term_years": 4},
        valid_from=datetime.date(2025, 1, 1),
    )
    assert joint_branch_max_units(demo_federation, datetime.date(2025, 1, 1)) == 3
    assert joint_branch_max_units(demo_federation, datetime.date(2024, 12, 31)) == 5
    assert term_years("branch", demo_federation, datetime.date(2025, 6, 1)) == 4
    assert term_years("committee", demo_federation, datetime.date(2025, 6, 1)) == 5
    below = Federation.objects.create(name="下级测试联合会", level="city", parent=demo_federation)
    assert joint_branch_max_units(below, datetime.date(2025, 1, 1)) == 3
    other = Federation.objects.create(name="另一测试联合会", level="city")
    assert joint_branch_max_units(other, datetime.date(2025, 1, 1)) == 5


def test_opening_a_joint_case_over_the_federations_cap_is_refused_on_the_field(
    officer_client, demo_federation
):
    RuleOverride.objects.create(
        federation=demo_federation,
        rule_id="formation.joint_branch_too_many_units",
        parameters={"max_units": 2},
        valid_from=datetime.date(2020, 1, 1),
    )
    units = list(Organization.objects.filter(name__in=SMALL_UNITS))
    assert len(units) == 3
    response = officer_client.post(
        reverse("applications:formation_open"),
        {
            "name": "测试联合党支部",
            "kind": "joint_branch",
            "mode": "via_supervisor",
            "units": [u.pk for u in units],
        },
    )
    assert response.status_code == 200
    assert "联合党支部最多覆盖 2 个单位，现选择了 3 个。" in response.content.decode()
    assert not FormationCase.objects.filter(name="测试联合党支部").exists()


def test_the_revision_in_force_is_read_and_the_last_one_after_the_end(monkeypatch):
    from dangjian.rulebook import params
    from dangjian.rulebook.loader import Rulebook

    base = {
        "id": "formation.joint_branch_too_many_units",
        "kind": "joint_branch_too_many_units",
        "subject": "party_organization",
        "title_zh": "联合党支部覆盖单位过多",
        "title_en": "Joint branch covers too many units",
        "source": "测试",
        "severity": "warning",
    }
    book = Rulebook(
        [
            {
                **base,
                "effective_from": datetime.date(2018, 1, 1),
                "parameters": {"max_units": 3},
                "effective_to": datetime.date(2020, 12, 31),
            },
            {
                **base,
                "effective_from": datetime.date(2021, 1, 1),
                "parameters": {"max_units": 7},
                "effective_to": datetime.date(2024, 12, 31),
            },
        ]
    )
    monkeypatch.setattr(params, "load", lambda: book)
    assert joint_branch_max_units(day=datetime.date(2017, 6, 1)) == 3  # before: the first
    assert joint_branch_max_units(day=datetime.date(2020, 12, 31)) == 3
    assert joint_branch_max_units(day=datetime.date(2021, 1, 1)) == 7
    assert joint_branch_max_units(day=datetime.date(2026, 6, 1)) == 7  # after: the last


def _to_do(html: str) -> str:
    """The "units that should form a branch" box of the formation page ('' when absent)."""
    start = html.find('id="qualifying"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def test_the_formation_to_do_list_uses_the_federations_threshold(officer_client, demo_federation):
    url = reverse("applications:formation_list")
    html = officer_client.get(url).content.decode()
    # 4 full members and no party organization: over the rulebook's 3.
    assert "正式党员 3 名以上" in html and "天津市网络直播行业协会" in _to_do(html)
    RuleOverride.objects.create(
        federation=demo_federation,
        rule_id="formation.required_not_formed",
        parameters={"min_full_members": 5},
        valid_from=datetime.date(2018, 1, 1),
    )
    html = officer_client.get(url).content.decode()
    assert "天津市网络直播行业协会" not in _to_do(html)
