"""Browser walk: grant a demonstration point and record an honour, from the menu."""

import datetime

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_grant_designation_and_record_honour(demo_live, page, sign_in):
    sign_in(demo_live, "officer")
    page.click("nav >> text=品牌与荣誉")
    page.click("#grant")
    page.select_option("#id_organization", label="天津市网络安全协会")
    page.select_option("#id_kind", "demonstration_point")
    page.fill("#id_granted_by", "天津市互联网行业党委")
    page.click("#recognition-form button[type=submit]")
    page.locator("#designations").get_by_text("天津市网络安全协会").first.wait_for()
    page.click("#record")
    page.select_option("#id_kind", "honour")
    page.select_option("#id_organization", label="天津市网络安全协会")
    page.fill("#id_title", "网络文明建设先进单位")
    page.fill("#id_granted_by", "天津市委网信办")
    page.fill("#id_granted_on", datetime.date.today().isoformat())
    page.click("#recognition-form button[type=submit]")
    expect(page.locator("#recognitions").get_by_text("网络文明建设先进单位")).to_have_count(1)
