"""The pages on the demo: the branch secretary records a month's payments in one form, hands
in, publishes the year and sees the member with six unpaid months on the worklist; bad input
comes back in Chinese with what was typed; the officer approves a reduction and receives a
hand-in; receipts print; a member sees their own ledger; those who keep no dues see none."""

import datetime
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.access import scope
from dangjian.core.models import AuditLog
from dangjian.dues import queries
from dangjian.dues.models import DuesPayment, DuesPublication, DuesRelief, HandIn
from dangjian.party.models import PartyMember, PartyOrganization
from dangjian.rulebook.periods import add_months
from dangjian.rules.models import Finding

pytestmark = pytest.mark.django_db
BRANCH = "天津市互联网金融协会党支部"


@pytest.fixture
def po(demo_federation):
    return PartyOrganization.objects.get(name=BRANCH)


@pytest.fixture
def secretary(persona_client):
    return persona_client("secretary")


def unpaid_row(po, month):
    """A member of the demo branch who has not paid ``month``."""
    for member in PartyMember.objects.filter(relation_party_organization=po):
        if not DuesPayment.objects.filter(member=member, month=month).exists() and (
            queries.first_due_month(member) <= month
        ):
            return member
    raise AssertionError("the demo has a member who missed a month")


def test_the_secretary_records_a_months_payments_in_one_form(secretary, po):
    today = datetime.date.today()
    month = add_months(queries.last_ended_month(today), -2)  # the demo's "missed" member
    member = unpaid_row(po, month)
    url = f"{reverse('dues:branch', args=[po.pk])}?month={month:%Y-%m}"
    page = secretary.get(url)
    assert page.status_code == 200 and f"pay_{member.pk}" in page.content.decode()
    # Bad input: the amount is not a number — refused in Chinese, what was typed kept.
    response = secretary.post(
        url,
        {
            "paid_on": today.isoformat(),
            f"pay_{member.pk}": "on",
            f"amount_{member.pk}": "五十",
            f"method_{member.pk}": "cash",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "不是金额" in body and 'value="五十"' in body
    assert not DuesPayment.objects.filter(member=member, month=month).exists()
    # The month's due, ticked: recorded, and the page shows it paid.
    due = page.context["form"].fields[f"amount_{member.pk}"].initial
    response = secretary.post(
        url,
        {
            "paid_on": today.isoformat(),
            f"pay_{member.pk}": "on",
            f"amount_{member.pk}": f"{due / 100:.2f}",
            f"method_{member.pk}": "transfer",
        },
        follow=True,
    )
    assert "已记录" in response.content.decode(), re.findall(
        r"alert-[a-z]+\">([^<]*)", response.content.decode()
    )
    payment = DuesPayment.objects.get(member=member, month=month)
    assert payment.method == "transfer" and payment.recorded_by.username == "secretary"
    # The receipt prints.
    receipt = secretary.get(reverse("dues:receipt", args=[payment.pk]))
    assert receipt.status_code == 200 and payment.receipt_no in receipt.content.decode()


def test_the_worklist_lists_the_member_with_six_unpaid_months(secretary, po):
    finding = Finding.objects.get(rule_id="dues.arrears", party_organization=po)
    member = PartyMember.objects.get(pk=finding.evidence["member_id"])
    body = secretary.get(reverse("dues:arrears")).content.decode()
    assert member.name in body
    for code in finding.evidence["months"]:
        year, month = code.split("-")
        assert f"{year}年{int(month)}月" in body
    assert "党小组长电话提醒" in body  # the step recorded so far
    member_page = secretary.get(reverse("dues:member", args=[member.pk])).content.decode()
    assert "连续 6 个月未交纳党费" in member_page


def test_the_secretary_hands_in_and_the_amount_must_match(secretary, po):
    today = datetime.date.today()
    month = queries.last_ended_month(today)
    # The demo leaves the last ended month for the secretary to hand in.
    assert not HandIn.objects.filter(party_organization=po, first_month=month).exists()
    collected = queries.collected_fen(po, month, queries.month_end(month))
    url = reverse("dues:hand_in_new", args=[po.pk])
    data = {"period": "month", "first_month": f"{month:%Y-%m}", "handed_on": today.isoformat()}
    wrong = secretary.post(url, {**data, "amount": f"{(collected + 100) / 100:.2f}"})
    assert "不符" in wrong.content.decode()
    right = secretary.post(url, {**data, "amount": f"{collected / 100:.2f}"}, follow=True)
    assert "上缴已记录" in right.content.decode()
    hand_in = HandIn.objects.get(party_organization=po, first_month=month)
    # The branch's own secretary does not receive its own hand-in; the federation's officer does.
    assert secretary.get(reverse("dues:hand_in_receive", args=[hand_in.pk])).status_code == 404


def test_the_officer_receives_a_hand_in_and_approves_a_reduction(persona_client, po):
    officer = persona_client("officer")
    hand_in = HandIn.objects.filter(party_organization=po).order_by("-first_month").first()
    if hand_in.received_on is None:
        response = officer.post(
            reverse("dues:hand_in_receive", args=[hand_in.pk]),
            {"received_on": datetime.date.today().isoformat()},
            follow=True,
        )
        assert "签收已记录" in response.content.decode()
    relief = DuesRelief.objects.get(
        member__relation_party_organization=po, approved_on__isnull=True
    )
    index = officer.get(reverse("dues:index")).content.decode()
    assert relief.member.name in index  # awaiting approval
    officer.post(
        reverse("dues:member", args=[relief.member_id]),
        {
            "form": "approve",
            "relief": relief.pk,
            "approve-approved_on": datetime.date.today().isoformat(),
            "approve-approved_by": "津网联党委",
        },
    )
    relief.refresh_from_db()
    assert relief.approved_on == datetime.date.today()


def test_the_secretary_cannot_approve_a_reduction(secretary, po):
    relief = DuesRelief.objects.get(
        member__relation_party_organization=po, approved_on__isnull=True
    )
    response = secretary.post(
        reverse("dues:member", args=[relief.member_id]),
        {
            "form": "approve",
            "relief": relief.pk,
            "approve-approved_on": "2026-01-01",
            "approve-approved_by": "x",
        },
    )
    assert response.status_code == 404
    relief.refresh_from_db()
    assert relief.approved_on is None


def test_the_secretary_publishes_the_year_and_exports_the_register(secretary, po):
    year = datetime.date.today().year
    url = f"{reverse('dues:year', args=[po.pk])}?year={year}"
    page = secretary.get(url).content.decode()
    assert f"{year} 年度党费收缴情况公示" in page
    secretary.post(url, {"year": year, "published_on": datetime.date.today().isoformat()})
    publication = DuesPublication.objects.get(party_organization=po, year=year)
    assert publication.figures["totals"]["members"] >= 3
    before = AuditLog.objects.filter(event_type="dues.register_exported").count()
    response = secretary.get(url + "&export=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["党费收缴登记表"]
    assert [c.value for c in sheet[1]][:6] == [
        "序号",
        "姓名",
        "党员类别",
        "月缴纳基数（元）",
        "交纳比例",
        "月应交（元）",
    ]
    assert AuditLog.objects.filter(event_type="dues.register_exported").count() == before + 1


def test_a_base_dated_before_joining_is_refused_on_the_page(secretary, po):
    member = (
        PartyMember.objects.filter(relation_party_organization=po)
        .order_by("-joined_party_on")
        .first()
    )
    before = queries.first_due_month(member).replace(year=member.joined_party_on.year - 1)
    response = secretary.post(
        reverse("dues:member", args=[member.pk]),
        {
            "form": "base",
            "base-from_month": f"{before:%Y-%m}",
            "base-category": "employed",
            "base-base": "4000",
        },
    )
    assert "此前没有应交党费" in response.content.decode()


def test_a_member_sees_their_own_ledger(persona_client, po):
    assert persona_client("outsider").get(reverse("dues:mine")).status_code == 404  # no member
    client = persona_client("member")  # the demo's party member, bound to their ledger record
    own = PartyMember.objects.get(
        pk__in=scope.own_member_ids(get_user_model().objects.get(username="member"))
    )
    others = PartyMember.objects.filter(relation_party_organization=po).exclude(pk=own.pk)
    page = client.get(reverse("dues:mine"), HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    body = page.content.decode()
    assert page.status_code == 200 and own.name in body and 'id="ledger"' in body
    assert 'name="viewport"' in body  # laid out for a phone
    assert not any(other.name in body for other in others)
    # The keeper's pages stay the keeper's: the branch's dues are not the member's to open.
    assert client.get(reverse("dues:branch", args=[po.pk])).status_code == 404
    assert client.get(reverse("dues:member", args=[others.first().pk])).status_code == 404


@pytest.mark.parametrize("persona", ["liaison", "instructor", "authority", "outsider"])
def test_those_who_keep_no_dues_see_none(persona_client, po, persona):
    client = persona_client(persona)
    assert client.get(reverse("dues:branch", args=[po.pk])).status_code == 404
    assert BRANCH not in client.get(reverse("dues:index")).content.decode()
