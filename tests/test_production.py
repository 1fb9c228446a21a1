"""Production mode: https by default without debug, one switch for plain-http intranets, Chinese
error pages, and `check --deploy` clean but for the documented allow-list (docs/security.md)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings
from django.urls import include, path, reverse

import dangjian

SRC = Path(dangjian.__file__).resolve().parent.parent
# Warnings of `check --deploy` that production accepts, each explained in docs/security.md.
DEPLOY_ALLOW_LIST = {
    # HSTS preload is a one-way commitment of the whole domain to https (hstspreload.org): the
    # operator decides it, with DANGJIAN_HSTS_PRELOAD=1.
    "security.W021",
}


def _settings_env(tmp_path, **extra):
    # Production as docs/operations.md sets it up: nothing about https given, defaults only.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DANGJIAN_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        PYTHONPATH=str(SRC),
        DANGJIAN_VAR_DIR=str(tmp_path),
        DANGJIAN_SECRET_KEY=secrets.token_urlsafe(50),
        DANGJIAN_ALLOWED_HOSTS="dangjian.example.org",
        DANGJIAN_DATABASE_URL=f"sqlite:///{tmp_path}/check.sqlite3",
        **extra,
    )
    return env


def _run(tmp_path, code_or_args, **extra):
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args],
        env=_settings_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_in_production_settings_warns_only_of_the_allow_list(tmp_path):
    result = _run(tmp_path, ["-m", "dangjian.cli", "check", "--deploy"])
    assert result.returncode == 0, result.stderr
    raised = set(re.findall(r"\((\w+\.[WE]\d+)\)", result.stdout + result.stderr))
    assert raised <= DEPLOY_ALLOW_LIST, result.stdout + result.stderr


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE)"
)


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "True True True True"),  # production: no debug, no demo
        ({"DANGJIAN_PLAIN_HTTP": "1"}, "False False False False"),  # intranet without TLS
        ({"DANGJIAN_DEBUG": "1", "DANGJIAN_DEMO": "1"}, "False False False False"),  # make demo
    ],
)
def test_https_is_the_default_without_debug_and_one_switch_turns_it_off(tmp_path, env, expected):
    result = _run(tmp_path, SHOW, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_production_hashes_passwords_with_a_slow_hasher(tmp_path):
    """The suite hashes with MD5 for speed (tests/conftest.py); the application itself keeps
    Django's default, PBKDF2, which a fast test setting must never leak into."""
    show = (
        "import django; django.setup(); from django.contrib.auth.hashers import get_hasher; "
        "print(get_hasher().algorithm, get_hasher().iterations >= 600_000)"
    )
    result = _run(tmp_path, show)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pbkdf2_sha256 True"


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_production_redirects_to_https_and_sends_hsts(db):
    client = Client()
    response = client.get("/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    secure = client.get("/login/", secure=True)
    assert secure.status_code == 200
    assert "max-age=31536000" in secure["Strict-Transport-Security"]


# -- error pages ---------------------------------------------------------------------------------
def _bad(request):
    raise SuspiciousOperation("test")


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("test")


urlpatterns = [
    path("boom/400/", _bad),
    path("boom/403/", _forbidden),
    path("boom/500/", _broken),
    path("", include("dangjian.urls")),
]


@pytest.fixture
def boom(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = sys.modules[__name__]
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "url, status, chinese",
    [
        ("/boom/400/", 400, "请求有误"),
        ("/boom/403/", 403, "无权访问"),
        ("/no-such-page/", 404, "页面不存在"),
        ("/boom/500/", 500, "服务器错误"),
    ],
)
def test_error_pages_are_chinese(boom, url, status, chinese):
    response = boom.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert chinese in html
    assert "Not Found" not in html and "Server Error" not in html


def test_a_real_forbidden_page_is_chinese(persona_client, settings):
    settings.DEBUG = False
    response = persona_client("outsider").get(reverse("ledgers:export_organizations"))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_the_500_page_needs_no_database(settings):
    from django.template.loader import get_template

    settings.DEBUG = False
    # No request, no context processors, no database access (pytest-django blocks it here).
    html = get_template("500.html").render()
    assert "服务器错误" in html


def test_csrf_failure_is_chinese(db, settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "officer", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "表单提交被拒绝" in html
    assert "CSRF verification failed" not in html  # Django's English page
