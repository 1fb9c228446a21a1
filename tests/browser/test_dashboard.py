"""The dashboard in Chromium (issue 16 point 2): the demo officer's big screen at 1920 × 1080
with Chinese text and every chart drawn, fitting the screen, going offline and back; the
dashboard's table view; the dashboard on a 390 px phone."""

import os

import pytest

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def drawn(page) -> int:
    """Charts ECharts has drawn (a canvas with something on it)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.dash-box[data-ready="1"] canvas'))
             .filter(c => c.width > 0 && c.height > 0).length"""
    )


def test_big_screen_at_1920(demo_live, signed_in, screenshot_dir):
    page = signed_in(demo_live, "officer", timeout=20000, viewport={"width": 1920, "height": 1080})
    context = page.context
    page.click("#menu-dashboard")
    page.wait_for_selector('.dash-box[data-ready="1"]')
    with page.expect_navigation():
        page.click("#open-screen")
    page.wait_for_selector('.dash-box[data-ready="1"] >> nth=5')
    assert drawn(page) >= 6
    text = page.inner_text("body")
    for words in (
        "党建工作数据大屏",
        "组织覆盖率",
        "工作覆盖率",
        "未结问题",
        "覆盖率趋势",
        "每月组织生活完成率",
    ):
        assert words in text, words
    # One screen: nothing to scroll, across or down.
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=os.path.join(screenshot_dir, "dashboard-screen-1920.png"))
    # Offline: the figures stay, marked with their time; back online they are fetched again.
    context.set_offline(True)
    page.keyboard.press("r")
    page.wait_for_selector("#screen-status.screen-offline")
    assert "离线" in page.inner_text("#screen-status")
    assert drawn(page) >= 6
    context.set_offline(False)
    page.keyboard.press("r")
    page.wait_for_selector("#screen-status:not(.screen-offline)")
    assert "更新于" in page.inner_text("#screen-status")


def test_table_view_and_phone(demo_live, page, sign_in, signed_in, screenshot_dir):
    sign_in(demo_live, "officer")
    page.goto(f"{demo_live.url}/dashboard/")
    page.wait_for_selector('.dash-box[data-chart="coverage-trend"][data-ready="1"]')
    table = page.locator('.dash-table[data-chart="coverage-trend"]')
    assert "visually-hidden" in table.get_attribute("class")  # kept for screen readers
    page.click('.dash-toggle[data-chart="coverage-trend"]')
    assert "visually-hidden" not in table.get_attribute("class")
    assert "组织覆盖率" in table.inner_text()
    assert page.locator('.dash-box[data-chart="coverage-trend"]').is_hidden()
    page.click('.dash-toggle[data-chart="coverage-trend"]')
    assert page.locator('.dash-box[data-chart="coverage-trend"]').is_visible()

    phone = signed_in(demo_live, "officer", timeout=20000, viewport=PHONE, is_mobile=True)
    phone.goto(f"{demo_live.url}/dashboard/")
    phone.wait_for_selector('.dash-box[data-ready="1"] >> nth=7')
    assert "数据看板" in phone.inner_text("body")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot(path=os.path.join(screenshot_dir, "dashboard-390.png"), full_page=True)
