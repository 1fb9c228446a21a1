"""The expert pool: affiliations recorded on a page, and no assignment without one."""

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.access.models import UserSecurity
from dangjian.cases import services
from dangjian.cases.models import Review, ReviewerProfile
from dangjian.core.models import AuditLog
from dangjian.registry.models import Organization

from .conftest import AFTER, _user, write_case


def _client(user):
    UserSecurity.objects.update_or_create(user=user, defaults={"must_change_password": False})
    client = Client()
    client.force_login(user)
    return client


def test_an_expert_without_a_recorded_affiliation_is_not_assigned(world):
    newcomer = _user("t_newcomer", "expert_reviewer")
    write_case(world, world.other, world.other_officer)
    page = _client(world.owner).get(reverse("cases:campaign_detail", args=[world.campaign.pk]))
    assert "有 1 位专家未登记所在单位或联合会，分配评审时不会分配给他们：t_newcomer" in (
        page.content.decode()
    )
    services.assign_reviewers(world.campaign, actor=world.owner, now=AFTER)
    assert not Review.objects.filter(reviewer=newcomer).exists()
    assert Review.objects.filter(submission__campaign=world.campaign).count() == 2


def test_recording_an_affiliation_on_the_page_is_audited_and_then_counts(world):
    newcomer = _user("t_newcomer", "expert_reviewer")
    world.unit.uscc = "51330000MJ8888888B"  # synthetic; the check digit is not re-validated here
    Organization.objects.filter(pk=world.unit.pk).update(uscc=world.unit.uscc)
    client = _client(world.prov_officer)
    pool = client.get(reverse("cases:reviewer_list")).content.decode()
    assert "未登记，不分配评审" in pool
    url = reverse("cases:reviewer_edit", args=[newcomer.pk])
    # A code outside the officer's scope (or unknown) is refused in Chinese; nothing is saved.
    refused = client.post(url, {"uscc": "91110000000000000X", "federation": ""})
    assert "您的管理范围内没有该统一社会信用代码的单位。" in refused.content.decode()
    assert not ReviewerProfile.objects.filter(user=newcomer).exists()
    done = client.post(url, {"uscc": world.unit.uscc.lower(), "federation": ""})
    assert done.status_code == 302
    profile = ReviewerProfile.objects.get(user=newcomer)
    assert profile.organization == world.unit
    assert AuditLog.objects.filter(
        object_type="cases.reviewerprofile", object_id=str(profile.pk)
    ).exists()
    # Their unit's case is kept from them; others' may come to them.
    unit_case = write_case(world, world.unit, world.liaison, title="单位案例")
    services.assign_reviewers(world.campaign, actor=world.owner, now=AFTER)
    assert not Review.objects.filter(reviewer=newcomer, submission=unit_case).exists()


def test_affiliations_outside_the_viewers_scope_are_not_named(world):
    pool = _client(world.other_officer).get(reverse("cases:reviewer_list")).content.decode()
    # t_expert0 works for the 甲 province federation, outside the 乙 province officer's scope.
    assert "测试甲省网络社会组织联合会" not in pool
    assert "已登记（不在您的管理范围内）" in pool
    assert "测试乙省网络社会组织联合会" in pool  # t_expert1's, inside it
    assert "独立专家" in pool


@pytest.mark.parametrize("who", ["liaison", "expert"])
def test_only_campaign_runners_reach_the_pool(world, who):
    user = world.liaison if who == "liaison" else world.experts[0]
    client = _client(user)
    assert client.get(reverse("cases:reviewer_list")).status_code == 404
    url = reverse("cases:reviewer_edit", args=[world.experts[2].pk])
    assert client.post(url, {"uscc": "", "federation": ""}).status_code == 404


def test_an_affiliation_outside_the_officers_scope_cannot_be_overwritten(world):
    # t_expert1 works for the 乙 province federation; the 甲 province officer cannot see it,
    # so cannot clear it either (clearing would let t_expert1 judge 乙's cases).
    client = _client(world.prov_officer)
    url = reverse("cases:reviewer_edit", args=[world.experts[1].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"uscc": "", "federation": ""}).status_code == 404
    assert ReviewerProfile.objects.get(user=world.experts[1]).federation == world.other
    pool = client.get(reverse("cases:reviewer_list")).content.decode()
    assert url not in pool  # no button for it


def test_the_form_opens_with_the_recorded_affiliation(world):
    client = _client(world.prov_officer)
    html = client.get(reverse("cases:reviewer_edit", args=[world.experts[0].pk])).content.decode()
    assert f'<option value="{world.prov.pk}" selected>' in html
