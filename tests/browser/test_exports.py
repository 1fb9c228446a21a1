"""A province officer's export too large for a request: sent to 我的导出, made by the worker,
downloaded, then removed — in Chromium, in Chinese."""

import os

import openpyxl
import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_large_roster_export_is_made_in_the_background_and_downloaded(
    demo_live, page, sign_in, tmp_path, screenshot_dir, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_IN_REQUEST_ROWS = 5
    settings.TASKS = IMMEDIATE  # the worker's part runs as the request commits

    sign_in(demo_live, "officer")
    page.goto(f"{demo_live.url}{reverse('party:member_list')}")
    page.click("#export-xlsx")
    page.wait_for_url(f"**{reverse('exports')}")
    assert "超过 5 行，已转入后台生成" in page.locator(".alert").inner_text()
    row = page.locator("#exports tbody tr").first
    assert row.get_attribute("data-status") == "done"
    assert "已生成" in row.inner_text() and "党员名册" in row.inner_text()
    page.screenshot(path=os.path.join(screenshot_dir, "exports.png"), full_page=True)

    with page.expect_download() as info:
        row.locator("a").click()
    download = info.value
    assert download.suggested_filename.startswith("党员名册")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved).worksheets[0]
    assert sheet.max_row - 1 > 5 and sheet["A1"].value == "姓名"

    row.locator("button").click()
    page.wait_for_selector("#exports tbody tr[data-status=expired]")
    assert "党员名册的文件已删除" in page.locator(".alert").inner_text()
    assert page.locator("#exports tbody tr a").count() == 0
