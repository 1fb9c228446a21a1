"""Notices in the browser (issue 16 points 3 and 6): the demo secretary writes a notice to their
branch's members and publishes it; the demo party member sees the bell's count on a 390 px
phone, opens the notice from it and signs; the secretary then reads the sign rate."""

import os
import re

import pytest

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
BRANCH = "天津市互联网金融协会党支部"
TITLE = "关于参加本周六志愿服务活动的通知"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_secretary_sends_a_notice_and_a_member_signs_it_on_a_phone(
    demo_live, page, sign_in, signed_in, screenshot_dir
):
    from dangjian.notices.models import Notice, Receipt

    sign_in(demo_live, "secretary")
    page.goto(f"{demo_live.url}/notices/new/")
    page.fill("#id_title", TITLE)
    # Each member answers an activity's notice (N-5): a meeting notice, not a document notice.
    page.select_option("#id_kind", value="meeting")
    page.fill("#id_body", "全体党员：\n本周六上午9时在社区服务中心开展志愿服务，请按时参加。")
    page.check("input[name=audience][value=members]")
    page.select_option("#id_party_organizations", label=BRANCH)
    page.click("#publish")
    page.wait_for_selector("#notice-title")
    assert "通知已发布" in page.content()
    notice = Notice.objects.get(title=TITLE)
    targets = notice.receipts.count()
    assert targets >= 3
    assert page.locator("#sign-rate").inner_text().strip() == "0%"

    phone = signed_in(demo_live, "member", viewport=PHONE, is_mobile=True)
    # The bell's count arrives by htmx (no inline script) and is visible without the menu.
    badge = phone.locator("#bell-unseen")
    badge.wait_for()
    assert badge.is_visible()
    assert int(re.sub(r"\D", "", badge.inner_text())) >= 1
    phone.click("#bell")
    phone.wait_for_url(re.compile(r"/notices/notifications/$"))
    phone.get_by_role("link", name=f"新通知：{TITLE}").click()
    phone.wait_for_selector("#notice-title")
    assert TITLE in phone.locator("#notice-title").inner_text()
    assert "志愿服务" in phone.locator("#notice-body").inner_text()
    assert "已读" in phone.locator(".receipt-status").inner_text()
    assert no_sideways_scroll(phone)
    phone.screenshot(path=os.path.join(screenshot_dir, "notice-member-390.png"), full_page=True)
    phone.click(".sign-button")
    phone.wait_for_selector(".alert-success")
    assert "已签收" in phone.locator(".receipt-status").inner_text()
    assert no_sideways_scroll(phone)
    phone.screenshot(path=os.path.join(screenshot_dir, "notice-signed-390.png"), full_page=True)

    receipt = Receipt.objects.get(notice=notice, status=Receipt.Status.SIGNED)
    assert receipt.signed_by.username == "member"
    page.reload()
    assert page.locator("#sign-rate").inner_text().strip() == f"{100 // targets}%"
