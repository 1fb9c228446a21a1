"""Pages render in Chinese for a signed-in user, with bounded query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_pages_require_sign_in(client):
    response = client.get(reverse("registry:organization_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_with_demo_password(client, persona_passwords):
    response = client.post(
        reverse("login"), {"username": "officer", "password": persona_passwords["officer"]}
    )
    assert response.status_code == 302
    assert client.get(reverse("registry:organization_list")).status_code == 200


def test_wrong_password_is_explained_in_chinese(client):
    response = client.post(reverse("login"), {"username": "officer", "password": "nope"})
    assert "用户名或密码错误" in response.content.decode()


def test_organization_list_shows_units_and_coverage(officer_client):
    html = officer_client.get(reverse("registry:organization_list")).content.decode()
    assert "会员单位" in html
    assert "天津市互联网协会" in html
    assert "已覆盖" in html and "未覆盖" in html


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"q": "金融"}, "天津市互联网金融协会", "天津市大数据协会"),
        ({"category": "chamber"}, "天津市文化传媒商会", "天津市互联网协会"),
        ({"has_party_org": "no"}, "天津市网络直播行业协会", "天津市互联网协会"),
        ({"has_party_org": "yes"}, "天津市互联网协会", "天津市网络直播行业协会"),
        ({"district": "滨海新区"}, "天津市大数据协会", "天津市文化传媒商会"),
        ({"status": "deregistered"}, "天津市网吧行业协会", "天津市互联网协会"),
    ],
)
def test_organization_list_filters(officer_client, params, present, absent):
    html = officer_client.get(reverse("registry:organization_list"), params).content.decode()
    assert present in html
    assert absent not in html


def test_search_by_credit_code(officer_client):
    org = Organization.objects.get(name="天津市大数据协会")
    html = officer_client.get(
        reverse("registry:organization_list"), {"q": org.uscc.lower()}
    ).content.decode()
    assert "天津市大数据协会" in html


def test_keyset_pages_walk_every_unit_once(officer_client):
    from django.contrib.auth import get_user_model

    from dangjian.access import scope

    officer = get_user_model().objects.get(username="officer")
    seen, cursor = [], None
    import re

    while True:
        params = {"after": cursor} if cursor else {}
        html = officer_client.get(reverse("registry:organization_list"), params).content.decode()
        seen += re.findall(r'href="/organizations/(\d+)/"', html)
        match = re.search(r'after=([^"&]+)"', html)
        if not match:
            break
        cursor = match.group(1).replace("%3A", ":")
        from urllib.parse import unquote

        cursor = unquote(cursor)
    assert len(seen) == len(set(seen)) == scope.organizations(officer).count()


def test_tampered_cursor_restarts_at_first_page(officer_client):
    response = officer_client.get(reverse("registry:organization_list"), {"after": "x:y:z"})
    assert response.status_code == 200


def test_profile_shows_everything_with_masked_id_numbers(officer_client):
    org = Organization.objects.get(name="天津市互联网协会")
    response = officer_client.get(reverse("registry:organization_detail", args=[org.pk]))
    html = response.content.decode()
    assert "一户一档" in html or "单位档案" in html
    assert "天津市互联网协会党支部" in html
    assert "一肩挑" in html
    member = org.employments.first().member
    assert member.id_number not in html
    assert member.id_number_masked in html
    assert "********" in member.id_number_masked


def test_party_organization_page(officer_client):
    branch = PartyOrganization.objects.get(name="天津市软件行业协会党支部")
    html = officer_client.get(
        reverse("party:party_organization_detail", args=[branch.pk])
    ).content.decode()
    assert "换届逾期" in html or "任期已满" in html
    assert "天津市软件行业协会" in html


def test_party_organization_list(officer_client):
    html = officer_client.get(reverse("party:party_organization_list")).content.decode()
    assert "天津市互联网行业党委" in html


def test_unknown_ids_are_404(officer_client):
    assert (
        officer_client.get(reverse("registry:organization_detail", args=[999999])).status_code
        == 404
    )
    assert (
        officer_client.get(reverse("party:party_organization_detail", args=[999999])).status_code
        == 404
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_rows(officer_client):
    # The list and profile run a fixed number of queries, whatever the number of rows shown.
    list_queries = _count(officer_client, reverse("registry:organization_list"))
    assert list_queries <= 11  # session, user, roles, sign-in security, page reads, session save
    big = Organization.objects.get(name="天津市互联网协会")
    small = Organization.objects.get(name="天津市网络视听协会")  # covered, one member
    big_q = _count(officer_client, reverse("registry:organization_detail", args=[big.pk]))
    small_q = _count(officer_client, reverse("registry:organization_detail", args=[small.pk]))
    assert big_q == small_q
    # + the ids of the officer's federations (access.scope.subtree_ids) and the bounded count
    # of their units (access.scope._few_units)
    assert big_q <= 27


def test_admin_is_in_chinese(persona_client):
    client = persona_client("admin")
    html = client.get(reverse("admin:index")).content.decode()
    assert "党组织" in html
    assert client.get(reverse("admin:registry_organization_changelist")).status_code == 200
    assert client.get(reverse("admin:party_partymember_changelist")).status_code == 200


def test_a_committees_subordinate_organizations_come_a_page_at_a_time(
    officer_client, demo_federation
):
    """An industry committee has a branch per unit: its page lists them fifty at a time, in
    name order, the next page after the last, the positions of its members still shown."""
    import datetime

    from django.contrib.auth import get_user_model

    from dangjian.party import services
    from dangjian.party.views import CHILDREN_CURSOR, CHILDREN_PER_PAGE

    admin = get_user_model().objects.get(username="admin")
    day = datetime.date(2020, 1, 1)
    committee = services.form_party_organization(
        demo_federation, name="分页测试党委", kind="committee", valid_from=day, actor=admin
    )
    names = [f"分页测试党支部{i:03d}" for i in range(CHILDREN_PER_PAGE + 3)]
    for name in reversed(names):
        services.form_party_organization(
            demo_federation, name=name, kind="branch", valid_from=day, parent=committee, actor=admin
        )
    url = reverse("party:party_organization_detail", args=[committee.pk])
    first = officer_client.get(url)
    page = first.context["children"]
    assert [c.name for c in page.rows] == names[:CHILDREN_PER_PAGE]
    html = first.content.decode()
    assert names[CHILDREN_PER_PAGE - 1] in html and names[CHILDREN_PER_PAGE] not in html
    assert f"{CHILDREN_CURSOR}=" in html
    second = officer_client.get(url, {CHILDREN_CURSOR: page.next_cursor})
    assert [c.name for c in second.context["children"].rows] == names[CHILDREN_PER_PAGE:]
    assert second.context["children"].next_cursor is None
