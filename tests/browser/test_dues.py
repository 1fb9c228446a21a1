"""Party dues in the browser (issue 14, "done when"): the demo secretary records this month's
payments, hands the last ended month in to the higher organization, publishes the year and finds
the member with six unpaid months on the arrears worklist with the months listed; the demo's
party member opens their own ledger on a phone."""

import datetime
import os

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
BRANCH = "天津市互联网金融协会党支部"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_month_of_dues_handed_in_published_and_the_arrears_found(
    demo_live, chromium, page, sign_in, screenshot_dir
):
    from dangjian.dues import queries
    from dangjian.dues.models import DuesPayment, HandIn
    from dangjian.party.models import PartyOrganization

    po = PartyOrganization.objects.get(name=BRANCH)
    today = timezone.localdate()
    sign_in(demo_live, "secretary")
    page.click("#menu-dues")
    page.click("text=各党组织党费")
    page.click(f"text={BRANCH}")
    page.wait_for_selector("#month-table")

    # This month: tick the first member still owing it and record the payment.
    boxes = page.locator("#month-payments input[type=checkbox]")
    owing = boxes.count()
    assert owing >= 1  # the member in arrears has not paid this month either
    before = DuesPayment.objects.filter(party_organization=po).count()
    boxes.first.check()
    with page.expect_navigation():
        page.click("#record-payments")
    page.wait_for_selector("#month-table")
    assert DuesPayment.objects.filter(party_organization=po).count() == before + 1
    assert page.locator("#month-payments input[type=checkbox]").count() == owing - 1
    paid = DuesPayment.objects.filter(party_organization=po).latest("pk")
    assert paid.receipt_no in page.locator("#month-table").inner_text()

    # The last ended month goes to the higher organization: the amount must be what was
    # collected in it (by the day paid), which the form offers.
    month = queries.last_ended_month(today)
    collected = queries.collected_fen(po, month, queries.month_end(month))
    page.click("#to-hand-in")
    assert page.input_value("#id_first_month") == f"{month:%Y-%m}"
    assert page.input_value("#id_amount") in (f"{collected / 100:.2f}", f"{collected / 100}")
    page.fill("#id_amount", f"{(collected + 1) / 100:.2f}")
    with page.expect_navigation():
        page.click("#hand-in-form button[type=submit]")
    assert "不符" in page.inner_text("body")  # one fen off: refused, said in Chinese
    page.fill("#id_amount", f"{collected / 100:.2f}")
    with page.expect_navigation():
        page.click("#hand-in-form button[type=submit]")
    page.wait_for_selector("text=上缴已记录")
    hand_in = HandIn.objects.get(party_organization=po, first_month=month)
    assert hand_in.amount_fen == collected and hand_in.received_on is None

    # The year's publication (党费收缴情况公示).
    page.goto(f"{demo_live.url}/dues/branches/{po.pk}/year/?year={today.year}")
    with page.expect_navigation():
        page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#published")
    assert today.strftime("%Y-%m-%d") in page.locator("#published").inner_text()

    # The arrears worklist: the member with six ended months unpaid, the months named.
    page.goto(f"{demo_live.url}/dues/arrears/")
    worklist = page.locator("#arrears").inner_text()
    assert "6 个月未交" in worklist
    last = queries.last_ended_month(today)
    assert f"{last.year}年{last.month}月" in worklist
    page.screenshot(path=os.path.join(screenshot_dir, "dues-arrears.png"), full_page=True)


def test_a_member_reads_their_own_ledger_on_a_phone(demo_live, signed_in, screenshot_dir):
    from dangjian.party.models import PartyMember

    phone = signed_in(demo_live, "member", viewport=PHONE, is_mobile=True)
    phone.goto(f"{demo_live.url}/dues/mine/")
    ledger = phone.locator("#ledger").inner_text()
    assert str(datetime.date.today().year) in phone.content()
    names = set(
        PartyMember.objects.filter(relation_party_organization__name=BRANCH).values_list(
            "name", flat=True
        )
    )
    shown = [name for name in names if name in phone.content()]
    assert len(shown) == 1  # their own name only
    assert ledger.strip()
    assert no_sideways_scroll(phone)
    phone.screenshot(path=os.path.join(screenshot_dir, "dues-mine-390.png"), full_page=True)
