"""People and roles on pages (issue 16 point 4): the officer invites anyone with a role by a
one-time link, gives and ends roles within their federation, deactivates accounts; each change
is audited and shown on the person's page in words."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.access import people
from dangjian.access.models import RoleAssignment, RoleInvitation
from dangjian.core.models import AuditLog
from dangjian.party.models import PartyOrganization
from dangjian.registry.models import Federation, Membership, Organization

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role
GOOD = "Hongqi-Piaopiao-2026"


def words(response) -> str:
    html = response.content.decode()
    text = re.sub(r"<[^>]+>", " ", html[html.index("<main") :])
    return re.sub(r"\s+", " ", text)


def token_of(response) -> str:
    return re.search(r"/account/join/([^/\"]+)/", response.content.decode()).group(1)


def invite(client, name, role, where=""):
    return client.post(reverse("people:invite"), {"name": name, "role": role, "where": where})


def test_the_officer_lists_the_federations_people_with_their_roles(officer_client):
    response = officer_client.get(reverse("people:list"))
    text = words(response)
    assert "人员与角色" in text
    assert "会员单位联络员（天津市互联网协会）" in text
    assert "党组织书记（天津市互联网金融协会党支部）" in text
    # The administrator is not the officer's to manage; the outsider holds no role here.
    users = get_user_model().objects
    for name in ("admin", "outsider", "auditor"):
        detail = reverse("people:detail", args=[users.get(username=name).pk])
        assert f'href="{detail}"' not in response.content.decode()


@pytest.mark.parametrize("persona", ["secretary", "liaison", "member", "auditor", "outsider"])
def test_people_pages_are_the_officers_only(persona_client, persona):
    client = persona_client(persona)
    assert client.get(reverse("people:list")).status_code == 404
    assert client.get(reverse("people:invite")).status_code == 404
    liaison = get_user_model().objects.get(username="liaison")
    assert client.get(reverse("people:detail", args=[liaison.pk])).status_code == 404


def test_a_liaison_invited_by_link_signs_in_with_the_role(officer_client):
    shown = invite(officer_client, "王芳", Role.UNIT_LIAISON, "天津市大数据协会")
    page = shown.content.decode()
    assert (
        shown.status_code == 200 and "<svg" in page and "会员单位联络员（天津市大数据协会）" in page
    )
    token = token_of(shown)
    assert not RoleInvitation.objects.filter(token_hash=token).exists()  # only its hash
    pending = words(officer_client.get(reverse("people:list")))
    assert "王芳 · 会员单位联络员" in pending
    visitor = Client()
    join = reverse("member_join", args=[token])
    assert "王芳" in visitor.get(join).content.decode()
    done = visitor.post(join, {"username": "wang-fang", "password1": GOOD, "password2": GOOD})
    assert done.status_code == 302
    user = get_user_model().objects.get(username="wang-fang")
    grant = RoleAssignment.objects.get(user=user)
    assert grant.role == Role.UNIT_LIAISON and grant.organization.name == "天津市大数据协会"
    home = words(visitor.get(reverse("home")))
    assert "我的单位" in home and "天津市大数据协会" in home
    # The link works once.
    again = Client().get(join)
    assert again.status_code == 410
    history = words(officer_client.get(reverse("people:detail", args=[user.pk])))
    assert "授予角色：会员单位联络员" in history and "通过角色邀请开通登录" in history


def test_an_expert_needs_no_scope_and_carries_the_inviting_federation(officer_client):
    token = token_of(invite(officer_client, "赵专家", Role.EXPERT_REVIEWER))
    Client().post(
        reverse("member_join", args=[token]),
        {"username": "zhao-expert", "password1": GOOD, "password2": GOOD},
    )
    grant = RoleAssignment.objects.get(user__username="zhao-expert")
    assert grant.role == Role.EXPERT_REVIEWER and grant.federation.short_name == "津网联"
    officer = get_user_model().objects.get(username="officer")
    assert people.people(officer).filter(username="zhao-expert").exists()


def test_the_officer_cannot_reach_beyond_their_federation_or_grant_admin(officer_client):
    other = Federation.objects.create(
        name="另一联合会", short_name="另联", level=Federation.Level.CITY, founded_on="2018-01-01"
    )
    unit = Organization.objects.create(
        name="另一联合会的协会",
        legal_form=Organization.LegalForm.SOCIAL_GROUP,
        category=Organization.Category.ASSOCIATION,
        district="和平区",
        founded_on="2010-01-01",
    )
    Membership.objects.create(federation=other, organization=unit, valid_from="2020-01-01")
    refused = invite(officer_client, "钱某", Role.UNIT_LIAISON, "另一联合会的协会")
    assert "在您管理的范围内没有名为“另一联合会的协会”的" in words(refused)
    refused = invite(officer_client, "钱某", Role.ADMIN)
    assert refused.status_code == 200 and "<svg" not in refused.content.decode()
    assert not RoleInvitation.objects.filter(name="钱某").exists()


def test_the_officer_gives_and_ends_a_role_and_the_page_says_so(officer_client):
    liaison = get_user_model().objects.get(username="liaison")
    url = reverse("people:detail", args=[liaison.pk])
    today = timezone.localdate()
    response = officer_client.post(
        url,
        {
            "role": Role.BRANCH_SECRETARY,
            "where": "天津市互联网金融协会党支部",
            "valid_from": today.isoformat(),
        },
    )
    assert response.status_code == 302
    grant = RoleAssignment.objects.get(user=liaison, role=Role.BRANCH_SECRETARY)
    assert grant.party_organization == PartyOrganization.objects.get(
        name="天津市互联网金融协会党支部"
    )
    officer_client.post(
        reverse("people:role_end", args=[liaison.pk, grant.pk]), {"valid_to": today.isoformat()}
    )
    grant.refresh_from_db()
    assert grant.valid_to == today
    text = words(officer_client.get(url))
    assert "授予角色：党组织书记" in text
    assert f"终止角色：党组织书记，最后一天为 {today.isoformat()}" in text
    assert (
        AuditLog.objects.filter(
            object_type="access.roleassignment", object_id=str(grant.pk), actor__username="officer"
        ).count()
        == 2
    )


def test_a_deactivated_account_cannot_sign_in_and_can_be_reactivated(
    officer_client, persona_passwords
):
    liaison = get_user_model().objects.get(username="liaison")
    signed_in = Client()
    signed_in.force_login(liaison)
    assert signed_in.get(reverse("home")).status_code == 200
    officer_client.post(reverse("people:deactivate", args=[liaison.pk]), {"confirm": "deactivate"})
    liaison.refresh_from_db()
    assert not liaison.is_active
    assert signed_in.get(reverse("home")).status_code == 302  # the open session stops working
    fresh = Client()
    fresh.post(reverse("login"), {"username": "liaison", "password": persona_passwords["liaison"]})
    assert "_auth_user_id" not in fresh.session
    assert "账号已停用" in words(officer_client.get(reverse("people:detail", args=[liaison.pk])))
    officer_client.post(reverse("people:deactivate", args=[liaison.pk]), {"confirm": "reactivate"})
    liaison.refresh_from_db()
    assert liaison.is_active
    # An empty post changes nothing; nobody deactivates themselves.
    officer = get_user_model().objects.get(username="officer")
    officer_client.post(reverse("people:deactivate", args=[liaison.pk]))
    liaison.refresh_from_db()
    assert liaison.is_active
    assert (
        officer_client.post(
            reverse("people:deactivate", args=[officer.pk]), {"confirm": "deactivate"}
        ).status_code
        == 404
    )


def test_a_pending_invitation_can_be_withdrawn(officer_client):
    token = token_of(invite(officer_client, "孙某", Role.INSTRUCTOR, "罗兵"))
    invitation = RoleInvitation.objects.get(name="孙某")
    officer_client.post(reverse("people:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert Client().get(reverse("member_join", args=[token])).status_code == 410
