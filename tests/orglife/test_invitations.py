"""A party member's own sign-in: invited by their branch secretary (or an officer) through a
one-time link shown as a QR code; the member sets a password the validators accept and is
signed in; the link works once and expires; every step is audited."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from dangjian.access import invitations
from dangjian.access.models import RoleAssignment, RoleInvitation
from dangjian.core.errors import WorkflowError
from dangjian.core.models import AuditLog

GOOD = "Hongqi-Piaopiao-2026"


def invite_page(world, member, user=None):
    client = world.client(user or world.secretary_user)
    return client.post(reverse("member_invite", args=[member.pk]), {"confirm": "yes"})


def token_of(response) -> str:
    url = response.context["url"]
    return url.rstrip("/").rsplit("/", 1)[1]


def test_the_secretary_invites_and_the_member_signs_in(world, client):
    member = world.full[3]
    shown = invite_page(world, member)
    page = shown.content.decode()
    assert shown.status_code == 200 and "<svg" in page and "只能使用一次" in page
    token = token_of(shown)
    assert not RoleInvitation.objects.filter(token_hash=token).exists()  # only its hash
    join = reverse("member_join", args=[token])
    assert member.name in client.get(join).content.decode()
    done = client.post(join, {"username": "zhang-san", "password1": GOOD, "password2": GOOD})
    assert done.status_code == 302
    # Home is the member's to-do list (issue 16), no longer a redirect to their page.
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "我的党费" in home.content.decode()
    user = get_user_model().objects.get(username="zhang-san")
    grant = RoleAssignment.objects.get(user=user)
    assert grant.role == RoleAssignment.Role.PARTY_MEMBER and grant.member == member
    events = set(
        AuditLog.objects.filter(object_id=str(member.pk)).values_list("event_type", flat=True)
    )
    assert {"account.member_invited", "account.member_invitation_accepted"} <= events
    # The link works once.
    again = client.post(join, {"username": "li-si", "password1": GOOD, "password2": GOOD})
    assert again.status_code == 410 and "已使用过" in again.content.decode()


def test_a_weak_password_is_refused_in_chinese_and_the_link_still_works(world, client):
    token = token_of(invite_page(world, world.full[4]))
    join = reverse("member_join", args=[token])
    page = client.post(join, {"username": "wang-wu", "password1": "abc", "password2": "abc"})
    assert page.status_code == 200 and "密码" in page.content.decode()
    assert not get_user_model().objects.filter(username="wang-wu").exists()
    assert (
        client.post(join, {"username": "wang-wu", "password1": GOOD, "password2": GOOD}).status_code
        == 302
    )


def test_an_expired_link_is_refused(world):
    invitation, token = invitations.invite(world.full[2], actor=world.secretary_user)
    later = invitation.expires_at + datetime.timedelta(seconds=1)
    with pytest.raises(WorkflowError) as exc:
        invitations.open_invitation(token, now=later)
    assert "已过期" in str(exc.value)


def test_the_link_expires_after_the_rulebooks_hours(world):
    invitation, _ = invitations.invite(world.full[2], actor=world.secretary_user)
    hours = (invitation.expires_at - timezone.now()).total_seconds() / 3600
    assert 71.9 < hours <= 72


def test_a_new_link_replaces_the_old_one(world, client):
    _, first = invitations.invite(world.full[2], actor=world.secretary_user)
    _, second = invitations.invite(world.full[2], actor=world.secretary_user)
    page = client.get(reverse("member_join", args=[first]))
    assert page.status_code == 410 and "已被新的链接取代" in page.content.decode()
    assert client.get(reverse("member_join", args=[second])).status_code == 200


def test_only_the_members_own_secretary_or_an_officer_may_invite(world):
    other_secretary = world.user(
        RoleAssignment.Role.BRANCH_SECRETARY, party_organization=world.other
    )
    assert invite_page(world, world.full[1], other_secretary).status_code == 404
    officer = world.user(RoleAssignment.Role.FEDERATION_OFFICER, federation=world.federation)
    assert invite_page(world, world.full[1], officer).status_code == 200
    member_user = world.member_user(world.full[0])
    assert invite_page(world, world.full[1], member_user).status_code == 404


def test_a_member_with_a_sign_in_is_not_invited_again(world):
    world.member_user(world.full[5])
    page = invite_page(world, world.full[5])
    assert page.status_code == 409 and "已有登录账号" in page.content.decode()


def test_an_unknown_link_says_so(client, db):
    page = client.get(reverse("member_join", args=["nonsense"]))
    assert page.status_code == 410 and "邀请链接无效" in page.content.decode()


def test_the_member_page_offers_the_invitation_to_the_secretary(world):
    page = world.client(world.secretary_user).get(
        reverse("party:member_detail", args=[world.full[3].pk])
    )
    assert "邀请开通登录" in page.content.decode()


def test_an_empty_post_invites_nobody(world):
    client = world.client(world.secretary_user)
    response = client.post(reverse("member_invite", args=[world.full[3].pk]))
    assert response.status_code == 302 and not RoleInvitation.objects.exists()
