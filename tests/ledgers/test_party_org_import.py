"""The party-organization ledger over a branch's whole life: one dissolved in the same row that
forms it keeps its coverage for the period it existed, and the preview says so."""

import datetime

import pytest

from dangjian.party.models import Coverage, PartyOrganization
from dangjian.rules import coverage

from .helpers import commit, upload
from .samples import write_rows

pytestmark = pytest.mark.django_db


def dissolved_row(world, **extra):
    return {
        "党组织名称": "测试乙商会原党支部",
        "党组织类别": "党支部",
        "成立日期": "2020-09-01",
        "覆盖单位统一社会信用代码": world.units[1].uscc,
        "撤销日期": "2022-05-31",
        **extra,
    }


def test_a_branch_dissolved_in_the_same_row_keeps_its_coverage(world, tmp_path):
    item = upload(
        world, write_rows(tmp_path / "p.xlsx", [dissolved_row(world)]), "party_organizations"
    )
    assert item.counts["new"] == 1
    [(_n, label, status, fields)] = item.preview["changes"]
    assert (label, status) == ("测试乙商会原党支部", "new")
    assert fields["覆盖单位统一社会信用代码"] == ["", "测试乙商会（2020-09-01 至 2022-05-31）"]
    commit(world, item)
    branch = PartyOrganization.objects.get(name="测试乙商会原党支部")
    assert branch.status == PartyOrganization.Status.DISSOLVED
    [cover] = Coverage.objects.filter(party_organization=branch)
    assert cover.organization == world.units[1]
    assert (cover.valid_from, cover.valid_to) == (
        datetime.date(2020, 9, 1),
        datetime.date(2022, 5, 31),
    )
    # Both units were members from 2020-01-01; 甲 is covered by its branch from 2020-06-01.
    scope = coverage.Scope(world.federation)
    assert coverage.compute(scope, datetime.date(2020, 8, 31)).organizational == 1
    assert coverage.compute(scope, datetime.date(2020, 9, 1)).organizational == 2
    assert coverage.compute(scope, datetime.date(2022, 5, 31)).organizational == 2
    assert coverage.compute(scope, datetime.date(2022, 6, 1)).organizational == 1


def test_dissolving_a_stored_branch_ends_its_coverage_on_that_day(world, tmp_path):
    row = {k: v for k, v in dissolved_row(world).items() if k != "撤销日期"}
    commit(world, upload(world, write_rows(tmp_path / "a.xlsx", [row]), "party_organizations"))
    item = upload(
        world, write_rows(tmp_path / "b.xlsx", [dissolved_row(world)]), "party_organizations"
    )
    assert item.counts["changed"] == 1
    commit(world, item)
    [cover] = Coverage.objects.filter(party_organization__name="测试乙商会原党支部")
    assert cover.valid_to == datetime.date(2022, 5, 31)
    again = upload(
        world, write_rows(tmp_path / "c.xlsx", [dissolved_row(world)]), "party_organizations"
    )
    assert again.counts["unchanged"] == 1


def test_a_dissolved_branch_stored_without_coverage_gets_it_on_reimport(world, tmp_path):
    """Imports before the fix left such branches without coverage: importing the same row again
    adds the coverage for the period the branch existed (and says so) instead of nothing."""
    from dangjian.party import bulk

    [branch] = bulk.form_party_organizations_bulk(
        world.federation,
        [
            {
                "name": "测试乙商会原党支部",
                "kind": "branch",
                "valid_from": datetime.date(2020, 9, 1),
                "valid_to": datetime.date(2022, 5, 31),
                "status": "dissolved",
            }
        ],
        actor=None,
    )
    item = upload(
        world, write_rows(tmp_path / "p.xlsx", [dissolved_row(world)]), "party_organizations"
    )
    assert item.counts["changed"] == 1
    [(_n, _label, _status, fields)] = item.preview["changes"]
    assert fields["覆盖单位统一社会信用代码"] == ["", "测试乙商会（2020-09-01 至 2022-05-31）"]
    commit(world, item)
    [cover] = Coverage.objects.filter(party_organization=branch)
    assert (cover.valid_from, cover.valid_to) == (
        datetime.date(2020, 9, 1),
        datetime.date(2022, 5, 31),
    )
