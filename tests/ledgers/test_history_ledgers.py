"""The ledgers a federation moves its history in with: federations (with their parents),
charter revisions, major decisions, annual inspections and visits. Each writes through the
service the pages and the admin use; bad input gets a Chinese error in the workbook and
nothing is written."""

import datetime

import openpyxl
import pytest

from dangjian.core import sealed
from dangjian.core.models import AuditLog
from dangjian.governance.models import CharterRevision, MajorDecision
from dangjian.inspections.models import AnnualInspection, Visit
from dangjian.ledgers import services
from dangjian.registry.models import Federation, Organization

from .conftest import make_uscc
from .helpers import commit, errors_by_row, upload
from .samples import load_prerequisites, samples, write_rows

pytestmark = pytest.mark.django_db
ROOT = "测试网络社会组织联合会"


def imported(world, tmp_path, ledger, rows, name="f.xlsx"):
    return upload(world, write_rows(tmp_path / name, rows), ledger)


def federation_row(name, level, parent="", **extra):
    return {"联合会名称": name, "层级": level, "上级联合会": parent, **extra}


# -- federations -------------------------------------------------------------------------------


def test_federations_below_this_one_come_in_with_their_parents(world, tmp_path):
    rows = [
        # a child named before its parent: the file is read as a whole
        federation_row("测试甲街道网联", "区县级", "测试和平区网联", 成立日期="2022-01-01"),
        federation_row("测试和平区网联", "区县级", ROOT),
        federation_row(ROOT, "市级", "", 统一社会信用代码=make_uscc(90), 发文代字="测网联"),
    ]
    item = imported(world, tmp_path, "federations", rows)
    # A district federation under a district one is refused: levels go down the tree.
    assert errors_by_row(item) == {
        2: {"level": "层级须低于其上级联合会“测试和平区网联”（区县级）。"}
    }
    rows[0]["层级"] = "区县级"
    rows[1]["层级"] = "市级"
    rows[2]["层级"] = "省级"
    item = imported(world, tmp_path, "federations", rows, "g.xlsx")
    assert item.counts == {"new": 2, "changed": 1, "unchanged": 0, "invalid": 0, "rows": 3}
    changes = {label: fields for _n, label, _s, fields in item.preview["changes"]}
    assert changes["测试甲街道网联"]["上级联合会"] == ["", "测试和平区网联"]
    assert changes[ROOT]["层级"] == ["市级", "省级"]
    commit(world, item)
    root = Federation.objects.get(name=ROOT)
    district = Federation.objects.get(name="测试和平区网联")
    street = Federation.objects.get(name="测试甲街道网联")
    assert (root.level, root.letter_prefix, root.uscc) == ("provincial", "测网联", make_uscc(90))
    assert district.parent == root and street.parent == district
    assert street.path == f"{root.path}{district.pk}/{street.pk}/"
    assert street.founded_on == datetime.date(2022, 1, 1)
    created = AuditLog.objects.filter(
        action="create", object_type="registry.federation", note="ledger import"
    )
    assert created.count() == 2 and {r.actor for r in created} == {world.user}


def test_a_level_stays_above_the_federations_below_it(world, tmp_path):
    rows = [
        federation_row(ROOT, "省级"),
        federation_row("测试甲区网联", "市级", ROOT),
        federation_row("测试街道网联", "区县级", "测试甲区网联"),
    ]
    commit(world, imported(world, tmp_path, "federations", rows))
    item = imported(world, tmp_path, "federations", [dict(rows[1], 层级="区县级")], "g.xlsx")
    assert errors_by_row(item) == {2: {"level": "层级须高于其下级联合会“测试街道网联”（区县级）。"}}


def test_moving_a_federation_moves_its_subtree(world, tmp_path):
    rows = [
        federation_row(ROOT, "全国"),
        federation_row("测试甲省网联", "省级", ROOT),
        federation_row("测试乙省网联", "省级", ROOT),
        federation_row("测试市网联", "市级", "测试甲省网联"),
        federation_row("测试区网联", "区县级", "测试市网联"),
    ]
    commit(world, imported(world, tmp_path, "federations", rows))
    city = Federation.objects.get(name="测试市网联")
    district = Federation.objects.get(name="测试区网联")
    rows[3]["上级联合会"] = "测试乙省网联"
    del rows[4]  # left where it is: below the city federation, wherever that goes
    item = imported(world, tmp_path, "federations", rows, "b.xlsx")
    assert item.counts["changed"] == 1
    changes = {label: fields for _n, label, _s, fields in item.preview["changes"]}
    assert changes["测试市网联"] == {"上级联合会": ["测试甲省网联", "测试乙省网联"]}
    commit(world, item)
    b = Federation.objects.get(name="测试乙省网联")
    city.refresh_from_db()
    district.refresh_from_db()
    assert city.parent == b and city.path == f"{b.path}{city.pk}/"
    assert district.parent == city and district.path == f"{b.path}{city.pk}/{district.pk}/"
    again = imported(world, tmp_path, "federations", rows, "c.xlsx")
    assert again.counts["unchanged"] == 4


def test_federation_errors_are_written_into_the_workbook(world, tmp_path, demo_federation):
    rows = [
        federation_row(ROOT, "市级", demo_federation.name),  # its own parent: not from here
        federation_row("测试新网联", "区县级", ""),  # a new one needs its parent
        federation_row("测试外网联", "区县级", demo_federation.name),  # not below this one
        federation_row("中国网络社会组织联合会", "全国", ""),  # exists elsewhere
        federation_row("测试甲网联", "区县级", "测试乙网联"),  # a loop
        federation_row("测试乙网联", "区县级", "测试甲网联"),
        federation_row("测试丙网联", "区县级", "不存在的网联"),
        federation_row("测试丁网联", "区县级", ROOT, 统一社会信用代码="12345"),
        federation_row("测试丁网联", "区县级", ROOT),
        federation_row("测试戊网联", "区县级", ROOT, 成立日期="2099-01-01"),
        federation_row("测试己网联", "乡镇级", ROOT),
    ]
    before = Federation.objects.count()
    item = imported(world, tmp_path, "federations", rows)
    errors = errors_by_row(item)
    assert errors[2] == {
        "parent": "本联合会自己的上级联合会由上级联合会或系统管理员确定；请留空，"
        "或填写现在的上级联合会。"
    }
    assert errors[3] == {"parent": "请填写上级联合会：本联合会或其下级联合会。"}
    assert errors[4] == {
        "parent": f"“{demo_federation.name}”不是本联合会，也不是您权限范围内本联合会的下级联合会。"
    }
    assert errors[5] == {
        "name": "名为“中国网络社会组织联合会”的联合会已在系统中，但不在本联合会之下"
        "或不在您的权限范围内，不能在此修改。"
    }
    loop = {"parent": "本表所填的上级联合会构成循环，或者追溯不到本联合会。"}
    assert errors[6] == loop and errors[7] == loop
    assert errors[8] == {"parent": "系统中和本表中都没有名为“不存在的网联”的联合会。"}
    assert set(errors[9]) == {"uscc"}
    assert errors[10] == {"name": "与本文件第 9 行重复；每条记录只能出现一次。"}
    assert errors[11] == {"founded_on": "日期不能是将来的日期。"}
    assert set(errors[12]) == {"level"}
    assert item.counts["new"] == 0
    commit(world, item)  # all-or-nothing: nothing is written
    assert Federation.objects.count() == before
    with sealed.open_read(services.archive_path_of(item.error_path)) as raw:
        marked = openpyxl.load_workbook(raw).active
    assert marked.cell(1, marked.max_column).value == "错误说明"
    assert marked.cell(8, marked.max_column).value.startswith("上级联合会：系统中和本表中都没有")
    assert "追溯不到本联合会" in marked.cell(6, 3).comment.text


def test_the_command_line_places_the_federation_itself(world, tmp_path, demo_federation):
    """The operator (no user) may put the federation under an existing one; moving it under
    itself is refused by the registry service."""
    path = write_rows(tmp_path / "f.xlsx", [federation_row(ROOT, "市级", demo_federation.name)])
    upload_, outcome = services.import_file(path, ledger="federations", federation=world.federation)
    assert upload_.status == upload_.Status.COMMITTED, upload_.preview
    root = Federation.objects.get(name=ROOT)
    assert root.parent == demo_federation
    assert root.path == f"{demo_federation.path}{root.pk}/"
    assert Organization.objects.members_of(demo_federation).filter(pk=world.units[0].pk).exists()


# -- charter revisions and major decisions -----------------------------------------------------


def test_charter_revisions_by_unit_and_date(world, tmp_path):
    a = world.units[0]
    sample = samples(world)["charter_revisions"]
    item = commit(world, imported(world, tmp_path, "charter_revisions", sample.rows))
    assert item.counts["new"] == 2
    revisions = CharterRevision.objects.filter(organization=a).order_by("adopted_on")
    assert [(r.adopted_on, r.has_party_building_clause) for r in revisions] == [
        (datetime.date(2018, 5, 1), False),
        (datetime.date(2022, 6, 30), True),
    ]
    assert AuditLog.objects.get(event_type="governance.charters_recorded").changes["created"] == 2
    # A correction: the 2018 charter did have the clause.
    sample.rows[0]["是否写入党建工作内容"] = "是"
    item = imported(world, tmp_path, "charter_revisions", sample.rows, "g.xlsx")
    assert item.counts == {"new": 0, "changed": 1, "unchanged": 1, "invalid": 0, "rows": 2}
    [(_n, label, _s, fields)] = item.preview["changes"]
    assert label == "测试甲协会 2018-05-01"
    assert fields == {"是否写入党建工作内容": ["否", "是"]}
    commit(world, item)
    record = AuditLog.objects.get(action="update", object_type="governance.charterrevision")
    assert record.changes["fields"]["has_party_building_clause"] == [False, True]
    assert record.note == "ledger import" and record.actor == world.user


def test_charter_errors_and_nothing_written(world, tmp_path):
    a = world.units[0].uscc
    bad_code = a[:-1] + ("0" if a[-1] != "0" else "1")
    rows = [
        {"统一社会信用代码": a, "章程通过日期": "2020-01-01", "是否写入党建工作内容": "是"},
        {
            "统一社会信用代码": make_uscc(77),
            "章程通过日期": "2020-01-01",
            "是否写入党建工作内容": "是",
        },
        {"统一社会信用代码": bad_code, "章程通过日期": "2020-01-01", "是否写入党建工作内容": "是"},
        {"统一社会信用代码": a, "章程通过日期": "2020年13月1日", "是否写入党建工作内容": "是"},
        {"统一社会信用代码": a, "章程通过日期": "2020-01-01", "是否写入党建工作内容": "是"},
        {"统一社会信用代码": a, "章程通过日期": "2021-01-01", "是否写入党建工作内容": ""},
        {"统一社会信用代码": a, "章程通过日期": "2099-01-01", "是否写入党建工作内容": "否"},
    ]
    item = commit(world, imported(world, tmp_path, "charter_revisions", rows))
    assert item.status == item.Status.FAILED
    errors = errors_by_row(item)
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert "没有统一社会信用代码为" in errors[3]["uscc"]
    assert "校验" in errors[4]["uscc"]
    assert errors[5] == {"adopted_on": "2020年13月1日 不是真实存在的日期。"}
    assert errors[6] == {"adopted_on": "与本文件第 2 行重复；每条记录只能出现一次。"}
    assert errors[7] == {"has_party_building_clause": "此项必填。"}
    assert errors[8] == {"adopted_on": "日期不能是将来的日期。"}
    assert not CharterRevision.objects.filter(organization__in=world.units).exists()


def test_a_file_without_credit_codes_names_the_units(world, tmp_path):
    rows = [
        {"单位名称": "测试乙商会", "章程通过日期": "2019-01-01", "是否写入党建工作内容": "是"},
        {"单位名称": "不存在的协会", "章程通过日期": "2019-01-01", "是否写入党建工作内容": "是"},
    ]
    item = imported(world, tmp_path, "charter_revisions", rows)
    assert item.counts["new"] == 1
    assert errors_by_row(item)[3] == {
        "name": "在您管辖范围内的本联合会会员单位中，没有名为“不存在的协会”的单位。"
    }


def test_major_decisions(world, tmp_path):
    a, b = world.units
    Organization.objects.filter(pk=b.pk).update(founded_on=datetime.date(2024, 7, 1))
    rows = samples(world)["major_decisions"].rows + [
        {
            "统一社会信用代码": a.uscc,
            "决策日期": "2024-03-15",
            "决策机构": "理事会议",
            "决策事项": "审议 年度预算",  # the same subject, spaced differently
            "党组织是否参与": "否",
        },
        {
            "统一社会信用代码": a.uscc,
            "决策日期": "2024-04-01",
            "决策机构": "监事会",
            "决策事项": "人事任免",
            "党组织是否参与": "√",
        },
    ]
    item = imported(world, tmp_path, "major_decisions", rows)
    errors = errors_by_row(item)
    assert errors[3] == {"decided_on": "日期不能在单位成立（2024-07-01）之前。"}
    assert errors[4] == {"subject": "与本文件第 2 行重复；每条记录只能出现一次。"}
    assert set(errors[5]) == {"body"} and "理事会" in errors[5]["body"]
    commit(world, item, valid_only=True)
    [decision] = MajorDecision.objects.filter(organization__in=world.units)
    assert (decision.subject, decision.body, decision.party_participated) == (
        "审议年度预算",
        "board",
        True,
    )


# -- annual inspections and visits -------------------------------------------------------------


def test_annual_inspections_through_the_inspection_service(world, tmp_path):
    a, b = world.units
    rows = samples(world)["annual_inspections"].rows + [
        {"统一社会信用代码": a.uscc, "年度": 2022, "检查结论": "合格"},  # passed without report
        {"统一社会信用代码": b.uscc, "年度": 2022, "报送登记管理机关日期": "2022-12-30"},
        {"统一社会信用代码": b.uscc, "年度": 1999},
        {"统一社会信用代码": b.uscc, "年度": "二〇二二"},
    ]
    item = imported(world, tmp_path, "annual_inspections", rows)
    errors = errors_by_row(item)
    assert errors[4] == {"conclusion": "年度工作报告报送登记管理机关后才能评为合格。"}
    assert errors[5] == {"report_to_registrar_on": "2022年度的工作报告不能在年度结束前收到。"}
    assert errors[6] == {"year": f"年度须在 2000 年至 {datetime.date.today().year} 年之间。"}
    assert set(errors[7]) == {"year"}
    commit(world, item, valid_only=True)
    passed = AnnualInspection.objects.get(organization=a, year=2023)
    assert passed.conclusion == "passed" and passed.inspected_by == world.user
    assert passed.report_to_registrar_on == datetime.date(2024, 5, 20)
    assert passed.party_section  # filled from the ledger, as the page does
    assert AuditLog.objects.filter(event_type="inspection.concluded").count() == 1
    open_ = AnnualInspection.objects.get(organization=b, year=2023)
    assert open_.conclusion == ""
    # The registrar's date arrives: the inspection is updated (its version taken), not doubled.
    rows = [{"统一社会信用代码": b.uscc, "年度": 2023, "报送登记管理机关日期": "2024-06-01"}]
    item = commit(world, imported(world, tmp_path, "annual_inspections", rows, "g.xlsx"))
    assert item.counts["changed"] == 1
    open_.refresh_from_db()
    assert open_.report_to_registrar_on == datetime.date(2024, 6, 1) and open_.version == 2


def test_visits_through_the_visit_service(world, tmp_path):
    sample = samples(world)["visits"]
    load_prerequisites(world, tmp_path, sample)
    a, b = world.units
    rows = sample.rows + [
        {
            "统一社会信用代码": a.uscc,
            "走访日期": "2024-07-01",
            "走访人员": "李干事",
            "党建工作指导员": "周指导",  # assigned to 乙, never to 甲
            "走访情况": "x",
        },
        {"统一社会信用代码": a.uscc, "走访日期": "2024-07-02", "走访人员": "李干事"},
    ]
    item = imported(world, tmp_path, "visits", rows)
    errors = errors_by_row(item)
    assert errors[4] == {
        "instructor": "没有名为“周指导”的指导员派驻过该单位；请先导入党建工作指导员台账，或核对姓名。"
    }
    assert errors[5] == {"findings": "此项必填。"}
    commit(world, item, valid_only=True)
    visit = Visit.objects.get(organization=b)
    assert visit.instructor.name == "周指导" and visit.recorded_by == world.user
    unreachable = Visit.objects.get(organization=a)
    assert unreachable.unreachable_at_address
    assert AuditLog.objects.filter(event_type="visit.unreachable").count() == 1
    # Corrected findings and, now, unreachable: updated through the service, reported once.
    rows = [dict(sample.rows[0], 走访情况="支部按期开会，住所无人。", 登记住所无法联系="是")]
    item = imported(world, tmp_path, "visits", rows, "g.xlsx")
    [(_n, _label, status, fields)] = item.preview["changes"]
    assert status == "changed"
    assert fields["走访情况"] == ["党支部按期召开支部党员大会。", "支部按期开会，住所无人。"]
    assert fields["登记住所无法联系"] == ["否", "是"]
    commit(world, item)
    visit.refresh_from_db()
    assert visit.unreachable_at_address and visit.findings == "支部按期开会，住所无人。"
    assert AuditLog.objects.filter(event_type="visit.unreachable").count() == 2
    assert Visit.objects.filter(organization__in=world.units).count() == 2
