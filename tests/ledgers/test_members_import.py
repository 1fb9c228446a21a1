"""The party-member ledger: a corpus of messy rows with exact outcomes, idempotence, changes
that close facts instead of deleting them, all-or-nothing and valid-rows-only commits."""

import datetime

import openpyxl
import pytest
from django.utils import translation

from dangjian.core import sealed
from dangjian.core.models import AuditLog
from dangjian.ledgers import services
from dangjian.ledgers.models import LedgerMapping, LedgerUpload
from dangjian.party.models import Employment, PartyMember

from .conftest import make_id, make_uscc
from .helpers import MEMBER_HEADERS, commit, errors_by_row, upload, write_csv, write_xlsx

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def members_of(world):
    return PartyMember.objects.filter(employments__organization__in=world.units).distinct()


def good_rows(world):
    u1, u2 = world.units[0].uscc, world.units[1].uscc
    return [
        [
            "张三",
            "男",
            make_id(11),
            "13800138000",
            "大学本科",
            "2015-07-01",
            "2016-07-01",
            u1,
            "干事",
            "测试甲协会党支部",
            "否",
        ],
        ["李四", "女", make_id(22), "", "硕士研究生", "2018-05-04", "", u2, "", "", "否"],
        [
            "王五",
            "男",
            make_id(33),
            "",
            "",
            "2010-01-01",
            "2011-01-01",
            u1,
            "",
            "某街道党工委",
            "是",
        ],
    ]


def test_messy_corpus_exact_outcome(world, tmp_path):
    u1 = world.units[0].uscc
    rows = [
        ["2024年度党员信息台账", None, None, None, None, None, None, None, None, None, None],
        ["填报单位：测试甲协会", None, None, None, None, None, None, None, None, None, None],
        [
            "党员姓名",
            "性别",
            "身份证号",
            "手机号",
            "文化程度",
            "入党时间",
            "转正时间",
            "统一社会信用代码",
            "职务",
            "组织关系所在",
            "流动党员",
        ],
        # 4: full-width ID, spaces and a line break in the name, Chinese date, ✓, phone as number
        [
            "张 三\n",
            "男",
            "１１０１０５１９９００３０７０１１" + make_id(11)[-1],
            13800138000.0,
            "本科",
            "2015年7月1日",
            "2016.7.1",
            u1.lower(),
            "干事",
            "测试甲协会党支部",
            "✓",
        ],
        # 5: ID number turned into 1.10105E+17 by Excel
        ["李四", "女", 1.10105199003070e17, "", "", "2018/05/04", "", u1, "", "", "否"],
        # 6: Excel serial date, compact date, gender derived from the ID number
        ["王五", "", make_id(33), "", "大学本科", 40179, "20110101", u1, "", "", ""],
        # 7: a credit code that is no member unit of the federation
        ["赵六", "女", make_id(44), "", "", "2012-01-01", "", make_uscc(99), "", "", "否"],
        # 8: same person as row 4
        ["张三", "男", make_id(11), "", "", "2015-07-01", "", u1, "", "", "否"],
        # 9: full membership before joining
        ["孙七", "男", make_id(55), "", "", "2015-07-01", "2014-07-01", u1, "", "", "否"],
        # 10: unknown education and a boolean that is neither
        ["周八", "男", make_id(67), "", "博士后", "2015-07-01", "", u1, "", "", "也许"],
    ]
    path = write_xlsx(tmp_path / "党员台账（填报）.xlsx", rows, merges=["A1:K1", "A2:K2"])
    item = upload(world, path)
    assert item.status == LedgerUpload.Status.VALIDATED
    assert item.mapping["header_row"] == 3
    assert item.counts == {"new": 2, "changed": 0, "unchanged": 0, "invalid": 5, "rows": 7}
    errors = errors_by_row(item)
    assert set(errors) == {5, 7, 8, 9, 10}
    assert set(errors[5]) == {"id_number"} and "1.10105E+17" in errors[5]["id_number"]
    assert set(errors[7]) == {"employer_uscc"} and "会员单位" in errors[7]["employer_uscc"]
    assert set(errors[8]) == {"id_number"} and "第 4 行重复" in errors[8]["id_number"]
    assert set(errors[9]) == {"full_member_on"}
    assert set(errors[10]) == {"education", "is_flowing"}
    assert members_of(world).count() == 0  # checking writes nothing

    item = commit(world, item, valid_only=True)
    assert item.status == LedgerUpload.Status.COMMITTED
    zhang = PartyMember.objects.get(id_number_hash=_hash(make_id(11)))
    assert zhang.name == "张三"
    assert zhang.phone == "13800138000"
    assert zhang.education == "bachelor"
    assert zhang.joined_party_on == datetime.date(2015, 7, 1)
    assert zhang.full_member_on == datetime.date(2016, 7, 1)
    assert zhang.is_flowing is True
    assert zhang.relation_party_organization == world.branch
    assert zhang.birth_date == datetime.date(1990, 3, 7)
    wang = PartyMember.objects.get(id_number_hash=_hash(make_id(33)))
    assert wang.joined_party_on == datetime.date(2010, 1, 1)
    assert wang.gender == "male" if int(make_id(33)[16]) % 2 else "female"
    job = Employment.objects.get(member=zhang)
    assert job.organization == world.units[0] and job.job_title == "干事" and job.valid_to is None
    assert members_of(world).count() == 2
    event = AuditLog.objects.get(event_type="ledgers.imported", object_id=str(item.pk))
    assert event.changes["counts"]["new"] == 2 and event.changes["error_rows"] == 5


def _hash(number):
    from dangjian.core.crypto import blind_index

    return blind_index(number)


def test_reimport_changes_nothing_and_says_so(world, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, *good_rows(world)], text_columns={3})
    first = commit(world, upload(world, path))
    assert first.counts["new"] == 3
    audit_before = AuditLog.objects.count()
    second = upload(world, path)
    assert second.counts == {"new": 0, "changed": 0, "unchanged": 3, "invalid": 0, "rows": 3}
    second = commit(world, second)
    assert second.message == "没有变化：系统中的台账已与此文件完全一致。"
    assert members_of(world).count() == 3
    assert Employment.objects.filter(organization__in=world.units).count() == 3
    # the re-import adds its upload and import events, and no field-level record
    new_records = AuditLog.objects.order_by("pk")[audit_before:]
    assert {r.action for r in new_records} == {"event"}


def test_changes_are_previewed_field_by_field_and_close_facts(world, tmp_path):
    rows = good_rows(world)
    commit(world, upload(world, write_xlsx(tmp_path / "a.xlsx", [MEMBER_HEADERS, *rows])))
    zhang = PartyMember.objects.get(id_number_hash=_hash(make_id(11)))
    old_job = Employment.objects.get(member=zhang)
    Employment.objects.filter(pk=old_job.pk).update(valid_from=datetime.date(2020, 1, 1))
    rows[0][3] = "13900139000"  # new phone
    rows[0][7] = world.units[1].uscc  # moves to the other unit
    headers = [*MEMBER_HEADERS, "离开日期"]
    rows = [r + [None] for r in rows]
    rows[1][-1] = "2024-03-31"  # 李四 leaves
    item = upload(world, write_xlsx(tmp_path / "b.xlsx", [headers, *rows]))
    assert item.counts == {"new": 0, "changed": 2, "unchanged": 1, "invalid": 0, "rows": 3}
    changes = {label: fields for _n, label, status, fields in item.preview["changes"]}
    # The preview is stored with the upload and shown on its page: masked.
    assert changes["张三"]["联系电话"] == ["138****8000", "139****9000"]
    assert changes["张三"]["工作单位"] == ["测试甲协会", "测试乙商会"]
    assert changes["李四"]["离开日期"] == ["", "2024-03-31"]
    commit(world, item)
    zhang.refresh_from_db()
    assert zhang.phone == "13900139000"
    old_job.refresh_from_db()
    assert old_job.valid_to == TODAY - datetime.timedelta(days=1)  # closed, not deleted
    new_job = Employment.objects.get(member=zhang, valid_to__isnull=True)
    assert new_job.organization == world.units[1] and new_job.valid_from == TODAY
    li = PartyMember.objects.get(id_number_hash=_hash(make_id(22)))
    assert li.left_on == datetime.date(2024, 3, 31)
    li_job = Employment.objects.get(member=li)
    assert li_job.valid_to == max(datetime.date(2024, 3, 31), li_job.valid_from)
    # This import's updates (the session's demo data updates members of its own too).
    updates = AuditLog.objects.filter(
        action="update", object_type="party.partymember", object_id__in=[str(zhang.pk), str(li.pk)]
    )
    assert updates.count() == 2
    phone_change = updates.get(object_id=str(zhang.pk)).changes["fields"]["phone"]
    assert phone_change == ["138****8000", "139****9000"]  # personal data stays masked
    assert AuditLog.objects.filter(action="update", object_type="party.employment").count() == 2


def test_all_or_nothing_by_default(world, tmp_path):
    rows = good_rows(world)
    rows[2][2] = make_id(33)[:-1] + ("0" if make_id(33)[-1] != "0" else "1")  # bad check digit
    item = upload(world, write_xlsx(tmp_path / "c.xlsx", [MEMBER_HEADERS, *rows]))
    assert item.counts["invalid"] == 1 and item.counts["new"] == 2
    item = commit(world, item)
    assert item.status == LedgerUpload.Status.FAILED
    assert "没有导入任何数据" in item.message
    assert members_of(world).count() == 0


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030", "utf-8"])
def test_csv_in_utf8_and_gbk(world, tmp_path, encoding):
    path = write_csv(tmp_path / "m.csv", [MEMBER_HEADERS, *good_rows(world)], encoding=encoding)
    item = upload(world, path)
    assert item.counts == {"new": 3, "changed": 0, "unchanged": 0, "invalid": 0, "rows": 3}
    commit(world, item)
    assert set(members_of(world).values_list("name", flat=True)) == {"张三", "李四", "王五"}


def test_two_row_merged_header_is_understood(world, tmp_path):
    rows = [
        ["基本信息", None, None, "党籍信息", None, "工作单位", None],
        ["姓名", "身份证号码", "性别", "入党日期", "转正日期", "名称", "统一社会信用代码"],
        ["张三", make_id(11), "男", "2015-07-01", "2016-07-01", "测试甲协会", world.units[0].uscc],
    ]
    path = write_xlsx(tmp_path / "merged.xlsx", rows, merges=["A1:C1", "D1:E1", "F1:G1"])
    item = upload(world, path)
    columns = {int(k): v for k, v in item.mapping["columns"].items()}
    assert columns == {
        0: "name",
        1: "id_number",
        2: "gender",
        3: "joined_party_on",
        4: "full_member_on",
        5: "employer_name",
        6: "employer_uscc",
    }
    assert item.counts["new"] == 1


def test_mapping_is_adjustable_and_remembered(world, tmp_path):
    headers = ["同志姓名", "身份证号", "入党日期", "统一社会信用代码"]
    rows = [headers, ["张三", make_id(11), "2015-07-01", world.units[0].uscc]]
    item = upload(world, write_xlsx(tmp_path / "x.xlsx", rows))
    assert item.counts["invalid"] == 1  # 姓名 is missing: "同志姓名" is not a known header
    assert "0" not in item.mapping["columns"]
    services.analyse(
        item,
        actor=world.user,
        columns={0: "name", 1: "id_number", 2: "joined_party_on", 3: "employer_uscc"},
    )
    services.remember_mapping(item)
    item.refresh_from_db()
    assert item.counts["new"] == 1
    assert (
        LedgerMapping.objects.get(federation=world.federation, ledger="members").headers["同志姓名"]
        == "name"
    )
    again = upload(world, write_xlsx(tmp_path / "y.xlsx", rows))
    assert again.mapping["columns"]["0"] == "name" and again.counts["new"] == 1


def test_error_workbook_is_the_users_own_with_cells_marked(world, tmp_path):
    rows = good_rows(world)
    rows[1][2] = "110105199003072"  # 15 digits
    rows[2][5] = "去年"
    path = write_xlsx(
        tmp_path / "own.xlsx", [["我的党员表"], MEMBER_HEADERS, *rows], merges=["A1:K1"]
    )
    wb0 = openpyxl.load_workbook(path)
    wb0.active["M1"] = "我自己的备注"
    wb0.save(path)
    item = upload(world, path)
    assert item.error_path
    wb = openpyxl.load_workbook(sealed.open_read(services.archive_path_of(item.error_path)))
    ws = wb.active
    assert ws["A1"].value == "我的党员表" and ws["M1"].value == "我自己的备注"  # their own file
    bad_id, bad_date = ws["C4"], ws["F5"]
    assert bad_id.fill.fgColor.rgb.endswith("FFC7CE")
    assert "15位" in bad_id.comment.text
    assert bad_date.fill.fgColor.rgb.endswith("FFC7CE") and "无法识别日期" in bad_date.comment.text
    assert ws["A3"].fill.fgColor.rgb in ("00000000", None) and ws["A3"].comment is None
    error_col = max(c.column for c in ws[2] if c.value == "错误说明")
    assert ws.cell(4, error_col).value.startswith("公民身份号码：")
    assert ws.cell(5, error_col).value.startswith("入党日期：")
    assert ws.cell(3, error_col).value is None
    # fixing the cells and uploading the marked workbook again imports cleanly
    ws["C4"] = make_id(22)
    ws["F5"] = "2010-01-01"
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    again = upload(world, fixed)
    assert again.counts["invalid"] == 0 and again.counts["new"] == 3
    assert again.error_path == ""


def test_original_is_archived_first_with_its_checksum(world, tmp_path):
    import hashlib

    path = write_xlsx(tmp_path / "a.xlsm", [MEMBER_HEADERS, *good_rows(world)])
    item = upload(world, path)
    archived = services.archive_path_of(item.stored_path)
    # Sealed at rest (it holds ID numbers), the same bytes when read back.
    assert sealed.is_sealed(archived) and path.read_bytes() not in archived.read_bytes()
    assert sealed.open_read(archived).read() == path.read_bytes()
    assert item.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert item.size == path.stat().st_size and item.uploader == world.user
    assert item.original_name == "a.xlsm" and item.counts["new"] == 3  # .xlsm is read too
    assert AuditLog.objects.filter(event_type="ledgers.uploaded", object_id=str(item.pk)).exists()


def test_workbook_with_the_wrong_extension_is_read_by_its_content(world, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, *good_rows(world)])
    renamed = tmp_path / "老台账.xls"
    renamed.write_bytes(path.read_bytes())
    item = upload(world, renamed)
    assert item.status == LedgerUpload.Status.VALIDATED and item.counts["new"] == 3


def test_a_cell_longer_than_its_field_is_refused_in_chinese():
    """A text cell longer than the model field (民族: 20 characters) is an error of that cell,
    in Chinese, on SQLite too — not stored whole (SQLite) nor a database error (PostgreSQL)."""
    from dangjian.ledgers import engine, specs

    column = specs.ledger("members").column("ethnicity")
    assert column.max_length == 20
    plan = engine.parsers_for(specs.ledger("members"), {0: "ethnicity"})
    with translation.override("zh-hans"):
        record, errors = engine.parse_row(plan, ["汉" * 21])
        assert record == {}
        assert "最多 20 个字符" in errors["ethnicity"] and "21" in errors["ethnicity"]
        record, errors = engine.parse_row(plan, ["汉" * 20])
        assert record == {"ethnicity": "汉" * 20} and errors == {}
