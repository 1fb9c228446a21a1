"""A newcomer signs in and opens the organization list and a profile, in Chinese."""

import os

import pytest

pytestmark = pytest.mark.browser


def test_sign_in_list_and_profile(demo_live, page, sign_in, screenshot_dir):
    sign_in(demo_live, "officer")
    page.goto(f"{demo_live.url}/organizations/")
    assert page.locator("h1").inner_text() == "会员单位"
    page.fill("#id_q", "大数据")
    page.click("form[role=search] button[type=submit]")
    page.click("#organizations a:text-is('天津市大数据协会')")
    assert "单位档案" in page.locator("h1").inner_text()
    assert page.locator("text=天津市大数据协会党支部").count() >= 1
    assert page.locator("#members td.masked").first.inner_text().count("*") >= 8
    page.screenshot(path=os.path.join(screenshot_dir, "profile.png"), full_page=True)
    # Bootstrap is served locally: the navbar is styled (not the default transparent).
    color = page.evaluate("getComputedStyle(document.querySelector('nav')).backgroundColor")
    assert color == "rgb(179, 20, 12)"


def test_menu_fits_one_line_and_lists_scroll_on_a_phone(demo_live, page, sign_in):
    sign_in(demo_live, "officer")
    page.goto(f"{demo_live.url}/organizations/")
    # 1280 px (a common office laptop): every menu on one line, ledger pages behind one dropdown.
    assert page.locator("nav.navbar").bounding_box()["height"] < 70
    page.click("#menu-ledger")
    page.click("nav >> text=党组织")
    assert page.locator("h1").inner_text() == "党组织"
    page.click("#menu-user")
    assert page.locator("#sign-out").is_visible()
    # A phone: the menu folds away and a unit's name stays on one line (the table scrolls).
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{demo_live.url}/organizations/")
    assert not page.locator("#menu-ledger").is_visible()
    first = page.locator("#organizations tbody tr").first
    assert first.bounding_box()["height"] < 45
