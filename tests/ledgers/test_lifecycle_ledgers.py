"""The ledgers of a member's life: recruitment steps (发展党员工作台账), past transfers of the
组织关系 (组织关系转接台账) and flowing members (流动党员台账). Rows go through the recruitment,
transfers and party services in date order, so a refused row carries the service's Chinese
message (with its article) in the preview and the marked workbook; an identical file imported
again changes nothing; the exports come in the officers' forms."""

import datetime
import io

import openpyxl
import pytest

from dangjian.core import numbering, sealed
from dangjian.core.models import AuditLog
from dangjian.ledgers import services
from dangjian.party.models import Employment, FlowingPeriod, PartyMember, PartyOrganization
from dangjian.party.queries import relation_on
from dangjian.party.services import earliest_start, move_relation
from dangjian.recruitment.models import Applicant
from dangjian.transfers import services as transfer_services
from dangjian.transfers.models import Transfer

from .conftest import make_id
from .helpers import commit, errors_by_row, upload, write_xlsx

pytestmark = pytest.mark.django_db
D = datetime.date
WANG = make_id(501, D(2000, 1, 1))
ZHAO = make_id(502, D(2006, 3, 2))  # 17 on 2024-03-01, 18 on 2024-03-02
RHEADERS = [
    "党支部",
    "姓名",
    "公民身份号码",
    "发展步骤",
    "日期",
    "培养联系人",
    "确定机构",
    "推荐方式",
]
CITE = "《中国共产党发展党员工作细则（2014）》"


@pytest.fixture(autouse=True)
def tmp(world, tmp_path):
    world.tmp = tmp_path


def member(world, n, name, relation=True, joined=None):
    joined = joined or D(2010, 1, 1)
    m = PartyMember.objects.create(
        name=name,
        gender="male",
        id_number=make_id(n),
        joined_party_on=joined,
        full_member_on=joined.replace(year=joined.year + 1),
    )
    if relation:
        move_relation(m, to=world.branch, on=earliest_start(m, world.branch), actor=None)
    else:  # in the officer's scope through their employer
        Employment.objects.create(member=m, organization=world.units[0], valid_from=joined)
    return m


def wang(step, day, contacts="", decided="", method=""):
    return ["测试甲协会党支部", "王五", WANG, step, day, contacts, decided, method]


def marked(item) -> dict[str, str]:
    """The error workbook's cell comments, by coordinate."""
    book = openpyxl.load_workbook(sealed.open_read(services.archive_path_of(item.error_path)))
    return {
        c.coordinate: c.comment.text for row in book.active.iter_rows() for c in row if c.comment
    }


# -- recruitment -----------------------------------------------------------------------------


def test_recruitment_steps_are_recorded_in_date_order_through_the_service(world):
    member(world, 601, "联系人甲")
    member(world, 602, "联系人乙")
    rows = [
        RHEADERS,
        # Out of order on purpose: played by date. 1 year after 2024-04-01 is 2025-04-01.
        wang("确定发展对象", "2025-04-01"),
        wang("递交入党申请书", "2024-03-01"),
        wang("党组织派人谈话", "2024-03-20"),
        wang("推荐和确定入党积极分子", "2024-04-01", decided="支部委员会", method="党员推荐"),
        wang("上级党委备案", "2024-04-05"),
        wang("指定培养联系人", "2024-04-10", contacts="联系人甲、联系人乙"),
    ]
    path = write_xlsx(world.tmp / "r.xlsx", rows)
    item = upload(world, path, "recruitment")
    assert item.counts["new"] == 6 and item.counts["invalid"] == 0, item.preview["errors"]
    mine = Applicant.objects.filter(branch=world.branch)
    assert not mine.exists()  # the check wrote nothing
    item = commit(world, item)
    assert item.status == "committed", item.message
    applicant = mine.get()
    assert (applicant.name, applicant.applied_on, applicant.birth_date) == (
        "王五",
        D(2024, 3, 1),
        D(2000, 1, 1),
    )
    assert (applicant.stage, applicant.last_step) == ("candidate", "candidate")
    steps = list(applicant.steps.order_by("done_on").values_list("code", "done_on", "article"))
    assert steps == [
        ("application", D(2024, 3, 1), "第五条、第六条"),
        ("talk", D(2024, 3, 20), "第七条"),
        ("activist", D(2024, 4, 1), "第八条"),
        ("activist_filed", D(2024, 4, 5), "第八条"),
        ("contacts", D(2024, 4, 10), "第九条"),
        ("candidate", D(2025, 4, 1), "第十三条"),
    ]
    contacts = applicant.steps.get(code="contacts").members.values_list("name", flat=True)
    assert sorted(contacts) == ["联系人乙", "联系人甲"]
    assert applicant.steps.get(code="activist").data == {
        "decided_by": "branch_committee",
        "method": "party_members",
    }
    again = upload(world, path, "recruitment")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 6, "invalid": 0, "rows": 6}


def test_recruitment_refusals_carry_the_services_message_and_article(world):
    member(world, 601, "联系人甲")
    member(world, 602, "联系人乙")
    rows = [
        RHEADERS,
        ["测试甲协会党支部", "赵六", ZHAO, "递交入党申请书", "2024-03-01", "", "", ""],
        wang("递交入党申请书", "2024-03-01"),
        wang("党组织派人谈话", "2024-03-20"),
        wang("推荐和确定入党积极分子", "2024-04-01", decided="支部委员会", method="党员推荐"),
        wang("上级党委备案", "2024-04-05"),
        wang("指定培养联系人", "2024-04-10", contacts="联系人甲、联系人乙"),
        wang("确定发展对象", "2025-03-31"),  # one day short of a year as an activist
        wang("随便写的步骤", "2024-05-01"),
        wang("确定入党介绍人", "2025-05-01", contacts="查无此人"),
        wang("入党宣誓", "2024-02-30"),
        ["不存在的党支部", "王五", WANG, "党组织派人谈话", "2024-03-20", "", "", ""],
    ]
    item = upload(world, write_xlsx(world.tmp / "bad.xlsx", rows), "recruitment")
    errors = errors_by_row(item)
    assert errors[2]["step"] == (
        "申请人在申请日期（2024-03-01）为 17 周岁，未满 18 周岁，不能申请入党"
        f"（{CITE}第五条、第六条：年满十八岁方可申请）。"
    )
    assert not {3, 4, 5, 6, 7} & set(errors)
    assert "最早 2025-04-01" in errors[8]["step"] and f"{CITE}第十三条" in errors[8]["step"]
    assert errors[9]["step"].startswith("未知的发展步骤")
    assert errors[10]["members"] == "台账中没有名为 查无此人 的党员。"
    assert "done_on" in errors[11]
    assert "不存在的党支部" in errors[12]["branch"]
    assert item.counts["invalid"] == 6
    # The user's own workbook comes back marked in Chinese: column D is 发展步骤.
    notes = marked(item)
    assert notes["D2"] == errors[2]["step"] and notes["D8"] == errors[8]["step"]
    # All or nothing: nothing written; the valid rows only: 王五's first five steps.
    mine = Applicant.objects.filter(branch=world.branch)
    assert commit(world, item).status == "failed" and not mine.exists()
    again = upload(world, write_xlsx(world.tmp / "b2.xlsx", rows), "recruitment")
    commit(world, again, valid_only=True)
    applicant = mine.get()
    assert applicant.steps.count() == 5 and applicant.stage == "activist"
    # The applicant who is 18 the next day is accepted.
    later = [
        RHEADERS,
        ["测试甲协会党支部", "赵六", ZHAO, "递交入党申请书", "2024-03-02", "", "", ""],
    ]
    item = upload(world, write_xlsx(world.tmp / "z.xlsx", later), "recruitment")
    assert item.counts["new"] == 1


def test_recruitment_export_is_the_paper_ledger(world):
    member(world, 601, "联系人甲")
    member(world, 602, "联系人乙")
    rows = [
        RHEADERS,
        wang("递交入党申请书", "2024-03-01"),
        wang("党组织派人谈话", "2024-03-20"),
        wang("推荐和确定入党积极分子", "2024-04-01", decided="支部委员会", method="党员推荐"),
        wang("上级党委备案", "2024-04-05"),
        wang("指定培养联系人", "2024-04-10", contacts="联系人甲、联系人乙"),
    ]
    commit(world, upload(world, write_xlsx(world.tmp / "r.xlsx", rows), "recruitment"))
    response = world.client.get("/ledgers/export/life/recruitment.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    headers, row = values[0], dict(zip(values[0], values[1], strict=True))
    assert headers[:7] == ["序号", "党支部", "姓名", "性别", "出生日期", "学历", "公民身份号码"]
    assert headers[-2:] == ["当前阶段", "状态"]
    assert "培训教育考察（最近一次）" not in headers  # the step is 培养教育考察
    assert "培养教育考察（最近一次）" in headers
    assert row["姓名"] == "王五" and row["公民身份号码"] != WANG  # masked
    assert row["递交入党申请书"].date() == D(2024, 3, 1)
    assert row["推荐和确定入党积极分子"].date() == D(2024, 4, 1)
    assert row["培养联系人"] == "联系人乙、联系人甲"
    assert row["确定发展对象"] is None
    assert (row["当前阶段"], row["状态"]) == ("入党积极分子的确定和培养教育", "进行中")
    read = AuditLog.objects.filter(event_type="ledgers.export_lifecycle").get()
    assert read.changes["ledger"] == "recruitment" and read.changes["rows"] == 1


# -- transfers -------------------------------------------------------------------------------

THEADERS = ["姓名", "公民身份号码", "转接类型", "转出党组织", "转入党组织", "开具日期"]
THEADERS += ["介绍信编号", "接收日期", "回执日期"]
A = "测试甲协会党支部"
X = "测试联合党支部"


@pytest.fixture
def joint(world):
    return PartyOrganization.objects.create(
        name=X, kind="joint_branch", federation=world.federation, valid_from=D(2023, 1, 1)
    )


def test_past_transfers_move_the_relation_on_the_acceptance_date(world, joint):
    zhang = member(world, 11, "张三")
    li = member(world, 22, "李四", relation=False)
    sun = member(world, 33, "孙七", relation=False)
    rows = [
        THEADERS,
        [
            "张三",
            zhang.id_number,
            "系统内转接",
            A,
            X,
            "2024-04-20",
            "测网联组〔2024〕3号",
            "2024-05-06",
            "",
        ],
        [
            "李四",
            li.id_number,
            "转出系统外",
            A,
            "中共某区某街道工作委员会",
            "2024-06-01",
            "",
            "2024-06-10",
            "2024-06-20",
        ],
        [
            "孙七",
            sun.id_number,
            "从系统外转入",
            "中共某县委组织部",
            A,
            "2024-07-01",
            "某组〔2024〕8号",
            "2024-07-05",
            "",
        ],
    ]
    path = write_xlsx(world.tmp / "t.xlsx", rows)
    item = upload(world, path, "transfers")
    assert item.counts["new"] == 3 and item.counts["invalid"] == 0, item.preview["errors"]
    register = transfer_services.register_of(world.federation)
    assert not Transfer.objects.filter(federation=world.federation).exists()
    assert numbering.last(register, 2024) == 0
    assert commit(world, item).status == "committed"

    def holder(m, day):
        r = relation_on(m, day)
        return r.party_organization.name if r.party_organization else r.external

    assert (holder(zhang, D(2024, 5, 5)), holder(zhang, D(2024, 5, 6))) == (A, X)
    # 李四's relation was not recorded: the letter shows it in A from its issue.
    assert relation_on(li, D(2024, 5, 31)) is None
    assert (holder(li, D(2024, 6, 9)), holder(li, D(2024, 6, 10))) == (
        A,
        "中共某区某街道工作委员会",
    )
    assert relation_on(sun, D(2024, 7, 4)) is None and holder(sun, D(2024, 7, 5)) == A
    t = Transfer.objects.get(member=zhang)
    assert (t.status, t.letter_no, t.year, t.serial, t.accepted_on) == (
        "accepted",
        "测网联组〔2024〕3号",
        2024,
        3,
        D(2024, 5, 6),
    )
    out = Transfer.objects.get(member=li)
    assert (out.letter_no, out.serial, out.receipt_on) == ("", None, D(2024, 6, 20))
    inbound = Transfer.objects.get(member=sun)
    assert (inbound.external_letter_no, inbound.from_external) == (
        "某组〔2024〕8号",
        "中共某县委组织部",
    )
    # The register follows the printed number: the next letter of 2024 is 4号.
    new = transfer_services.issue_transfer(zhang, to=A, issued_on=D(2024, 8, 1), actor=None)
    assert new.letter_no == "测网联组〔2024〕4号"
    new.delete()  # (not part of the re-import below)
    again = upload(world, path, "transfers")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "invalid": 0, "rows": 3}

    response = world.client.get("/ledgers/export/life/transfers.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == [
        "姓名",
        "公民身份号码",
        "转接类型",
        "转出党组织",
        "转入党组织",
        "开具日期",
        "介绍信编号",
        "有效期（天）",
        "接收日期",
        "回执日期",
        "党费交至",
        "转接原因",
        "状态",
    ]
    first = values[1]
    assert first[0] == "张三" and first[1] != zhang.id_number  # masked
    assert first[2:5] == ["系统内转接", A, X] and first[6] == "测网联组〔2024〕3号"
    assert first[7] == 90 and first[8].date() == D(2024, 5, 6) and first[12] == "已接收"
    assert [v[2] for v in values[1:]] == ["系统内转接", "转出系统外", "从系统外转入"]


def test_transfer_refusals_in_chinese(world, joint):
    people = [member(world, 40 + i, f"党员{i}") for i in range(6)]
    zhang = member(world, 11, "张三")
    first = [
        "张三",
        zhang.id_number,
        "系统内转接",
        A,
        X,
        "2024-04-20",
        "测网联组〔2024〕3号",
        "2024-05-06",
        "",
    ]
    commit(world, upload(world, write_xlsx(world.tmp / "ok.xlsx", [THEADERS, first]), "transfers"))

    def row(i, to, issued, accepted, letter=""):
        p = people[i]
        return [p.name, p.id_number, "系统内转接", A, to, issued, letter, accepted, ""]

    rows = [
        THEADERS,
        row(0, A, "2024-04-20", "2024-05-06"),  # to the member's own branch
        row(1, "不存在的党支部", "2024-04-20", "2024-05-06"),
        row(2, X, "2024-04-20", "2024-04-19"),  # accepted before it was issued
        row(3, X, "2024-01-02", "2024-04-01"),  # valid 90 days: until 2024-03-31
        row(4, X, "2024-13-01", ""),
        row(5, X, "2024-06-01", "2024-06-05", "测网联组〔2024〕3号"),  # already held
    ]
    item = upload(world, write_xlsx(world.tmp / "t.xlsx", rows), "transfers")
    errors = errors_by_row(item)
    assert errors[2]["to_org"] == "该党员的组织关系已在该党组织。"
    assert errors[3]["to_org"].startswith("系统中没有名为 不存在的党支部 的党组织")
    assert errors[4]["to_org"] == "接收日期不能早于介绍信开具日期。"
    assert errors[5]["to_org"].startswith("介绍信有效期至 2024-03-31（90 天），已过期")
    assert "issued_on" in errors[6]
    assert "测网联组〔2024〕3号" in errors[7]["to_org"]
    notes = marked(item)
    assert notes["E2"] == errors[2]["to_org"]  # column E is 转入党组织
    assert item.counts["invalid"] == 6
    # A 4-day-early acceptance of the boundary: valid on its 90th day (2024-03-31).
    fine = [THEADERS, row(3, X, "2024-01-02", "2024-03-31")]
    assert upload(world, write_xlsx(world.tmp / "f.xlsx", fine), "transfers").counts["new"] == 1


# -- flowing members -------------------------------------------------------------------------

FHEADERS = [
    "姓名",
    "公民身份号码",
    "流动党员活动证编号",
    "外出地点",
    "流入地党组织",
    "外出日期",
    "返回日期",
]


def test_flowing_members_are_registered_and_ended_through_the_service(world, joint):
    zhang = member(world, 11, "张三")
    li = member(world, 22, "李四")
    rows = [
        FHEADERS,
        [
            "张三",
            zhang.id_number,
            "LD2024001",
            "广东省深圳市",
            "中共深圳市某街道工作委员会",
            "2024-07-01",
            "2025-01-10",
        ],
        ["李四", li.id_number, "", "上海市", X, "2025-02-01", ""],
    ]
    path = write_xlsx(world.tmp / "f.xlsx", rows)
    item = commit(world, upload(world, path, "flowing"))
    assert item.status == "committed" and item.counts["new"] == 2
    z = FlowingPeriod.objects.get(member=zhang)
    assert (z.certificate_no, z.host_external, z.valid_from, z.valid_to) == (
        "LD2024001",
        "中共深圳市某街道工作委员会",
        D(2024, 7, 1),
        D(2025, 1, 10),
    )
    lp = FlowingPeriod.objects.get(member=li)
    assert lp.host_party_organization == joint and lp.valid_to is None
    assert upload(world, path, "flowing").counts["unchanged"] == 2
    # 李四 came back: the same row with its return date ends the open period.
    rows[2][6] = "2026-03-01"
    ended = commit(world, upload(world, write_xlsx(world.tmp / "g.xlsx", rows), "flowing"))
    assert ended.counts["changed"] == 1
    lp.refresh_from_db()
    assert lp.valid_to == D(2026, 3, 1)

    response = world.client.get("/ledgers/export/life/flowing.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == [*FHEADERS, "备注", "状态"]
    assert values[1][:6:2] == ["张三", "LD2024001", "中共深圳市某街道工作委员会"]
    assert values[2][4] == X and values[2][8] == "已返回"


def test_flowing_refusals_in_chinese(world):
    zhang = member(world, 11, "张三")
    li = member(world, 22, "李四", joined=D(2020, 1, 1))
    rows = [
        FHEADERS,
        ["张三", zhang.id_number, "", "北京市", A, "2024-07-01", ""],  # his own branch
        ["李四", li.id_number, "", "北京市", "", "2019-12-31", ""],  # before joining
        ["李四", li.id_number, "", "北京市", "", "2024-01-01", ""],
        ["李四", li.id_number, "", "天津市", "", "2024-06-01", ""],  # the first is still open
        ["王某", make_id(999), "", "北京市", "", "2024-06-01", ""],
    ]
    item = upload(world, write_xlsx(world.tmp / "f.xlsx", rows), "flowing")
    errors = errors_by_row(item)
    assert (
        errors[2]["since"]
        == "流入地党组织不能是党员组织关系所在的党支部：流动党员在外地参加组织生活。"
    )
    assert errors[3]["since"] == "该日期党员尚未入党。"
    assert 4 not in errors
    assert "流动" in errors[5]["since"]
    assert errors[6]["id_number"] == "台账中没有该身份证号码的党员；请先通过“党员台账”导入。"
