"""A federation officer uploads a member ledger with a bad ID number, downloads their workbook
with the cell marked, fixes it, re-uploads and imports — in Chromium, in Chinese."""

import datetime
import os

import openpyxl
import pytest
from stdnum.cn import ric

pytestmark = pytest.mark.browser


def _id(seq: int, birth: datetime.date) -> str:
    body = f"110105{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def test_upload_error_workbook_and_fixed_reupload(
    demo_live, page, sign_in, tmp_path, screenshot_dir, settings
):
    from dangjian.party.models import PartyMember
    from dangjian.registry.models import Organization

    settings.MEDIA_ROOT = tmp_path / "media"
    unit = Organization.objects.get(name="天津市大数据协会")
    good = _id(411, datetime.date(1991, 2, 3))
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "公民身份号码", "入党日期", "工作单位统一社会信用代码"])
    ws.append(["浏览器甲", _id(412, datetime.date(1990, 1, 1)), "2015-07-01", unit.uscc])
    ws.append(["浏览器乙", bad, "2016-07-01", unit.uscc])
    path = tmp_path / "党员台账.xlsx"
    wb.save(path)

    sign_in(demo_live, "officer")
    page.goto(f"{demo_live.url}/ledgers/")
    assert page.locator("h1").inner_text() == "Excel 台账"
    page.select_option("#id_ledger", "members")
    page.set_input_files("#id_file", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#count-invalid")
    assert page.locator("#count-invalid").inner_text() == "1"
    assert page.locator("#errors").inner_text().count("校验码") == 1
    page.screenshot(path=os.path.join(screenshot_dir, "ledger-errors.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#error-workbook")
    download = info.value
    marked = tmp_path / download.suggested_filename
    download.save_as(marked)
    assert "错误标注" in download.suggested_filename
    wb = openpyxl.load_workbook(marked)
    ws = wb.active
    assert "校验码" in ws["B3"].comment.text and ws["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    ws["B3"] = good
    wb.save(marked)

    page.goto(f"{demo_live.url}/ledgers/")
    page.select_option("#id_ledger", "members")
    page.set_input_files("#id_file", str(marked))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#count-invalid")
    assert page.locator("#count-invalid").inner_text() == "0"
    assert page.locator("#count-new").inner_text() == "2"
    page.click("#commit")
    page.wait_for_selector("#message")
    assert "导入完成：新增 2 条" in page.locator("#message").inner_text()
    page.screenshot(path=os.path.join(screenshot_dir, "ledger-imported.png"), full_page=True)
    assert PartyMember.objects.filter(name__in=["浏览器甲", "浏览器乙"]).count() == 2
