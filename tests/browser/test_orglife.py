"""Organizational life in the browser, at a desktop's width and a phone's (issue 12, point 8):
the demo secretary plans this month's 主题党日, two members sign in on their phones by the QR
code's link (one with the demo's member sign-in, one invited on the spot), the secretary records
the minutes and sees the month turn to done; a 支部党员大会 without quorum shows as not
counting, with the reason."""

import datetime
import os

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PASSWORD = "Hongqi-Piaopiao-2026"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def times_around_now() -> tuple[str, str]:
    """A start a little before now and an end later today (never across midnight)."""
    now = timezone.localtime()
    start = max(now - datetime.timedelta(minutes=10), now.replace(hour=0, minute=0))
    end = min(now + datetime.timedelta(minutes=110), now.replace(hour=23, minute=59))
    return f"{start:%H:%M}", f"{end:%H:%M}"


def plan(page, kind: str, topic: str) -> None:
    page.click("#plan-meeting")
    page.select_option("#id_kind", kind)
    page.fill("#id_held_on", timezone.localdate().isoformat())
    starts, ends = times_around_now()
    page.fill("#id_starts_at", starts)
    page.fill("#id_ends_at", ends)
    page.fill("#id_place", "协会会议室")
    page.fill("#id_topic", topic)
    page.click("#save-plan")
    page.wait_for_selector("#meeting-title")


def phone(chromium):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    return context, tab


def sign_in_form(tab, username: str, password: str) -> None:
    tab.fill("#id_username", username)
    tab.fill("#id_password", password)
    tab.click("button[type=submit]")


def current_link(page) -> str:
    page.reload()
    page.wait_for_selector("#qr-panel svg")
    return page.locator("#qr-link").get_attribute("href")


def record(page, *, present: int, minutes: str) -> None:
    """Mark the first ``present`` members without a QR sign-in present and the rest absent."""
    page.click("#record-meeting")
    page.wait_for_selector("#attendance-grid")
    rows = page.locator(".attendance-row")
    marked = 0
    for i in range(rows.count()):
        row = rows.nth(i)
        if row.locator("input[type=radio]:checked").count():
            continue
        if marked < present:
            row.locator("label", has_text="出席").click()
            marked += 1
        else:
            row.locator("label", has_text="缺席").click()
            row.locator("select").select_option("personal")
    page.select_option("#id_chair", index=1)
    page.select_option("#id_recorder", index=2)
    page.fill("#id_minutes", minutes)
    page.click("#save-record")
    page.wait_for_selector("#meeting-status")


@pytest.mark.parametrize("width", [1280, 390])
def test_plan_sign_in_by_qr_record_and_the_month_is_done(
    demo_live, chromium, page, sign_in, screenshot_dir, width
):
    from dangjian.party.models import PartyMember

    if width == 390:
        page.set_viewport_size(PHONE)
    sign_in(demo_live, "secretary")
    # The secretary lands on their to-do list (home, since issue 16), the theme day among it;
    # the workspace is one click away.
    assert "组织生活待办" in page.inner_text("main")
    page.goto(f"{demo_live.url}/orglife/")
    theme = page.locator(".requirement[data-kind=theme_day] .current")
    assert theme.get_attribute("data-state") == "due"
    assert no_sideways_scroll(page)

    plan(page, "theme_day", "主题党日：学习网络安全法")
    assert page.locator("#meeting-status").inner_text() == "计划中"
    assert no_sideways_scroll(page)
    link = current_link(page)
    assert "/sign-in/" in link

    # The demo's member signs in on a phone: the link asks them to sign in first.
    member_context, member = phone(chromium)
    member.goto(link)
    sign_in_form(member, "member", "Dangjian-member-2026")
    member.click("#confirm-sign-in")
    assert "签到成功" in member.locator("#sign-in-done").inner_text()
    # The network dropped and the phone sends it again: counted once.
    member.reload()
    member.wait_for_selector("#sign-in-done")
    member_context.close()

    # A second member is invited on the spot (a link shown as a QR code) and signs in too.
    second = (
        PartyMember.objects.filter(
            relation_party_organization__name="天津市互联网金融协会党支部",
            positions__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    meeting_url = page.url
    page.goto(f"{demo_live.url}/members/{second.pk}/")
    page.click("#invite-member")
    invite = page.locator("#invite-link").get_attribute("href")
    assert page.locator(".qr-box svg").count() == 1
    second_context, phone_two = phone(chromium)
    phone_two.goto(invite)
    phone_two.fill("#id_username", f"member-{width}")
    phone_two.fill("#id_password1", PASSWORD)
    phone_two.fill("#id_password2", PASSWORD)
    phone_two.click("#join-form button[type=submit]")
    # Joined and signed in: the member lands on their to-do list (home, since issue 16).
    phone_two.wait_for_url(lambda url: "/account/join/" not in url)
    assert "我即将参加的会议" in phone_two.inner_text("main")
    page.goto(meeting_url)
    phone_two.goto(current_link(page))
    phone_two.click("#confirm-sign-in")
    assert "签到成功" in phone_two.locator("#sign-in-done").inner_text()
    assert no_sideways_scroll(phone_two)
    second_context.close()

    page.reload()
    page.wait_for_selector("#qr-signed-in")
    assert page.locator("#qr-signed-in").inner_text() == "已有 2 人扫码签到"
    record(page, present=10, minutes="传达学习上级精神，开展志愿宣传活动的分工。")
    assert page.locator("#meeting-status").inner_text() == "已召开，计入规定次数"
    methods = page.locator("#attendance-list").inner_text()
    assert methods.count("扫码签到") == 2
    page.screenshot(path=os.path.join(screenshot_dir, f"meeting-{width}.png"), full_page=True)

    page.goto(f"{demo_live.url}/orglife/")
    assert theme.get_attribute("data-state") == "done"
    assert no_sideways_scroll(page)
    page.screenshot(path=os.path.join(screenshot_dir, f"workspace-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_general_meeting_without_quorum_does_not_count(demo_live, page, sign_in, width):
    if width == 390:
        page.set_viewport_size(PHONE)
    sign_in(demo_live, "secretary")
    page.goto(f"{demo_live.url}/orglife/")
    plan(page, "general_meeting", "讨论发展党员工作")
    # 6 members with a vote: 3 present is not more than half.
    record(page, present=3, minutes="到会人数不足，另行择期召开。")
    assert page.locator("#meeting-status").inner_text() == "已召开，不计入规定次数"
    explanation = page.locator("#quorum-explanation").inner_text()
    assert "会议无效" in explanation and "至少需 4 名" in explanation
    assert no_sideways_scroll(page)
    page.goto(f"{demo_live.url}/orglife/")
    general = page.locator(".requirement[data-kind=general_meeting] .current")
    assert "不计入" in general.inner_text()


def record_election(page, *, present: int, votes: list[int]) -> None:
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/orglife/")
    page.click("#record-election")
    page.wait_for_selector("#election-form")
    assert page.locator("#id_voters_expected").input_value() == "6"
    page.fill("#id_voters_present", str(present))
    page.fill("#id_place", "协会会议室")
    for i, n in enumerate(votes):
        page.select_option(f"#id_candidate_{i}", index=i + 1)
        page.fill(f"#id_votes_{i}", str(n))
    page.click("#save-election")
    page.wait_for_selector("#election-explanation")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_election_with_its_quorum_writes_the_new_term(demo_live, page, sign_in, width):
    if width == 390:
        page.set_viewport_size(PHONE)
    sign_in(demo_live, "secretary")
    # 6 members with a vote: 5 present is more than four fifths; 3 votes of 5 elect.
    record_election(page, present=5, votes=[5, 4, 2])
    explanation = page.locator("#election-explanation").inner_text()
    assert "选举有效" in explanation and "至少须 5 名" in explanation
    results = page.locator("#election").inner_text()
    assert results.count("未当选") == 1 and results.count("当选") == 3
    assert no_sideways_scroll(page)
    page.goto(f"{demo_live.url}/orglife/")
    today = timezone.localdate().isoformat()
    assert f"本届任期自 {today} 起" in page.locator("#term").inner_text()
    assert no_sideways_scroll(page)


def test_an_election_without_four_fifths_elects_nobody(demo_live, page, sign_in):
    sign_in(demo_live, "secretary")
    page.goto(f"{demo_live.url}/orglife/")  # the workspace (the secretary lands on their home)
    before = page.locator("#term").inner_text()
    # 4 of 6 is not more than four fifths (5 needed): nobody is elected, the term stays.
    record_election(page, present=4, votes=[4, 4])
    assert "选举无效" in page.locator("#election-explanation").inner_text()
    assert page.locator("#election").inner_text().count("未当选") == 2
    page.goto(f"{demo_live.url}/orglife/")
    assert page.locator("#term").inner_text() == before
