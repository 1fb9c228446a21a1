"""Hostile and broken files: each refused or handled with a clear Chinese message, in bounded
time and memory, and the database unchanged."""

import io
import time
import tracemalloc
import zipfile

import pytest

from dangjian.ledgers import reader, services
from dangjian.ledgers.models import LedgerUpload
from dangjian.party.models import PartyMember

from .conftest import make_id
from .helpers import MEMBER_HEADERS, commit, upload, write_xlsx

pytestmark = pytest.mark.django_db
REFUSED = LedgerUpload.Status.REFUSED


def good_file(world, tmp_path):
    row = ["张三", "男", make_id(11), "", "", "2015-07-01", "", world.units[0].uscc, "", "", "否"]
    return write_xlsx(tmp_path / "good.xlsx", [MEMBER_HEADERS, row])


def refused(world, path, name=None):
    before = PartyMember.objects.count()
    started = time.monotonic()
    item = upload(world, path, name=name)
    assert time.monotonic() - started < 10
    assert item.status == REFUSED, item.message
    assert PartyMember.objects.count() == before
    return item.message


def test_empty_file(world, tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "0 字节" in refused(world, path)


def test_image_renamed_xlsx(world, tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    message = refused(world, path)
    assert "PNG" in message and "不是表格" in message


def test_pdf_renamed_xls(world, tmp_path):
    path = tmp_path / "scan.xls"
    path.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    assert "PDF" in refused(world, path)


def test_truncated_workbook(world, tmp_path):
    data = good_file(world, tmp_path).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "不完整" in refused(world, path)


def test_password_protected_workbook(world, tmp_path):
    """A real encrypted .xlsx (ECMA-376 Agile encryption, as Excel and WPS write it when a
    password is set): an OLE2 container, not a zip; refused in Chinese, nothing written."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = good_file(world, tmp_path)
    path = tmp_path / "加密台账.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("Passw0rd", target)
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    before = set(LedgerUpload.objects.values_list("pk", flat=True))
    message = refused(world, path)
    assert message.startswith("工作簿设置了打开密码，系统无法读取。"), message
    assert "取消密码" in message and "WPS" in message
    (item,) = LedgerUpload.objects.exclude(pk__in=before)
    assert item.counts == {} and item.error_path == ""
    assert not PartyMember.objects.filter(name="张三").exists()


def test_password_protected_workbook_refused_on_commit_too(world, tmp_path, monkeypatch):
    """Even if the check were skipped, the commit re-reads the archive and refuses it."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = good_file(world, tmp_path)
    path = tmp_path / "secret.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("Passw0rd", target)
    item = services.receive_upload(
        [path.read_bytes()], path.name, federation=world.federation, ledger="members",
        actor=world.user,
    )  # fmt: skip
    item.status = LedgerUpload.Status.VALIDATED
    item.save()
    before = PartyMember.objects.count()
    item = commit(world, item)
    assert item.status == REFUSED and "密码" in item.message
    assert PartyMember.objects.count() == before


def test_zip_bomb_renamed_xlsx(world, tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNCOMPRESSED", 64 * 1024 * 1024)
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"\x00" * (1024 * 1024)
            for _ in range(80):
                fh.write(block)
    assert path.stat().st_size < 1024 * 1024
    tracemalloc.start()
    message = refused(world, path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "压缩比" in message and "安全" in message
    assert peak < 20 * 1024 * 1024  # refused from the zip directory, never inflated


def test_zip_that_is_no_workbook(world, tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert "压缩包" in refused(world, path)


def test_too_big(world, tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 1000)
    assert "上限" in refused(world, path)


def test_wrong_extension(world, tmp_path):
    path = tmp_path / "m.docx"
    path.write_bytes(b"PK\x03\x04")
    assert ".docx" in refused(world, path)


def test_a_million_empty_styled_rows_are_bounded_by_the_data(world, tmp_path):
    """Built by hand (openpyxl would take minutes): 3 data rows, then 1,000,000 styled rows."""
    path = tmp_path / "styled.xlsx"
    source = zipfile.ZipFile(good_file(world, tmp_path))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"</sheetData>")
                with zf.open(info.filename, "w", force_zip64=True) as fh:
                    fh.write(head)
                    chunk = io.BytesIO()
                    for r in range(3, 1_000_003):
                        chunk.write(
                            b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (r, r)
                        )
                        if r % 50_000 == 0:
                            fh.write(chunk.getvalue())
                            chunk = io.BytesIO()
                    fh.write(chunk.getvalue())
                    fh.write(b"</sheetData>" + tail)
            else:
                zf.writestr(info, data)
    started = time.monotonic()
    item = upload(world, path)
    assert time.monotonic() - started < 30
    assert item.status == LedgerUpload.Status.VALIDATED
    assert item.counts == {"new": 1, "changed": 0, "unchanged": 0, "invalid": 0, "rows": 1}
    commit(world, item)
    assert PartyMember.objects.filter(name="张三").count() == 1


def test_formulas_and_external_links_are_never_evaluated(world, tmp_path):
    """Only the values stored in the file are read: a formula without a cached value is empty,
    and a link to another workbook is never followed."""
    row = [
        '=HYPERLINK("http://example.invalid","张三")',
        "男",
        make_id(11),
        "",
        "",
        "='[外部台账.xlsx]Sheet1'!A1",
        "",
        world.units[0].uscc,
        "",
        "",
        "否",
    ]
    path = write_xlsx(tmp_path / "formulas.xlsx", [MEMBER_HEADERS, row])
    item = upload(world, path)
    assert item.status == LedgerUpload.Status.VALIDATED
    assert item.counts["invalid"] == 1
    ((number, problems),) = item.preview["errors"]
    assert set(problems) == {"name", "joined_party_on"}
    assert all("必填" in m for m in problems.values())
    assert PartyMember.objects.filter(name="张三").count() == 0


def test_no_header_is_explained(world, tmp_path):
    path = write_xlsx(tmp_path / "random.xlsx", [["a", "b"], [1, 2]])
    message = refused(world, path)
    assert "表头" in message and "公民身份号码" in message


def test_template_of_another_ledger_is_recognised(world, tmp_path):
    from dangjian.ledgers import workbooks

    path = tmp_path / "orgs.xlsx"
    workbooks.template("organizations").save(path)
    assert "会员单位台账" in refused(world, path)
