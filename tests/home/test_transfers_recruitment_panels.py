"""Transfers and recruitment on the home pages (issue 16): the demo's letter out of the system
whose receipt never came back is on the officer's home, with the member's name; the demo
applicant nobody talked with a month after applying is on their branch secretary's home, with
the step overdue; neither shows to a party member or an outsider."""

import datetime

import pytest
from django.urls import reverse

from dangjian.transfers import queries
from dangjian.transfers.models import Transfer

from .test_home import panel

pytestmark = pytest.mark.django_db


def test_the_officer_sees_the_overdue_transfer_by_the_members_name(persona_client):
    (row,) = [
        r
        for r in queries.overdue(Transfer.objects.all(), datetime.date.today())
        if r.transfer.from_party_organization.name == "天津市软件行业协会党支部"
    ]
    text = panel(persona_client("officer").get(reverse("home")), "transfers.to_do")
    assert row.transfer.member.name in text
    assert ("回执逾期" if row.what == "receipt" else "介绍信已过期") in text


def test_the_secretary_sees_the_applicant_whose_talk_is_overdue(persona_client):
    text = panel(persona_client("secretary").get(reverse("home")), "recruitment.overdue")
    assert "赵一鸣" in text


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_neither_panel_for_a_member_or_an_outsider(persona_client, persona):
    page = persona_client(persona).get(reverse("home"))
    assert panel(page, "transfers.to_do") == "" and panel(page, "recruitment.overdue") == ""
