"""Hostile input through a real form: refused with a Chinese message, or stored and shown escaped."""

import pytest
from django.urls import reverse

from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db


def admin_post_org(client, org, **changes):
    url = reverse("admin:registry_organization_change", args=[org.pk])
    data = {
        "name": org.name,
        "uscc": org.uscc,
        "legal_form": org.legal_form,
        "category": org.category,
        "district": org.district,
        "status": org.status,
        "founded_on": org.founded_on.isoformat(),
        "domains": [d.pk for d in org.domains.all()],
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return client.post(url, data)


@pytest.mark.parametrize(
    ("value", "message"),
    [("天津\x00协会", "空字符"), ("长" * 201, "不超过 200"), ("91350100M000100Y44", "校验码")],
)
def test_bad_values_are_refused_in_chinese(persona_client, value, message):
    org = Organization.objects.get(name="天津市大数据协会")
    field = "uscc" if value.startswith("9135") else "name"
    response = admin_post_org(persona_client("admin"), org, **{field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    org.refresh_from_db()
    assert org.name == "天津市大数据协会"


def test_markup_and_mixed_scripts_are_stored_and_shown_escaped(persona_client):
    org = Organization.objects.get(name="天津市大数据协会")
    hostile = "天津<img src=x onerror=alert(1)>Тяньцзинь协会"
    assert admin_post_org(persona_client("admin"), org, name=hostile).status_code == 302
    html = (
        persona_client("officer")
        .get(reverse("registry:organization_detail", args=[org.pk]))
        .content.decode()
    )
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;Тяньцзинь协会" in html
