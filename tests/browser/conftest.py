"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), never a downloaded one.

A missing browser fails under CI (CI=true) and skips with a reason on a developer machine.
Browser tests use ``live_server`` (a transactional database), so each builds the data it needs;
``demo_live`` builds the demo federation for one test.
"""

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
    import datetime

    from dangjian.demo.extensions import build_app_demo_data
    from dangjian.demo.setup_personas import create_personas
    from dangjian.demo.tianjin import build
    from dangjian.registry.models import Federation

    # The session's demo is still there for the first transactional test; later ones find the
    # database flushed by the previous one and build it again.
    if not Federation.objects.filter(short_name="津网联").exists():
        federation = build(seed=2019, today=datetime.date.today())
        create_personas(federation, must_change_password=False)
        build_app_demo_data(federation, datetime.date.today())
    return live_server


@pytest.fixture
def sign_in(page, persona_passwords):
    """``sign_in(live_server, "officer")`` signs the page in through the real form."""

    def _sign_in(server, username: str):
        page.goto(f"{server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", persona_passwords[username])
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return _sign_in


@pytest.fixture
def screenshot_dir():
    path = os.environ.get("DANGJIAN_SCREENSHOTS") or tempfile.mkdtemp(prefix="dangjian-shots-")
    os.makedirs(path, exist_ok=True)
    return path
