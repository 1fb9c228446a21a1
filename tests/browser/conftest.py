"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), never a downloaded one.

A missing browser fails under CI (CI=true) and skips with a reason on a developer machine.
Browser tests use ``live_server`` (a transactional database), so each builds the data it needs;
``demo_live`` builds the demo federation for one test.
"""

import atexit
import os
import shutil
import tempfile

import pytest

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body
# are still synchronous, so tell Django not to refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run must install Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def demo_live(transactional_db, live_server):
    """The demo federation inside the live server's database, for one browser test."""
    from dangjian.registry.models import Federation

    # The session's demo is still there for the first transactional test; later ones find the
    # database flushed by the previous one. Building the demo again costs ~10 s a test, so the
    # first complete demo is copied table by table into a snapshot and copied back (< 1 s).
    if not Federation.objects.filter(short_name="津网联").exists():
        if _SNAPSHOT["tables"] is None:
            _build_demo()
        else:
            _restore_snapshot()
    if _SNAPSHOT["tables"] is None:
        _take_snapshot()
    return live_server


_SNAPSHOT: dict = {"tables": None, "file": None}


def _build_demo():
    import datetime

    from dangjian.demo.extensions import build_app_demo_data
    from dangjian.demo.setup_personas import create_personas
    from dangjian.demo.tianjin import build

    federation = build(seed=2019, today=datetime.date.today())
    create_personas(federation, must_change_password=False)
    build_app_demo_data(federation, datetime.date.today())


def _tables() -> list[str]:
    from django.db import connection

    return sorted(connection.introspection.django_table_names(only_existing=True))


def _take_snapshot():
    """Copy every table of the installed apps: a schema on PostgreSQL, an attached file on SQLite."""
    from django.db import connection

    tables = _tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP SCHEMA IF EXISTS demo_snapshot CASCADE; CREATE SCHEMA demo_snapshot"
            )
            for table in tables:
                cursor.execute(f'CREATE TABLE demo_snapshot."{table}" AS TABLE public."{table}"')
        else:
            folder = tempfile.mkdtemp(prefix="dangjian-snapshot-")
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = os.path.join(folder, "demo.sqlite3")
            cursor.execute("ATTACH DATABASE %s AS demo_snapshot", [path])
            for table in tables:
                cursor.execute(
                    f'CREATE TABLE demo_snapshot."{table}" AS SELECT * FROM main."{table}"'  # noqa: S608 — Django's own table names
                )
            cursor.execute("DETACH DATABASE demo_snapshot")
            _SNAPSHOT["file"] = path
    _SNAPSHOT["tables"] = tables


def _restore_snapshot():
    """Empty the tables (the flush's post-migrate rows too) and copy the snapshot back in one
    transaction; foreign keys are deferred to the commit (on PostgreSQL not checked: the rows
    are the snapshot's own), so the order of tables is free."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    tables = _SNAPSHOT["tables"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ATTACH DATABASE %s AS demo_snapshot", [_SNAPSHOT["file"]])
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # The project's own triggers stay quiet while the rows are copied back:
                    # the change counts bump a row of ``rules_inputchange`` in this
                    # connection's bucket for every table truncated or filled before it, and
                    # the snapshot's copy of that table collided with it whenever the demo's
                    # builder wrote in the same bucket (the backend's pid modulo 64).
                    cursor.execute("SET LOCAL session_replication_role = replica")
                    cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
                for table in tables:
                    if connection.vendor == "sqlite":
                        cursor.execute(f'DELETE FROM main."{table}"')  # noqa: S608
                    cursor.execute(
                        f'INSERT INTO "{table}" SELECT * FROM demo_snapshot."{table}"'  # noqa: S608
                    )
                models = [m for m in _models() if m._meta.db_table in tables]
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        finally:
            if connection.vendor == "sqlite":
                cursor.execute("DETACH DATABASE demo_snapshot")
    # The flush's post-migrate step made content types with other ids; forget those.
    ContentType.objects.clear_cache()


def _models():
    from django.apps import apps

    return apps.get_models(include_auto_created=True)


def submit_sign_in(page, server, username: str, password: str) -> None:
    """The real sign-in form, submitted; returns once the browser has left it."""
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def sign_in(page, persona_passwords):
    """``sign_in(live_server, "officer")`` signs the page in through the real form."""

    def _sign_in(server, username: str):
        submit_sign_in(page, server, username, persona_passwords[username])
        return page

    return _sign_in


@pytest.fixture
def signed_in(chromium, persona_passwords):
    """``signed_in(server, "officer", viewport=PHONE, is_mobile=True)``: a page signed in through
    the real form, in a browser context of its own (closed after the test; ``page.context``).

    One context a user, never one context whose cookies are cleared between users: with the
    session saved on every request, a response of the previous user's page still in flight (an
    autosave, under load) sets their session cookie again after the next user signed in.
    """
    contexts = []

    def _signed_in(server, username, password=None, *, timeout=15000, **options):
        options = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}, **options}
        context = chromium.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(timeout)
        submit_sign_in(page, server, username, password or persona_passwords[username])
        return page

    yield _signed_in
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot_dir():
    path = os.environ.get("DANGJIAN_SCREENSHOTS") or tempfile.mkdtemp(prefix="dangjian-shots-")
    os.makedirs(path, exist_ok=True)
    return path
