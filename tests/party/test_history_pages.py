"""The pages show the dated histories: a party organization's elections and its term in force,
a member's relation over time."""

import io

import openpyxl
import pytest
from django.urls import reverse

from dangjian.party.models import PartyMember, PartyOrganization

pytestmark = pytest.mark.django_db


def test_party_organization_page_shows_the_term_history(officer_client):
    software = PartyOrganization.objects.get(name="天津市软件行业协会党支部")
    html = officer_client.get(
        reverse("party:party_organization_detail", args=[software.pk])
    ).content.decode()
    assert "选举与延期换届" in html and "成立选举" in html
    # Elected at its founding on 18 Jun 2020 for 3 years; no extension: overdue.
    assert "2020-06-18 – 2023-06-18" in html and "换届逾期" in html
    assert "现有正式党员" in html


def test_member_page_shows_the_relation_over_time(officer_client):
    member = PartyMember.objects.filter(relation_party_organization__isnull=False).first()
    html = officer_client.get(reverse("party:member_detail", args=[member.pk])).content.decode()
    assert "组织关系变动记录" in html
    assert member.relation_party_organization.name in html


def test_party_organization_list_exports_the_current_term(officer_client):
    response = officer_client.get(reverse("party:party_organization_list"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if "本届任期开始日期" in r)
    start, years = header.index("本届任期开始日期"), header.index("任期（年）")
    (software,) = [r for r in rows if r[0] == "天津市软件行业协会党支部"]
    assert str(software[start])[:10] == "2020-06-18" and software[years] == 3
