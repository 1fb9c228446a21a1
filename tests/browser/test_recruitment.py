"""Recruitment in the browser: the demo secretary opens the branch's pipeline, finds the
applicant nobody has talked with (overdue), records the talk (a date in the future refused in
Chinese, what was typed kept) and the branch committee's decision making them an activist, and
sees them move to the activist stage with nothing overdue."""

import datetime

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser


def test_an_applicant_moves_to_the_activist_stage(demo_live, page, sign_in):
    from dangjian.recruitment.models import Applicant

    today = timezone.localdate()
    a = Applicant.objects.get(name="赵一鸣")
    sign_in(demo_live, "secretary")
    page.click("#menu-members")
    page.click("#menu-recruitment")
    page.click("#pipelines a")
    page.wait_for_selector("#stage-application")
    row = page.locator("#stage-application tr", has_text="赵一鸣")
    assert "已逾期" in row.inner_text() and "党组织派人谈话" in row.inner_text()
    row.locator("a").click()

    page.wait_for_selector("#step-form")
    assert "党组织派人谈话" in page.inner_text("#step-form")
    tomorrow = today + datetime.timedelta(days=1)
    page.fill("#id_done_on", tomorrow.isoformat())
    page.fill("#id_note", "书记谈话，谈话记录已存档")
    with page.expect_navigation():
        page.click("#step-form button[type=submit]")
    assert "晚于今天" in page.inner_text("body")
    assert page.input_value("#id_note") == "书记谈话，谈话记录已存档"
    page.fill("#id_done_on", today.isoformat())
    with page.expect_navigation():
        page.click("#step-form button[type=submit]")
    page.wait_for_selector("text=步骤已记录")
    assert "党组织派人谈话" in page.inner_text("#timeline")

    # Next: the branch committee decides on the activist.
    assert "推荐和确定入党积极分子" in page.inner_text("#step-form")
    page.select_option("#id_decided_by", "branch_committee")
    page.select_option("#id_method", "party_members")
    with page.expect_navigation():
        page.click("#step-form button[type=submit]")
    page.wait_for_selector("text=步骤已记录")
    assert "入党积极分子的确定和培养教育" in page.inner_text("h1")
    a.refresh_from_db()
    assert a.stage == "activist"

    page.click(f"text={a.branch.name}")
    page.wait_for_selector("#stage-activist")
    assert "赵一鸣" in page.inner_text("#stage-activist")
    assert "赵一鸣" not in page.inner_text("#stage-application")
