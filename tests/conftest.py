"""Test set-up shared by every app.

The demo federation is built once per session into the test database; each test runs in a
transaction that is rolled back, so tests see it unchanged. Tests that need an empty world make
their own federation and scope every query to it.
"""

import datetime

import pytest
from django.test import Client

from dangjian.demo.personas import PERSONAS

DEMO_TODAY = datetime.date.today()


@pytest.fixture(scope="session", autouse=True)
def plain_http():
    """The test client and the live server speak plain http, as the demo does; production's
    redirect to https and HSTS (on by default without debug, see settings.py) would send every
    request elsewhere. A test that wants them back overrides the settings itself
    (tests/core/test_production.py)."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from dangjian.demo.extensions import build_app_demo_data
    from dangjian.demo.setup_personas import create_personas
    from dangjian.demo.tianjin import build

    with django_db_blocker.unblock():
        federation = build(seed=2019, today=DEMO_TODAY)
        create_personas(federation, must_change_password=False)
        build_app_demo_data(federation, DEMO_TODAY)


@pytest.fixture
def demo_federation(db):
    from dangjian.registry.models import Federation

    return Federation.objects.get(short_name="津网联")


def _client_for(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def persona_client(db):
    """``persona_client("officer")`` → a test client signed in as that demo persona."""
    return _client_for


@pytest.fixture
def officer_client(db):
    return _client_for("officer")


@pytest.fixture
def persona_passwords():
    return {p["username"]: p["password"] for p in PERSONAS}
