"""Issue 11, problem 7: the ledger import bounds dates as the forms do (core.validators): nothing
before 1900, no party date before 1921-07-01, no past fact in the future, no unit fact before
the unit's founding. Each refusal is in Chinese, in the preview and the error workbook, and
nothing is written."""

import datetime

import openpyxl
import pytest

from dangjian.core import sealed
from dangjian.ledgers import services
from dangjian.orglife.models import Meeting
from dangjian.party.models import PartyMember
from dangjian.registry.models import Membership

from .conftest import make_id
from .helpers import MEMBER_HEADERS, commit, errors_by_row, upload, write_xlsx

pytestmark = pytest.mark.django_db
TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
HEADERS = [*MEMBER_HEADERS, "出生日期", "入职日期"]
PARTY_DATE = "入党、转正等党的日期不能早于 1921-07-01（中国共产党成立之日）。"


def _member(world, n, *, joined="2015-07-01", full="", birth="", employed=""):
    uscc = world.units[0].uscc
    return ["成员", "", make_id(n), "", "", joined, full, uscc, "", "", "否", birth, employed]


def test_member_dates_out_of_bounds_are_refused_and_nothing_is_written(world, tmp_path):
    unit = world.units[0]
    unit.founded_on = datetime.date(2012, 5, 1)
    unit.save()
    rows = [
        _member(world, 1),  # valid
        _member(world, 2, joined="1920-05-04"),  # before the party was founded
        _member(world, 3, full=TOMORROW),  # full membership tomorrow
        _member(world, 4, birth="1899-12-31"),  # before 1900 (and not the ID's birth date)
        _member(world, 5, employed="2012-04-30"),  # before the employer was founded
        _member(world, 6, joined=TOMORROW),
    ]
    item = upload(world, write_xlsx(tmp_path / "m.xlsx", [HEADERS, *rows]))
    errors = errors_by_row(item)
    assert item.counts["invalid"] == 5 and 2 not in errors
    assert errors[3]["joined_party_on"] == PARTY_DATE
    assert errors[4]["full_member_on"] == "日期不能是将来的日期。"
    assert "1900-01-01" in errors[5]["birth_date"]
    assert errors[6]["employed_from"] == "日期不能在单位成立（2012-05-01）之前。"
    assert errors[7]["joined_party_on"] == "日期不能是将来的日期。"
    # The user's own workbook comes back with the cells marked, in Chinese.
    book = openpyxl.load_workbook(sealed.open_read(services.archive_path_of(item.error_path)))
    notes = {
        c.coordinate: c.comment.text for row in book.active.iter_rows() for c in row if c.comment
    }
    assert notes["F3"] == PARTY_DATE and notes["M6"].startswith("日期不能在单位成立")
    before = PartyMember.objects.count()
    item = commit(world, item)  # all or nothing: the valid row is not written either
    assert item.status == "failed" and PartyMember.objects.count() == before


def test_unit_and_party_facts_are_bounded_too(world, tmp_path):
    unit = world.units[1]
    unit.founded_on = datetime.date(2016, 3, 1)
    unit.save()
    rows = [
        ["单位名称", "统一社会信用代码", "会员类别", "入会日期"],
        ["测试乙商会", unit.uscc, "会员单位", "2016-02-29"],  # before the unit was founded
    ]
    item = upload(world, write_xlsx(tmp_path / "ms.xlsx", rows), ledger="memberships")
    assert errors_by_row(item)[2]["valid_from"] == "日期不能在单位成立（2016-03-01）之前。"
    stored = Membership.objects.get(organization=unit).valid_from
    assert commit(world, item).status == "failed"
    assert Membership.objects.get(organization=unit).valid_from == stored
    meetings = [
        ["党组织名称", "会议类型", "召开日期", "主题"],
        ["测试甲协会党支部", "支部党员大会", "1921-06-30", "早于建党"],
        ["测试甲协会党支部", "党课", TOMORROW, "明天"],
    ]
    item = upload(world, write_xlsx(tmp_path / "mt.xlsx", meetings), ledger="meetings")
    errors = errors_by_row(item)
    assert errors[2]["held_on"] == PARTY_DATE
    assert errors[3]["held_on"] == "日期不能是将来的日期。"
    assert (
        commit(world, item).status == "failed"
        and not Meeting.objects.filter(party_organization=world.branch).exists()
    )
