"""Transfers of the 组织关系 in the browser: the federation officer issues a letter from the
demo secretary's branch to another branch of the system, downloads the Word letter, accepts it
and finds the member in the new branch; a letter out of the system gets its receipt recorded."""

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser
FROM = "天津市互联网金融协会党支部"
TO = "天津市人工智能学会党支部"


def _issue(page, base, member, *, to_pk=None, to_name=""):
    page.goto(f"{base}/transfers/")
    page.click("#issue-letter")
    page.select_option("#id_member", str(member.pk))
    if to_pk:
        page.select_option("#id_to_party_organization", str(to_pk))
    else:
        page.fill("#id_to_name", to_name)
    with page.expect_navigation():
        page.click("#transfers-form button[type=submit]")
    page.wait_for_selector("#transfer-facts")


def test_a_transfer_out_and_in_with_its_letter_and_receipt(demo_live, page, sign_in):
    from docx import Document

    from dangjian.party.models import PartyMember, PartyOrganization
    from dangjian.party.queries import held_in_q
    from dangjian.transfers.models import Transfer

    today = timezone.localdate()
    source = PartyOrganization.objects.get(name=FROM)
    target = PartyOrganization.objects.get(name=TO)
    movers = list(
        PartyMember.objects.filter(held_in_q(today, [source]), is_flowing=False)
        .exclude(transfers__status=Transfer.Status.ISSUED)
        .order_by("pk")[:2]
    )
    member, leaver = movers
    sign_in(demo_live, "officer")

    # Out of the secretary's branch, into another branch of the system.
    _issue(page, demo_live.url, member, to_pk=target.pk)
    transfer = Transfer.objects.get(member=member, status=Transfer.Status.ISSUED)
    facts = page.inner_text("#transfer-facts")
    assert "已开具，待接收" in facts and TO in facts
    with page.expect_download() as download:
        page.click("#download-letter")
    letter = Document(str(download.value.path()))
    text = "\n".join(p.text for p in letter.paragraphs)
    assert "中国共产党党员组织关系介绍信" in text and "回执" in text
    assert member.name in text and transfer.letter_no in text and TO in text

    with page.expect_navigation():
        page.click("#accept-form button[type=submit]")
    assert "组织关系已接收" in page.inner_text("body")
    assert "已接收" in page.inner_text("#transfer-status")
    page.goto(f"{demo_live.url}/party-organizations/{target.pk}/")
    assert member.name in page.inner_text("body")

    # Out of the system: the printed letter, then its receipt.
    _issue(page, demo_live.url, leaver, to_name="北京市海淀区某街道党工委")
    assert "系统外" in page.inner_text("#transfer-facts")
    with page.expect_navigation():
        page.click("#receipt-form button[type=submit]")
    assert "回执已登记" in page.inner_text("body")
    assert today.isoformat() in page.inner_text("#receipt-on")
    leaver.refresh_from_db()
    assert leaver.relation_external == "北京市海淀区某街道党工委"
