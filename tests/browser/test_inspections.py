"""A newcomer records an annual inspection, a grade evaluation and a visit, from the menu."""

import datetime
import os

import pytest

pytestmark = pytest.mark.browser
TODAY = datetime.date.today()


def _menu(page, menu_id, entry):
    page.click(f"#{menu_id}")
    page.click(f".dropdown-menu.show a:text-is('{entry}')")


def test_record_an_annual_inspection(demo_live, page, sign_in, screenshot_dir):
    sign_in(demo_live, "officer")
    _menu(page, "menu-inspections", "年度检查")
    assert "年度检查" in page.locator("h1").inner_text()
    row = page.locator("tr", has_text="天津市网络游戏行业协会")
    assert row.locator("text=未收到").count() >= 1
    row.locator("a:text-is('填报')").click()
    assert "天津市网络游戏行业协会" in page.locator("h1").inner_text()
    assert page.locator("text=党建工作情况（取自台账）").count() == 1
    page.fill("#id_notes", "未报送年度工作报告，登记住所无法联系。")
    page.select_option("#id_conclusion", "failed")
    page.click("button:text-is('保存')")
    assert page.locator(".alert-success").inner_text() == "年度检查已保存。"
    assert page.locator("#id_conclusion").input_value() == "failed"
    page.screenshot(path=os.path.join(screenshot_dir, "inspection.png"), full_page=True)


def test_record_a_grade_evaluation(demo_live, page, sign_in, screenshot_dir):
    sign_in(demo_live, "officer")
    _menu(page, "menu-inspections", "等级评估")
    page.click("a:text-is('新建评估')")
    page.select_option("#id_organization", label="天津市互联网金融协会")
    page.fill("#id_year", str(TODAY.year))
    for field, value in {
        "basic": "58",
        "governance": "350",
        "performance": "345",
        "social": "115",
        "party_work": "78",
    }.items():
        page.fill(f"#id_score_{field}", value)
    page.fill("#id_notice_no", f"津民评〔{TODAY.year}〕9号")
    page.fill("#id_notice_date", TODAY.isoformat())
    page.click("button:text-is('计算等级并保存')")
    assert page.locator("#grade").inner_text() == "5A"
    assert page.locator("#total-score").inner_text() == "966.00"
    assert page.locator("#validity").inner_text() == (
        f"{TODAY.year + 1}-01-01 – {TODAY.year + 5}-12-31"
    )
    page.screenshot(path=os.path.join(screenshot_dir, "grade.png"), full_page=True)


def test_record_a_visit(demo_live, page, sign_in):
    sign_in(demo_live, "officer")
    _menu(page, "menu-inspections", "走访调研")
    page.click("a:text-is('登记走访')")
    page.select_option("#id_organization", label="天津市网络直播行业协会")
    page.fill("#id_visitors", "党建工作部 王强")
    page.fill("#id_findings", "登记住所已无人办公，电话无人接听。")
    page.check("#id_unreachable_at_address")
    page.click("button:text-is('保存')")
    assert page.locator(".alert-success").inner_text() == "走访已登记。"
    row = page.locator("tr", has_text="天津市网络直播行业协会")
    assert row.locator("text=登记住所无法联系").count() == 1
