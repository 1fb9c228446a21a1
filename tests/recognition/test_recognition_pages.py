"""Designations (liaison and demonstration points), honours, exemplary individuals and works,
through the pages."""

import datetime

import pytest
from django.urls import reverse

from dangjian.core.models import AuditLog
from dangjian.party.models import Designation
from dangjian.recognition.models import Recognition
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def test_grant_and_revoke_a_designation(officer_client):
    org = Organization.objects.get(name="天津市网络安全协会")
    response = officer_client.post(
        reverse("recognition:designation_new"),
        {
            "organization": org.pk,
            "kind": "demonstration_point",
            "year": TODAY.year,
            "granted_by": "天津市互联网行业党委",
        },
    )
    assert response.status_code == 302
    designation = Designation.objects.get(organization=org, kind="demonstration_point")
    assert designation.party_organization.name == "天津市网络安全协会党支部"
    html = officer_client.get(reverse("recognition:overview")).content.decode()
    assert "天津市网络安全协会" in html and "示范点" in html
    # The same designation twice for one year is refused.
    again = officer_client.post(
        reverse("recognition:designation_new"),
        {
            "organization": org.pk,
            "kind": "demonstration_point",
            "year": TODAY.year,
            "granted_by": "x",
        },
    )
    assert "已获此认定" in again.content.decode()
    officer_client.post(
        reverse("recognition:designation_revoke", args=[designation.pk]),
        {"revoked_on": TODAY.isoformat()},
    )
    designation.refresh_from_db()
    assert designation.revoked_on == TODAY
    assert AuditLog.objects.filter(
        event_type="designation.revoked", object_id=str(designation.pk)
    ).exists()
    unit = officer_client.get(reverse("recognition:unit", args=[org.pk])).content.decode()
    assert "撤销日期" in unit


def test_record_honour_individual_and_work(officer_client):
    org = Organization.objects.get(name="天津市互联网协会")
    url = reverse("recognition:recognition_new")
    before = Recognition.objects.filter(organization=org).count()
    base = {
        "organization": org.pk,
        "level": "city",
        "granted_by": "天津市委网信办",
        "granted_on": TODAY.isoformat(),
    }
    assert (
        officer_client.post(url, {**base, "kind": "honour", "title": "先进社会组织"}).status_code
        == 302
    )
    missing = officer_client.post(url, {**base, "kind": "individual", "title": "优秀共产党员"})
    assert "请填写先进个人姓名" in missing.content.decode()
    officer_client.post(
        url, {**base, "kind": "individual", "title": "优秀共产党员", "person_name": "张三"}
    )
    no_link = officer_client.post(url, {**base, "kind": "work", "title": "短视频《初心》"})
    assert "请填写作品展示的链接" in no_link.content.decode()
    officer_client.post(
        url, {**base, "kind": "work", "title": "短视频《初心》", "url": "https://example.org/v/1"}
    )
    assert Recognition.objects.filter(organization=org).count() == before + 3
    html = officer_client.get(reverse("recognition:overview"), {"tab": "work"}).content.decode()
    assert "短视频《初心》" in html and 'rel="noopener noreferrer"' in html
    future = officer_client.post(
        url, {**base, "kind": "honour", "title": "x", "granted_on": "2999-01-01"}
    )
    assert "不能晚于今天" in future.content.decode()


def test_recognition_is_scoped(persona_client):
    client = persona_client("liaison")
    html = client.get(reverse("recognition:overview")).content.decode()
    assert "天津市互联网协会" in html and "天津市大数据协会" not in html
    other = Organization.objects.get(name="天津市大数据协会")
    assert client.get(reverse("recognition:unit", args=[other.pk])).status_code == 404
    assert client.post(reverse("recognition:designation_new"), {}).status_code == 404
    designation = Designation.objects.filter(organization=other).first()
    assert (
        persona_client("outsider")
        .post(
            reverse("recognition:designation_revoke", args=[designation.pk]),
            {"revoked_on": TODAY.isoformat()},
        )
        .status_code
        == 404
    )


def test_person_names_stay_hidden_from_authority_viewers(persona_client):
    individual = Recognition.objects.get(kind="individual", title="优秀共产党员")
    officer = persona_client("officer").get(reverse("recognition:overview"), {"tab": "individual"})
    assert individual.person_name in officer.content.decode()
    authority = persona_client("authority").get(
        reverse("recognition:unit", args=[individual.organization_id])
    )
    assert individual.person_name not in authority.content.decode()
