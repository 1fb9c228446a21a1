"""Test set-up shared by every app.

The demo federation is built once per session into the test database; each test runs in a
transaction that is rolled back, so tests see it unchanged. Tests that need an empty world make
their own federation and scope every query to it.
"""

import datetime
import os
import zoneinfo

import pytest
import time_machine
from django.test import Client

from dangjian.demo.personas import PERSONAS

# The moment the suite's clock starts from (ISO), shared with pytest-xdist's workers, which
# inherit the environment of the process that starts them.
CLOCK = "DANGJIAN_TEST_CLOCK"


def pytest_configure(config):
    """The suite runs on a clock started at noon of the day it began (local time, ticking on).

    Tests take "today" when they are collected and the code takes it when it runs; a run that
    crossed midnight (a CI run late in the evening, Beijing time) failed on the day between
    them. Starting the clock at noon leaves twelve hours before the date turns, far more than a
    run takes. Tests whose times meet another clock use ``real_clock``.
    """
    from django.conf import settings

    if CLOCK not in os.environ:
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        day = datetime.datetime.now(zone).date()
        os.environ[CLOCK] = datetime.datetime.combine(day, datetime.time(12), zone).isoformat()
    traveller = time_machine.travel(datetime.datetime.fromisoformat(os.environ[CLOCK]))
    traveller.start()
    config.add_cleanup(traveller.stop)


@pytest.fixture
def real_clock():
    """The real clock again, for a test whose times meet another clock: a process it starts (a
    lock's heartbeat, a moment to start at) or the database's own (a column defaulting to its
    ``now()``, written by a trigger)."""
    with time_machine.travel(time_machine.escape_hatch.time.time()):
        yield


@pytest.fixture(scope="session", autouse=True)
def plain_http():
    """The test client and the live server speak plain http, as the demo does; production's
    redirect to https and HSTS (on by default without debug, see settings.py) would send every
    request elsewhere. A test that wants them back overrides the settings itself
    (tests/core/test_production.py)."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        yield


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Passwords hashed with a fast hasher in the tests: production keeps Django's default
    (PBKDF2, a deliberate ~0.2 s a password), which made every test that signs users up pay
    for it (the notices' small world: 33 users, 6 s each test). Django's other hashers stay
    listed after it, so a password hashed before still verifies."""
    from django.conf import global_settings
    from django.test import override_settings

    fast = "django.contrib.auth.hashers.MD5PasswordHasher"
    with override_settings(PASSWORD_HASHERS=[fast, *global_settings.PASSWORD_HASHERS]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from dangjian.demo.extensions import build_app_demo_data
    from dangjian.demo.setup_personas import create_personas
    from dangjian.demo.tianjin import build

    today = datetime.date.today()
    with django_db_blocker.unblock():
        federation = build(seed=2019, today=today)
        create_personas(federation, must_change_password=False)
        build_app_demo_data(federation, today)


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
