"""An officer works the findings list and reads the coverage page with its trend chart."""

import os

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_findings_worklist_and_coverage(demo_live, page, sign_in, screenshot_dir):
    sign_in(demo_live, "officer")
    page.goto(f"{demo_live.url}/rules/findings/")
    assert page.locator("h1").inner_text() == "问题清单"
    row = page.locator("#findings tr", has_text="天津市网络直播行业协会").first
    assert "应建未建" in row.inner_text() or "建议列入活动异常名录" in row.inner_text()
    # Filter by rule, then acknowledge the finding in bulk.
    page.select_option("#id_rule", "formation.required_not_formed")
    page.click("#finding-filter button[type=submit]")
    expect(page.locator("#findings tbody tr")).to_have_count(1)
    page.check("#findings input[name=finding]")
    page.select_option("#id_action", "acknowledged")
    page.click("#bulk-form button[type=submit]")
    page.select_option("#id_status", "acknowledged")
    page.click("#finding-filter button[type=submit]")
    assert "已确认" in page.locator("#findings tbody tr").first.inner_text()
    page.screenshot(path=os.path.join(screenshot_dir, "findings.png"), full_page=True)

    page.goto(f"{demo_live.url}/rules/coverage/")
    assert page.locator("h1").inner_text().startswith("覆盖率")
    assert page.locator("#figure-total").inner_text() == "33"
    page.wait_for_selector("#coverage-trend[data-ready='1'] canvas")
    page.screenshot(path=os.path.join(screenshot_dir, "coverage.png"), full_page=True)
    # The organizational figure's link (the work figure's reads 工作未覆盖单位: the text alone is
    # ambiguous, and one parallel run clicked that one).
    page.click("#coverage-figures a[href*='measure=uncovered']")
    expect(page.locator("#coverage-units", has_text="天津市网络直播行业协会")).to_have_count(1)
