"""A real legacy .xls (BIFF8, as Excel 97–2003 and WPS save it) imported through the same path
as .xlsx: a date cell stored as a date, an ID number stored as text, errors written back."""

import datetime

import openpyxl
import pytest
import xlwt

from dangjian.core import sealed
from dangjian.ledgers import services
from dangjian.ledgers.models import LedgerUpload
from dangjian.party.models import Employment, PartyMember

from .conftest import make_id
from .helpers import MEMBER_HEADERS, commit, errors_by_row, upload

pytestmark = pytest.mark.django_db


def write_xls(path, rows):
    """``datetime.date`` values become real date cells (a number with a date format, as Excel
    stores them); strings stay text cells, so an 18-digit ID number keeps every digit."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("党员台账")
    as_date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, as_date)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def rows_for(world):
    u1 = world.units[0].uscc
    return [
        ["党员信息台账（2026年）"],  # a title row above the header
        MEMBER_HEADERS,
        ["张三", "男", make_id(11), "13800138000", "大学本科", datetime.date(2015, 7, 1),
         datetime.date(2016, 7, 1), u1, "干事", "测试甲协会党支部", "否"],
        ["李四", "女", make_id(22), "", "", "2018年5月4日", "", u1, "", "", "是"],
    ]  # fmt: skip


def test_real_xls_imports_like_xlsx(world, tmp_path):
    path = write_xls(tmp_path / "老台账.xls", rows_for(world))
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2, not a zip
    item = upload(world, path)
    assert item.status == LedgerUpload.Status.VALIDATED, item.message
    assert item.mapping["header_row"] == 2
    assert item.counts == {"new": 2, "changed": 0, "unchanged": 0, "invalid": 0, "rows": 2}
    item = commit(world, item)
    assert item.status == LedgerUpload.Status.COMMITTED, item.message
    zhang = PartyMember.objects.get(id_number_hash=_hash(make_id(11)))
    assert zhang.id_number == make_id(11)  # text cell: all 18 digits, no 1.10105E+17
    assert zhang.joined_party_on == datetime.date(2015, 7, 1)  # a real date cell
    assert zhang.full_member_on == datetime.date(2016, 7, 1)
    assert zhang.phone == "13800138000" and zhang.education == "bachelor"
    assert zhang.relation_party_organization == world.branch
    li = PartyMember.objects.get(id_number_hash=_hash(make_id(22)))
    assert li.joined_party_on == datetime.date(2018, 5, 4) and li.is_flowing
    assert (
        Employment.objects.filter(member__in=[zhang, li], organization=world.units[0]).count() == 2
    )
    # the same file again: nothing to do
    again = commit(world, upload(world, path))
    assert again.counts["unchanged"] == 2 and "没有变化" in again.message


def test_xls_with_errors_comes_back_marked(world, tmp_path):
    rows = rows_for(world)
    rows[3][2] = make_id(22)[:-1] + ("1" if make_id(22)[-1] != "1" else "2")  # wrong check digit
    rows[2][5] = "去年"
    item = upload(world, write_xls(tmp_path / "bad.xls", rows))
    assert item.counts["invalid"] == 2
    problems = errors_by_row(item)
    assert "校验码" in problems[4]["id_number"] and "无法识别日期" in problems[3]["joined_party_on"]
    wb = openpyxl.load_workbook(sealed.open_read(services.archive_path_of(item.error_path)))
    ws = wb.worksheets[0]
    marked = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
    assert set(marked) == {"F3", "C4"}, marked  # same rows and columns as in their file
    assert "无法识别日期" in marked["F3"] and "校验码" in marked["C4"]
    # .xls cannot be annotated in place: its values come back as .xlsx, rows where they were
    assert ws["C2"].value == "公民身份号码" and ws["C3"].value == make_id(11)
    assert ws["F4"].value == "2018年5月4日" and ws["F3"].value == "去年"
    assert ws["G3"].value.date() == datetime.date(2016, 7, 1)  # still a date, not a serial
    assert not PartyMember.objects.filter(id_number_hash=_hash(make_id(11))).exists()


def _hash(number):
    from dangjian.core.crypto import blind_index

    return blind_index(number)
