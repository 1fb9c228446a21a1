"""The attendance ledger (会议签到台账): each member's attendance of a meeting already in the
ledger, written through orglife's services — so the meeting's numbers, quorum and whether it
counts are what the pages would have made of the same sign-in sheet."""

import datetime

import pytest

from dangjian.orglife.models import Attendance, Meeting
from dangjian.party.models import PartyMember
from dangjian.party.services import earliest_start, move_relation

from .conftest import make_id
from .helpers import commit, errors_by_row, upload, write_xlsx

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 3, 5)
HEADERS = ["党组织名称", "会议类型", "召开日期", "姓名", "公民身份号码", "出席情况", "缺席原因"]


@pytest.fixture
def branch(world):
    members = []
    for i in range(4):
        members.append(
            PartyMember.objects.create(
                name=f"签到{i}",
                gender="male",
                id_number=make_id(300 + i),
                joined_party_on=datetime.date(2010, 1, 1),
                full_member_on=datetime.date(2011, 1, 1),
            )
        )
        move_relation(
            members[-1], to=world.branch, on=earliest_start(members[-1], world.branch), actor=None
        )
    meetings = [
        ["党组织名称", "会议类型", "召开日期", "主题", "应到人数", "实到人数"],
        ["测试甲协会党支部", "支部党员大会", "2024-03-05", "学习会", 4, 4],
    ]
    commit(world, upload(world, write_xlsx(world.tmp / "m.xlsx", meetings), ledger="meetings"))
    return members


@pytest.fixture(autouse=True)
def tmp(world, tmp_path):
    world.tmp = tmp_path


def sheet(members, statuses):
    rows = [HEADERS]
    for m, (status, reason) in zip(members, statuses, strict=True):
        rows.append(
            ["测试甲协会党支部", "支部党员大会", "2024-03-05", m.name, m.id_number, status, reason]
        )
    return rows


def test_an_attendance_sheet_settles_the_meeting_as_the_pages_do(world, branch):
    rows = sheet(branch, [("出席", ""), ("出席", ""), ("缺席", "病假"), ("请假", "事假")])
    item = upload(world, write_xlsx(world.tmp / "a.xlsx", rows), ledger="attendance")
    assert item.counts["new"] == 4 and item.counts["invalid"] == 0
    commit(world, item)
    meeting = Meeting.objects.get(party_organization=world.branch, held_on=DAY)
    # 4 voters, 2 present: not more than half — held, but not the quarter's general meeting.
    assert (meeting.voters_expected, meeting.voters_present) == (4, 2)
    assert meeting.quorum_met is False and meeting.counts is False
    rows_written = Attendance.objects.filter(meeting=meeting)
    assert set(rows_written.values_list("method", flat=True)) == {"import"}
    assert set(rows_written.values_list("role", flat=True)) == {"voter"}
    assert rows_written.get(member=branch[2]).reason == "sick"
    # The corrected sheet (one more present) makes it count; importing it again changes nothing.
    fixed = sheet(branch, [("出席", ""), ("出席", ""), ("出席", ""), ("请假", "事假")])
    again = upload(world, write_xlsx(world.tmp / "b.xlsx", fixed), ledger="attendance")
    assert again.counts["changed"] == 1
    commit(world, again)
    meeting.refresh_from_db()
    assert meeting.counts is True and meeting.present_count == 3
    same = upload(world, write_xlsx(world.tmp / "c.xlsx", fixed), ledger="attendance")
    assert same.counts["unchanged"] == 4


def test_bad_rows_are_named_in_chinese(world, branch):
    rows = [
        HEADERS,
        [
            "测试甲协会党支部",
            "支部党员大会",
            "2024-03-06",
            "签到0",
            branch[0].id_number,
            "出席",
            "",
        ],
        [
            "测试甲协会党支部",
            "支部党员大会",
            "2024-03-05",
            "签到1",
            branch[1].id_number,
            "缺席",
            "",
        ],
        ["测试甲协会党支部", "支部党员大会", "2024-03-05", "无名", make_id(999), "出席", ""],
    ]
    item = upload(world, write_xlsx(world.tmp / "d.xlsx", rows), ledger="attendance")
    errors = errors_by_row(item)
    assert "请先导入组织生活台账" in errors[2]["held_on"]
    assert errors[3]["reason"] == "请填写缺席原因。"
    assert errors[4]["id_number"] == "台账中没有该身份证号码的党员；请先通过“党员台账”导入。"
