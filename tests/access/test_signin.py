"""Sign-in hardening: lockout, password policy, forced change, session expiry, second factor."""

import time

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from dangjian.access import services
from dangjian.access.models import SignInAttempt
from dangjian.core.models import AuditLog

pytestmark = pytest.mark.django_db
LOGIN = "/login/"


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_account_locks_after_five_failures_even_with_the_right_password(persona_passwords):
    client = Client()
    for _ in range(5):
        response = post_login(client, "liaison", "wrong-password")
        assert "用户名或密码错误" in response.content.decode()
    response = post_login(client, "liaison", persona_passwords["liaison"])
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from another address is not affected.
    assert (
        post_login(Client(), "officer", persona_passwords["officer"], ip="10.0.0.2").status_code
        == 302
    )


def test_four_failures_do_not_lock(persona_passwords):
    client = Client()
    for _ in range(4):
        post_login(client, "secretary", "wrong")
    assert post_login(client, "secretary", persona_passwords["secretary"]).status_code == 302


def test_address_locks_after_twenty_failures_across_accounts(persona_passwords):
    client = Client()
    for i in range(20):
        post_login(client, f"nobody{i}", "wrong", ip="10.9.9.9")
    response = post_login(client, "officer", persona_passwords["officer"], ip="10.9.9.9")
    assert "登录失败次数过多" in response.content.decode()
    assert SignInAttempt.objects.filter(ip_address="10.9.9.9", succeeded=False).count() == 21


def test_successful_sign_in_is_audited(persona_passwords):
    post_login(Client(), "officer", persona_passwords["officer"])
    assert AuditLog.objects.filter(
        action="signin", event_type="account.signed_in", actor_name="officer"
    ).exists()


def test_new_accounts_must_change_their_initial_password(django_user_model):
    user = django_user_model.objects.create_user("newcomer", password="Initial-Pass-2026")
    assert user.security.must_change_password


@override_settings(BEHIND_PROXY=True)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(persona_passwords):
    client = Client()
    for i in range(20):
        client.post(
            LOGIN,
            {"username": f"u{i}", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 10.1.1.1",
        )
    blocked = client.post(
        LOGIN,
        {"username": "officer", "password": persona_passwords["officer"]},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.1.1.1",
    )
    assert "登录失败次数过多" in blocked.content.decode()
    other = client.post(
        LOGIN,
        {"username": "officer", "password": persona_passwords["officer"]},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.1.1.1, 10.2.2.2",
    )
    assert other.status_code == 302


@pytest.mark.parametrize(
    "password",
    ["short1A!", "alllowercaseletters", "ALLUPPER123456", "1234567890123", "abcdefghij12"],
)
def test_weak_passwords_are_refused_in_chinese(password):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert any("密码" in str(m) for m in excinfo.value.messages)


def test_strong_password_is_accepted():
    validate_password("Qingdao-2026-harbor")


@override_settings(DEMO_MODE=False)
def test_initial_password_must_be_changed_outside_demo_mode(persona_client, persona_passwords):
    client = persona_client("officer")
    officer = get_user_model().objects.get(username="officer")
    officer.security.must_change_password = True
    officer.security.save()
    response = client.get(reverse("registry:organization_list"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "初始密码" in page
    wrong = client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": "Haihe-River-2026",
            "new_password2": "Haihe-River-2026",
        },
    )
    assert "旧密码" in wrong.content.decode() or "原密码" in wrong.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": persona_passwords["officer"],
            "new_password1": "Haihe-River-2026",
            "new_password2": "Haihe-River-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("registry:organization_list")).status_code == 200
    assert AuditLog.objects.filter(event_type="account.password_changed").exists()


@override_settings(DEMO_MODE=True)
def test_demo_mode_does_not_force_the_change(persona_client):
    client = persona_client("officer")
    officer = get_user_model().objects.get(username="officer")
    officer.security.must_change_password = True
    officer.security.save()
    assert client.get(reverse("registry:organization_list")).status_code == 200


def test_session_expires_after_inactivity(persona_client, settings):
    client = persona_client("officer")
    assert client.get(reverse("registry:organization_list")).status_code == 200
    session = client.session
    session.set_expiry(-1)  # as if the idle window had passed
    session.save()
    response = client.get(reverse("registry:organization_list"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_totp_second_factor(persona_passwords):
    officer = get_user_model().objects.get(username="officer")
    secret = services.start_totp_enrolment(officer, actor=officer)
    assert services.confirm_totp(officer, pyotp.TOTP(secret).now(), actor=officer)
    client = Client()
    response = post_login(client, "officer", persona_passwords["officer"])
    assert response["Location"] == reverse("login_totp")
    assert "_auth_user_id" not in client.session
    # The pages stay closed until the code is given.
    assert client.get(reverse("registry:organization_list")).status_code == 302
    response = client.post(reverse("login_totp"), {"code": "000000"})
    assert "验证码错误" in response.content.decode()
    # The code that confirmed the enrolment is used up (each step is accepted once): the next.
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    response = client.post(reverse("login_totp"), {"code": next_code})
    assert response.status_code == 302
    assert client.get(reverse("registry:organization_list")).status_code == 200


def test_security_headers_and_csrf(persona_client):
    client = persona_client("officer")
    response = client.get(reverse("registry:organization_list"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(LOGIN, {"username": "x", "password": "y"}).status_code == 403


@pytest.mark.parametrize("demo", [True, False])
def test_demo_sign_ins_are_listed_only_in_demo_mode(client, settings, demo):
    settings.DEMO_MODE = demo
    page = client.get(reverse("login")).content.decode()
    assert ("<code>officer</code>" in page) is demo
