"""The recruitment pages in Chinese, on the demo's applicants and on a hand-built branch: the
pipeline, an applicant's file, a step refused with its article and the typed values kept,
admission through the party ledger, and who may see applicants at all."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.recruitment.models import Applicant

from .conftest import Branch

D = datetime.date
pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_demo_pipeline_for_the_secretary(persona_client):
    client = persona_client("secretary")
    response = client.get(reverse("recruitment:index"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "入党申请人" in text and "赵一鸣" in text and "孙浩然" in text
    branch = Applicant.objects.get(name="赵一鸣").branch
    text = client.get(reverse("recruitment:branch", args=[branch.pk])).content.decode()
    assert "发展党员" in text
    assert "申请入党" in text and "预备党员的教育考察和转正" in text
    assert "党组织派人谈话" in text and "已逾期" in text


def test_applicant_file_shows_timeline_and_articles(persona_client):
    client = persona_client("secretary")
    a = Applicant.objects.get(name="孙浩然")
    text = client.get(reverse("recruitment:applicant", args=[a.pk])).content.decode()
    assert "递交入党申请书" in text and "支部大会讨论" in text and "入党宣誓" in text
    assert "《中国共产党发展党员工作细则（2014）》第五条、第六条" in text
    assert a.id_number not in text and a.id_number_masked in text
    assert "预备期" in text
    assert a.member is not None and a.member.full_member_on is None


def test_other_roles_see_no_applicant(persona_client):
    a = Applicant.objects.get(name="孙浩然")
    for who in ("liaison", "instructor", "authority"):
        client = persona_client(who)
        assert client.get(reverse("recruitment:applicant", args=[a.pk])).status_code == 404
        assert "孙浩然" not in client.get(reverse("recruitment:index")).content.decode()


def test_refused_step_keeps_what_was_typed(db):
    branch = Branch()
    a = branch.apply(applied_on=D(2023, 3, 10))
    branch.step(a, "talk", D(2023, 3, 20))
    branch.step(
        a, "activist", D(2023, 5, 10), decided_by="branch_committee", method="party_members"
    )
    branch.step(a, "activist_filed", D(2023, 5, 10))
    branch.step(a, "contacts", D(2023, 5, 10), members=branch.full[:1])
    client = _client(branch.secretary)
    url = reverse("recruitment:record", args=[a.pk])
    response = client.post(
        url,
        {"code": "candidate", "version": a.version, "done_on": "2024-05-09", "note": "支委会讨论"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "至少" in text and "2024-05-10" in text and "第十三条" in text
    assert 'value="2024-05-09"' in text and "支委会讨论" in text
    assert not a.steps.filter(code="candidate").exists()
    response = client.post(
        url, {"code": "candidate", "version": a.version, "done_on": "2024-05-10"}
    )
    assert response.status_code == 302
    assert a.steps.filter(code="candidate", done_on=D(2024, 5, 10)).exists()


def test_new_application_under_18_is_refused_in_chinese(db):
    branch = Branch()
    client = _client(branch.secretary)
    number = branch.id_number(D(2005, 3, 10))
    data = {"branch": branch.po.pk, "name": "小明", "id_number": number, "applied_on": "2023-03-09"}
    response = client.post(reverse("recruitment:new"), data)
    text = response.content.decode()
    assert "未满" in text or "年满" in text
    assert "第五条" in text and "小明" in text
    assert not Applicant.objects.filter(branch=branch.po).exists()
    response = client.post(reverse("recruitment:new"), {**data, "applied_on": "2023-03-10"})
    assert response.status_code == 302
    assert Applicant.objects.get(branch=branch.po).name == "小明"


def test_officer_admits_through_the_page(db):
    branch = Branch()
    a = branch.apply()
    branch.to_meeting(a, D(2024, 9, 10))
    client = _client(branch.officer)
    url = reverse("recruitment:record", args=[a.pk])
    text = client.get(reverse("recruitment:applicant", args=[a.pk])).content.decode()
    assert "上级党委审批" in text
    response = client.post(
        url,
        {
            "code": "admission_approval",
            "version": a.version,
            "done_on": "2024-10-08",
            "approver": branch.general.pk,
        },
    )
    assert "党总支" in response.content.decode()
    response = client.post(
        url,
        {
            "code": "admission_approval",
            "version": a.version,
            "done_on": "2024-10-08",
            "approver": branch.committee.pk,
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.member.joined_party_on == D(2024, 9, 10)
    assert a.member.relation_party_organization == branch.po
