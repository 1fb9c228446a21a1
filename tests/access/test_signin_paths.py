"""Issue 11 (1, 4, 5, 6): every sign-in path goes through the lockout and the second factor;
forced password changes really change the password; the second factor cannot be switched off
with the session alone and its codes cannot be replayed; a lock ends after its window however
many wrong passwords keep arriving meanwhile."""

import datetime
import time

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from dangjian.access import lockout, services
from dangjian.access.models import SignInAttempt
from dangjian.demo.personas import PERSONAS

pytestmark = pytest.mark.django_db
ADMIN_LOGIN = "/admin/login/"


def post(client, url, username, password, ip="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def enable_totp(username: str) -> pyotp.TOTP:
    user = get_user_model().objects.get(username=username)
    secret = services.start_totp_enrolment(user, actor=user)
    totp = pyotp.TOTP(secret)
    # The previous step's code: the current and the next one stay unused for the test.
    assert services.confirm_totp(user, totp.at(time.time() - totp.interval), actor=user)
    return totp


# 1. /admin/login/ is the project's sign-in -------------------------------------------------


def test_admin_login_is_the_projects_sign_in(persona_passwords):
    client = Client()
    response = client.get(ADMIN_LOGIN + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    # Posting a password to /admin/login/ itself signs nobody in.
    response = post(client, ADMIN_LOGIN, "admin", persona_passwords["admin"])
    assert not signed_in(client)
    # Through the project's sign-in the administrator reaches the admin.
    response = post(client, reverse("login") + "?next=/admin/", "admin", persona_passwords["admin"])
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_does_not_bypass_the_lockout(persona_passwords):
    client = Client()
    for _ in range(8):
        post(client, ADMIN_LOGIN, "admin", "wrong-password")
        post(client, reverse("login") + "?next=/admin/", "admin", "wrong-password")
    for url in (ADMIN_LOGIN, reverse("login") + "?next=/admin/"):
        response = post(client, url, "admin", persona_passwords["admin"])
        assert not signed_in(client)
    assert "登录失败次数过多" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_admin_login_does_not_bypass_the_address_lockout(persona_passwords):
    client = Client()
    for i in range(lockout.MAX_FAILURES_PER_ADDRESS):
        post(client, reverse("login"), f"nobody{i}", "wrong", ip="10.7.7.7")
    for url in (ADMIN_LOGIN, reverse("login") + "?next=/admin/"):
        post(client, url, "admin", persona_passwords["admin"], ip="10.7.7.7")
        assert not signed_in(client)


def test_password_alone_opens_neither_the_admin_nor_the_pages(persona_passwords):
    enable_totp("admin")
    client = Client()
    post(client, ADMIN_LOGIN, "admin", persona_passwords["admin"])
    assert not signed_in(client)
    response = post(client, reverse("login") + "?next=/admin/", "admin", persona_passwords["admin"])
    assert response["Location"] == reverse("login_totp")
    assert client.get("/admin/").status_code == 302
    assert client.get(reverse("registry:organization_list")).status_code == 302


def test_a_session_that_skipped_the_second_factor_is_signed_out(persona_passwords):
    """However a password-only session of a TOTP account comes about, it opens nothing."""
    enable_totp("admin")
    admin = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(admin)  # as a password-only sign-in would leave the session
    assert client.get("/admin/").status_code == 302
    assert not signed_in(client)
    client.force_login(admin)
    response = client.get(reverse("registry:organization_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_with_the_code_the_admin_opens(persona_passwords):
    totp = enable_totp("admin")
    client = Client()
    post(client, reverse("login") + "?next=/admin/", "admin", persona_passwords["admin"])
    response = client.post(reverse("login_totp"), {"code": totp.now()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_signed_in_non_staff_at_admin_login_gets_403_not_a_loop(persona_client):
    assert persona_client("officer").get(ADMIN_LOGIN).status_code == 403


# 4. A forced change changes the password; every new account is forced ----------------------


@override_settings(DEMO_MODE=False)
def test_forced_change_refuses_the_same_password(persona_client, persona_passwords):
    client = persona_client("officer")
    officer = get_user_model().objects.get(username="officer")
    officer.security.must_change_password = True
    officer.security.save()
    same = persona_passwords["officer"]
    response = client.post(
        reverse("password_change"),
        {"old_password": same, "new_password1": same, "new_password2": same},
    )
    assert response.status_code == 200
    assert "新密码必须与当前密码不同" in response.content.decode()
    officer.refresh_from_db()
    assert officer.security.must_change_password
    assert client.get(reverse("registry:organization_list")).status_code == 302


@override_settings(DEMO_MODE=False)
@pytest.mark.parametrize("published", [p["password"] for p in PERSONAS])
def test_no_published_demo_password_can_be_chosen(persona_client, persona_passwords, published):
    client = persona_client("officer")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": persona_passwords["officer"],
            "new_password1": published,
            "new_password2": published,
        },
    )
    assert response.status_code == 200
    assert "演示密码" in response.content.decode()


@override_settings(DEMO_MODE=False)
def test_account_made_in_the_admin_must_change_its_password(persona_passwords):
    totp_free_admin = Client()
    post(
        totp_free_admin,
        reverse("login"),
        "admin",
        persona_passwords["admin"],
    )
    response = totp_free_admin.post(
        reverse("admin:auth_user_add"),
        {
            "username": "made-in-admin",
            "password1": "Binhai-Harbor-2026!",
            "password2": "Binhai-Harbor-2026!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="made-in-admin")
    assert user.security.must_change_password
    client = Client()
    post(client, reverse("login"), "made-in-admin", "Binhai-Harbor-2026!", ip="10.0.0.3")
    assert signed_in(client)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


# 5. The second factor: off only with password and code; each step once ----------------------


def test_totp_code_cannot_be_replayed(persona_passwords):
    totp = enable_totp("officer")
    code = totp.now()
    first = Client()
    post(first, reverse("login"), "officer", persona_passwords["officer"])
    assert first.post(reverse("login_totp"), {"code": code}).status_code == 302
    assert signed_in(first)
    second = Client()
    post(second, reverse("login"), "officer", persona_passwords["officer"], ip="10.0.0.4")
    response = second.post(reverse("login_totp"), {"code": code}, REMOTE_ADDR="10.0.0.4")
    assert "验证码错误" in response.content.decode()
    assert not signed_in(second)


def test_an_earlier_step_is_refused_after_a_later_one(persona_passwords):
    totp = enable_totp("officer")
    officer = get_user_model().objects.get(username="officer")
    now = time.time()
    assert services.verify_totp(officer, totp.at(now + totp.interval))
    assert not services.verify_totp(officer, totp.at(now))


def test_turning_the_second_factor_off_needs_password_and_code(persona_passwords):
    totp = enable_totp("officer")
    client = Client()
    post(client, reverse("login"), "officer", persona_passwords["officer"])
    client.post(reverse("login_totp"), {"code": totp.now()})
    assert signed_in(client)
    url = reverse("totp_setup")
    officer = get_user_model().objects.get(username="officer")

    # The session alone (the old one-button form) no longer turns it off.
    response = client.post(url, {"action": "disable"})
    officer.security.refresh_from_db()
    assert officer.security.totp_enabled
    assert "密码" in response.content.decode()

    next_code = totp.at(time.time() + totp.interval)
    response = client.post(url, {"action": "disable", "password": "wrong", "code": next_code})
    officer.security.refresh_from_db()
    assert officer.security.totp_enabled
    assert "密码或验证码错误" in response.content.decode()

    response = client.post(
        url, {"action": "disable", "password": persona_passwords["officer"], "code": next_code}
    )
    assert response.status_code == 302
    officer.security.refresh_from_db()
    assert not officer.security.totp_enabled


# 6. A lock ends after its window however many wrong passwords keep arriving ----------------


def test_lock_ends_after_its_window_despite_a_trickle_of_wrong_passwords(persona_passwords):
    client = Client()
    for _ in range(lockout.MAX_FAILURES_PER_ACCOUNT):
        post(client, reverse("login"), "liaison", "wrong", ip="10.1.1.1")
    # While locked, wrong passwords keep arriving from elsewhere.
    for i in range(10):
        post(Client(), reverse("login"), "liaison", "wrong", ip=f"10.2.2.{i}")
    assert lockout.is_locked("liaison", "10.3.3.3")
    # The window passes: the burst is older than it, the trickle spread over it.
    now = timezone.now()
    attempts = SignInAttempt.objects.filter(username="liaison").order_by("pk")
    burst = [a.pk for a in attempts if not a.while_locked]
    trickle = [a.pk for a in attempts if a.while_locked]
    assert len(burst) == lockout.MAX_FAILURES_PER_ACCOUNT and len(trickle) == 10
    SignInAttempt.objects.filter(pk__in=burst).update(
        at=now - lockout.WINDOW - datetime.timedelta(minutes=1)
    )
    for i, pk in enumerate(trickle):
        SignInAttempt.objects.filter(pk=pk).update(
            at=now - lockout.WINDOW + datetime.timedelta(minutes=1 + i)
        )
    fresh = Client()
    response = post(fresh, reverse("login"), "liaison", persona_passwords["liaison"], ip="10.3.3.3")
    assert response.status_code == 302
    assert signed_in(fresh)


def test_admin_site_itself_refuses_a_session_without_the_second_factor(rf):
    """Independent of the middleware's place: the admin's own permission check."""
    from django.contrib import admin
    from django.contrib.sessions.backends.db import SessionStore

    from dangjian.access.middleware import SECOND_FACTOR_PASSED

    enable_totp("admin")
    request = rf.get("/admin/")
    request.user = get_user_model().objects.get(username="admin")
    request.session = SessionStore()
    assert not admin.site.has_permission(request)
    request.session[SECOND_FACTOR_PASSED] = request.user.pk
    assert admin.site.has_permission(request)


# The lockout is part of authenticating: any caller of authenticate() is covered ------------


def _request(rf, ip: str):
    return rf.post("/api/anything", REMOTE_ADDR=ip)


def test_authenticate_itself_refuses_a_locked_account(rf, persona_passwords):
    from django.contrib.auth import authenticate

    for _ in range(lockout.MAX_FAILURES_PER_ACCOUNT):
        assert authenticate(_request(rf, "10.4.4.4"), username="liaison", password="wrong") is None
    right = persona_passwords["liaison"]
    # The right password, by a path that is not the sign-in form (as an API would call it).
    assert authenticate(_request(rf, "10.4.4.4"), username="liaison", password=right) is None
    assert authenticate(None, username="liaison", password=right) is None
    attempts = SignInAttempt.objects.filter(username="liaison")
    assert attempts.filter(while_locked=False, succeeded=False).count() == 5
    assert attempts.filter(while_locked=True).count() == 2
    # Another account is untouched.
    officer = authenticate(
        _request(rf, "10.4.4.5"), username="officer", password=persona_passwords["officer"]
    )
    assert officer is not None and officer.username == "officer"


def test_authenticate_refuses_a_locked_address(rf, persona_passwords):
    from django.contrib.auth import authenticate

    for i in range(lockout.MAX_FAILURES_PER_ADDRESS):
        authenticate(_request(rf, "10.5.5.5"), username=f"nobody{i}", password="wrong")
    right = persona_passwords["officer"]
    assert authenticate(_request(rf, "10.5.5.5"), username="officer", password=right) is None
    assert authenticate(_request(rf, "10.5.5.6"), username="officer", password=right) is not None


def test_a_fresh_address_is_not_blocked_longer_than_the_window(rf, persona_passwords):
    """Someone else's failures on my account lock me out for at most the documented window
    (DANGJIAN_LOCKOUT_MINUTES), also when I sign in from an address of my own."""
    from django.contrib.auth import authenticate

    for _ in range(lockout.MAX_FAILURES_PER_ACCOUNT):
        authenticate(_request(rf, "10.6.6.6"), username="secretary", password="wrong")
    right = persona_passwords["secretary"]
    assert authenticate(_request(rf, "10.7.7.7"), username="secretary", password=right) is None
    failures = SignInAttempt.objects.filter(username="secretary", while_locked=False)
    # One second before the window has passed since the failures: still locked.
    now = timezone.now()
    failures.update(at=now - lockout.WINDOW + datetime.timedelta(seconds=5))
    assert authenticate(_request(rf, "10.7.7.7"), username="secretary", password=right) is None
    # Once it has passed, the fresh address signs in; the form says so too.
    failures.update(at=now - lockout.WINDOW - datetime.timedelta(seconds=1))
    user = authenticate(_request(rf, "10.7.7.7"), username="secretary", password=right)
    assert user is not None and user.username == "secretary"
    client = Client()
    assert post(client, reverse("login"), "secretary", right, ip="10.7.7.8").status_code == 302
    assert signed_in(client)


def test_the_form_shows_the_lockout_in_chinese_and_the_backend_counts(persona_passwords):
    client = Client()
    for _ in range(lockout.MAX_FAILURES_PER_ACCOUNT):
        response = post(client, reverse("login"), "liaison", "wrong", ip="10.8.8.8")
        assert "用户名或密码错误" in response.content.decode()
    response = post(
        client, reverse("login"), "liaison", persona_passwords["liaison"], ip="10.8.8.8"
    )
    assert "登录失败次数过多" in response.content.decode()
    assert not signed_in(client)
    # Counted once per attempt (by the backend), not twice.
    assert SignInAttempt.objects.filter(username="liaison").count() == 6


# Passwords: not the current one, nor one of the last N; Django's own validators on ----------


def _change(client, old, new):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


@override_settings(DEMO_MODE=False, PASSWORD_HISTORY_SIZE=3)
def test_a_changed_password_differs_from_the_last_ones(persona_client, persona_passwords):
    from dangjian.access.models import PasswordHistory

    client = persona_client("officer")
    passwords = [persona_passwords["officer"], *(f"Tianjin-Ledger-{i}#x" for i in range(1, 5))]
    for old, new in zip(passwords, passwords[1:4], strict=False):
        assert _change(client, old, new).status_code == 302
    officer = get_user_model().objects.get(username="officer")
    assert PasswordHistory.objects.filter(user=officer).count() == 3  # the last three kept
    current = passwords[3]
    # The current one and the two before it are refused, in Chinese.
    for earlier in passwords[1:3]:
        response = _change(client, current, earlier)
        assert response.status_code == 200
        assert "最近使用过" in response.content.decode()
    assert "新密码必须与当前密码不同" in _change(client, current, current).content.decode()
    # Older than the history: allowed again (the demo's is refused as published, so use the
    # first chosen one after three more changes).
    assert _change(client, current, passwords[4]).status_code == 302
    assert _change(client, passwords[4], passwords[1]).status_code == 302


def test_djangos_common_and_similarity_validators_are_on(django_user_model):
    from django.contrib.auth.password_validation import (
        CommonPasswordValidator,
        UserAttributeSimilarityValidator,
        get_default_password_validators,
        validate_password,
    )
    from django.core.exceptions import ValidationError

    kinds = {type(v) for v in get_default_password_validators()}
    assert {CommonPasswordValidator, UserAttributeSimilarityValidator} <= kinds
    user = django_user_model(username="zhangminghui", email="zhangminghui@example.cn")
    with pytest.raises(ValidationError) as similar:
        validate_password("Zhangminghui-1", user)
    assert "相似" in " ".join(similar.value.messages)
    with pytest.raises(ValidationError) as common:
        validate_password("Password1234")
    assert "太常见" in " ".join(common.value.messages)
