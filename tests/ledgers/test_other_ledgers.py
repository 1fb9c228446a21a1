"""Units, memberships, party organizations with coverage, positions, instructors, meetings:
upsert on stable keys, facts closed rather than deleted, re-import changes nothing."""

import datetime

import pytest

from dangjian.ledgers.models import LedgerUpload
from dangjian.orglife.models import Meeting
from dangjian.party.models import (
    Coverage,
    Instructor,
    InstructorAssignment,
    PartyOrganization,
    Position,
)
from dangjian.registry.models import Membership, Organization

from .conftest import make_id, make_uscc
from .helpers import MEMBER_HEADERS, commit, errors_by_row, upload, write_xlsx

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ORG_HEADERS = [
    "单位名称",
    "统一社会信用代码",
    "法人类型",
    "单位类别",
    "所在区",
    "成立日期",
    "会员类别",
    "入会日期",
]


def imported(world, tmp_path, ledger, rows, name="f.xlsx"):
    item = upload(world, write_xlsx(tmp_path / name, rows), ledger=ledger)
    return item


def test_organizations_upsert_on_credit_code(world, tmp_path):
    rows = [
        ORG_HEADERS,
        [
            "测试丙学会",
            make_uscc(3),
            "社会团体",
            "学会",
            "和平区",
            "2019年6月28日",
            "理事",
            "2021-01-01",
        ],
        ["测试甲协会", world.units[0].uscc, "社会团体", "协会", "南开区", "", "", ""],
        ["测试丁", make_uscc(1, "91"), "企业", "企业", "", "", "", ""],  # bad check digit via type
        ["测试戊", "12345", "社会团体", "协会", "", "", "", ""],
    ]
    rows[3][1] = rows[3][1][:-1] + ("0" if rows[3][1][-1] != "0" else "1")
    item = imported(world, tmp_path, "organizations", rows)
    assert item.counts == {"new": 1, "changed": 1, "unchanged": 0, "invalid": 2, "rows": 4}
    assert set(errors_by_row(item)) == {4, 5}
    changes = {label: f for _n, label, _s, f in item.preview["changes"]}
    assert changes["测试甲协会"] == {"所在区": ["", "南开区"]}
    commit(world, item, valid_only=True)
    new = Organization.objects.get(uscc=make_uscc(3))
    assert new.founded_on == datetime.date(2019, 6, 28) and new.category == "society"
    membership = Membership.objects.get(organization=new, federation=world.federation)
    assert membership.role == "director" and membership.valid_from == datetime.date(2021, 1, 1)
    world.units[0].refresh_from_db()
    assert world.units[0].district == "南开区"
    del rows[3:5]
    again = imported(world, tmp_path, "organizations", rows, "g.xlsx")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 2, "invalid": 0, "rows": 2}


def test_unit_of_another_federation_cannot_be_changed(world, tmp_path):
    outsider = Organization.objects.create(
        name="外地协会", uscc=make_uscc(77), legal_form="social_group", category="association"
    )
    rows = [ORG_HEADERS, ["外地协会", outsider.uscc, "社会团体", "协会", "和平区", "", "", ""]]
    item = imported(world, tmp_path, "organizations", rows)
    assert item.counts["invalid"] == 1
    assert "不能在此修改" in errors_by_row(item)[2]["uscc"]


def test_membership_exit_closes_the_period(world, tmp_path):
    rows = [
        ["单位名称", "统一社会信用代码", "会员类别", "入会日期", "退会日期"],
        ["测试乙商会", world.units[1].uscc, "会员单位", "2020-01-01", "2024年12月31日"],
    ]
    item = imported(world, tmp_path, "memberships", rows)
    assert item.counts["changed"] == 1
    commit(world, item)
    m = Membership.objects.get(organization=world.units[1], federation=world.federation)
    assert m.valid_to == datetime.date(2024, 12, 31)
    assert Organization.objects.filter(pk=world.units[1].pk).exists()  # nothing deleted


def test_party_organizations_with_coverage(world, tmp_path):
    headers = [
        "党组织名称",
        "党组织类别",
        "上级党组织",
        "成立日期",
        "覆盖单位统一社会信用代码",
        "覆盖方式",
    ]
    rows = [
        headers,
        [
            "测试联合党支部",
            "联合党支部",
            "测试行业党委",
            "2021-03-01",
            f"{world.units[0].uscc}、{world.units[1].uscc}",
            "联合",
        ],
        ["测试行业党委", "党委", "", "2019-01-01", "", ""],
    ]
    item = imported(world, tmp_path, "party_organizations", rows)
    assert item.counts == {"new": 2, "changed": 0, "unchanged": 0, "invalid": 0, "rows": 2}
    commit(world, item)
    joint = PartyOrganization.objects.get(name="测试联合党支部")
    assert joint.parent.name == "测试行业党委"  # the parent came later in the file
    assert set(joint.coverages.values_list("organization", flat=True)) == {
        u.pk for u in world.units
    }
    assert set(joint.coverages.values_list("kind", flat=True)) == {"joint"}
    # The list shrinks: the dropped unit's coverage ends today, nothing is deleted.
    rows[1][4] = world.units[0].uscc
    item = imported(world, tmp_path, "party_organizations", rows, "g.xlsx")
    assert item.counts["changed"] == 1 and item.counts["unchanged"] == 1
    commit(world, item)
    dropped = Coverage.objects.get(party_organization=joint, organization=world.units[1])
    assert dropped.valid_to == TODAY
    assert (
        Coverage.objects.get(party_organization=joint, organization=world.units[0]).valid_to is None
    )
    again = imported(world, tmp_path, "party_organizations", rows, "h.xlsx")
    assert again.counts["unchanged"] == 2


def test_unknown_parent_party_organization(world, tmp_path):
    rows = [
        ["党组织名称", "党组织类别", "上级党组织", "成立日期"],
        ["测试支部", "党支部", "不存在的党委", "2021-03-01"],
    ]
    item = imported(world, tmp_path, "party_organizations", rows)
    assert "不存在的党委" in errors_by_row(item)[2]["parent"]


def test_positions_need_the_member_in_the_ledger(world, tmp_path):
    member_row = [
        "张三",
        "男",
        make_id(11),
        "",
        "",
        "2015-07-01",
        "",
        world.units[0].uscc,
        "",
        "",
        "否",
    ]
    commit(world, upload(world, write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, member_row])))
    rows = [
        ["党组织名称", "姓名", "公民身份号码", "职务", "任职日期", "离任日期"],
        ["测试甲协会党支部", "张三", make_id(11), "书记", "2021-01-01", ""],
        ["测试甲协会党支部", "李四", make_id(22), "委员", "2021-01-01", ""],
    ]
    item = imported(world, tmp_path, "positions", rows)
    assert item.counts["new"] == 1 and item.counts["invalid"] == 1
    assert "党员台账" in errors_by_row(item)[3]["id_number"]
    commit(world, item, valid_only=True)
    position = Position.objects.get(party_organization=world.branch)
    assert position.role == "secretary" and position.valid_to is None
    rows[1][5] = "2024-06-30"
    item = imported(world, tmp_path, "positions", rows[:2], "p2.xlsx")
    assert item.counts["changed"] == 1
    commit(world, item)
    position.refresh_from_db()
    assert position.valid_to == datetime.date(2024, 6, 30)


def test_instructors_and_assignments(world, tmp_path):
    rows = [
        [
            "姓名",
            "类型",
            "选派单位",
            "选派通知文号",
            "派驻单位统一社会信用代码",
            "派驻开始日期",
            "派驻结束日期",
        ],
        [
            "周指导",
            "党建工作指导员",
            "测试行业党委",
            "测党〔2024〕3号",
            world.units[1].uscc,
            "2024-03-01",
            "",
        ],
    ]
    item = imported(world, tmp_path, "instructors", rows)
    assert item.counts["new"] == 1
    commit(world, item)
    assignment = InstructorAssignment.objects.get(organization=world.units[1])
    assert assignment.instructor.name == "周指导" and assignment.notice_no == "测党〔2024〕3号"
    rows[1][6] = "2025-02-28"
    item = imported(world, tmp_path, "instructors", rows, "i2.xlsx")
    assert item.counts["changed"] == 1
    commit(world, item)
    assignment.refresh_from_db()
    assert assignment.valid_to == datetime.date(2025, 2, 28)
    assert Instructor.objects.filter(name="周指导").count() == 1


def test_meetings(world, tmp_path):
    rows = [
        ["党组织名称", "会议类型", "召开日期", "主题", "应到人数", "实到人数"],
        ["测试甲协会党支部", "支部党员大会", "2024年3月5日", "学习会", "10", 9.0],
        ["测试甲协会党支部", "党课", "2024-04-01", "", 10, 12],
        ["测试甲协会党支部", "茶话会", "2024-04-02", "", "", ""],
    ]
    item = imported(world, tmp_path, "meetings", rows)
    assert item.counts == {"new": 1, "changed": 0, "unchanged": 0, "invalid": 2, "rows": 3}
    assert set(errors_by_row(item)[3]) == {"present_count"}
    assert set(errors_by_row(item)[4]) == {"kind"}
    commit(world, item, valid_only=True)
    meeting = Meeting.objects.get(party_organization=world.branch)
    assert meeting.held_on == datetime.date(2024, 3, 5) and meeting.present_count == 9
    again = imported(world, tmp_path, "meetings", rows[:2], "m2.xlsx")
    assert again.counts["unchanged"] == 1
    assert LedgerUpload.objects.filter(federation=world.federation).count() == 2


def test_meetings_are_matched_a_chunk_at_a_time(world, tmp_path, monkeypatch):
    """Each chunk reads the stored meetings of its own branches and days: a re-import across
    chunks finds every meeting again, changed or not, and one of another day stays new."""
    from dangjian.ledgers.handlers.validity import MeetingHandler

    monkeypatch.setattr(MeetingHandler, "chunk_size", 2)
    header = ["党组织名称", "会议类型", "召开日期", "主题", "应到人数", "实到人数"]
    rows = [
        header,
        *(["测试甲协会党支部", "党课", f"2024-05-0{d}", f"第{d}课", 10, 8] for d in range(1, 6)),
    ]
    commit(world, imported(world, tmp_path, "meetings", rows))
    assert Meeting.objects.filter(party_organization=world.branch).count() == 5
    again = [*rows[:3], ["测试甲协会党支部", "党课", "2024-05-03", "第3课", 10, 9], *rows[4:]]
    again.append(["测试甲协会党支部", "党课", "2024-05-09", "第9课", 10, 7])
    item = imported(world, tmp_path, "meetings", again, "m2.xlsx")
    assert item.counts == {"new": 1, "changed": 1, "unchanged": 4, "invalid": 0, "rows": 6}
    commit(world, item)
    assert Meeting.objects.get(topic="第3课").present_count == 9
    assert Meeting.objects.filter(party_organization=world.branch).count() == 6


def test_the_import_writes_through_the_fact_services(world, tmp_path):
    """New facts get the services' events, changed ones a field-level record each, all with the
    importing user and the import's note (tests/test_services_only.py keeps it that way)."""
    from dangjian.core.models import AuditLog

    headers = ["党组织名称", "党组织类别", "成立日期", "覆盖单位统一社会信用代码", "覆盖方式"]
    row = ["测试党支部", "党支部", "2021-03-01", world.units[0].uscc, "单独"]
    commit(world, imported(world, tmp_path, "party_organizations", [headers, row]))
    branch = PartyOrganization.objects.get(name="测试党支部")
    created = AuditLog.objects.get(
        action=AuditLog.Action.CREATE,
        object_type="party.partyorganization",
        object_id=str(branch.pk),
    )
    assert created.actor == world.user and created.note == "ledger import"
    added = AuditLog.objects.get(event_type="party.coverages_added")
    assert added.actor == world.user and added.changes["created"] == 1
    # The coverage moves to the other unit: the old one ends today, audited field by field.
    row[3] = world.units[1].uscc
    commit(world, imported(world, tmp_path, "party_organizations", [headers, row], "g.xlsx"))
    ended = Coverage.objects.get(party_organization=branch, organization=world.units[0])
    assert ended.valid_to == TODAY
    record = AuditLog.objects.get(
        action=AuditLog.Action.UPDATE, object_type="party.coverage", object_id=str(ended.pk)
    )
    assert record.changes["fields"]["valid_to"] == [None, str(TODAY)]
    assert record.actor == world.user and record.note == "ledger import"
