"""Notices on the home pages (issue 16): the liaison whose unit has not signed the demo's
all-units notice sees it to sign; the officer who sent the older one, past its deadline with a
third signed, sees it as signed by too few; a member sees nothing of notices not sent to them."""

import pytest
from django.urls import reverse

from tests.home.test_home import panel

pytestmark = pytest.mark.django_db


def test_the_liaison_sees_the_notice_their_unit_has_still_to_sign(persona_client):
    text = panel(persona_client("liaison").get(reverse("home")), "notices.to_do")
    assert "关于开展2026年度党建工作情况统计的通知" in text
    assert "待签收" in text


def test_the_officer_sees_a_notice_signed_by_too_few_after_its_deadline(persona_client):
    text = panel(persona_client("officer").get(reverse("home")), "notices.sent")
    assert "关于核实党组织书记和联络员信息的通知" in text
    # Due tomorrow and half signed: not yet a low sign rate.
    assert "关于开展2026年度党建工作情况统计的通知" not in text
    assert "待审核的反馈" in text


def test_nothing_of_notices_sent_elsewhere_on_an_outsiders_home(persona_client):
    page = persona_client("outsider").get(reverse("home"))
    assert panel(page, "notices.to_do") == "" and panel(page, "notices.sent") == ""
