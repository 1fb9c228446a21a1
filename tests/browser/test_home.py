"""Home pages on a phone (issue 16): the demo's party member and branch secretary sign in on a
390 px screen and land on their to-do lists, in Chinese, without sideways scrolling, each item
a link to where the work is done."""

import os

import pytest

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_member_lands_on_their_meetings_and_dues_on_a_phone(
    demo_live, signed_in, screenshot_dir
):
    phone = signed_in(demo_live, "member", viewport=PHONE, is_mobile=True)
    assert phone.url.rstrip("/") == demo_live.url  # signing in lands on home
    phone.wait_for_selector("#home-panels")
    body = phone.inner_text("main")
    assert "我的待办" in body and "我即将参加的会议" in body and "我的党费" in body
    assert "规则发现的问题" not in body
    assert no_sideways_scroll(phone)
    phone.screenshot(path=os.path.join(screenshot_dir, "home-member-390.png"), full_page=True)
    # An item is a link to where the work is done: the dues item opens their own ledger.
    with phone.expect_navigation():
        phone.click("#panel-dues-mine a")
    assert "/dues/mine/" in phone.url


def test_the_secretary_lands_on_meetings_due_and_dues_to_hand_in_on_a_phone(
    demo_live, signed_in, screenshot_dir
):
    from django.utils import timezone

    from dangjian.dues import queries

    phone = signed_in(demo_live, "secretary", viewport=PHONE, is_mobile=True)
    phone.wait_for_selector("#home-panels")
    body = phone.inner_text("main")
    assert "组织生活待办" in body and "党费待办" in body
    month = queries.label(queries.last_ended_month(timezone.localdate()))
    assert f"上缴{month}党费" in body
    assert no_sideways_scroll(phone)
    phone.screenshot(path=os.path.join(screenshot_dir, "home-secretary-390.png"), full_page=True)
    with phone.expect_navigation():
        phone.click(f"#panel-dues-secretary a:has-text('上缴{month}党费')")
    assert "/hand-in/" in phone.url
