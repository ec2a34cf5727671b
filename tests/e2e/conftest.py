"""Browser tests: Debian's Chromium driven by Playwright's sync API against `live_server`.

Playwright's own browser download does not work on closed networks, so the tests launch
`/usr/bin/chromium` (`make test` installs it). Without it they fail, they do not skip.

Playwright's sync API keeps an asyncio loop running in the test thread for as long as it is
started, and Django refuses database work in a thread with a running loop. The tests here
touch the database only before and after driving the browser (factories, the flush after
each test), never concurrently with a request, so DJANGO_ALLOW_ASYNC_UNSAFE is set for the
browser tests only: it is switched on before Playwright starts and back off after it stops,
so the rest of the suite keeps Django's check.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import World

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000  # a page of this app answers in well under a second; fail fast, not in 30 s


@pytest.fixture(scope="module", autouse=True)
def _allow_django_db_under_playwright():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_allow_django_db_under_playwright):
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. Run `make test` "
            "(it installs it), or `apt-get install -y chromium`. Do not run `playwright install`.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright is not installed: run `make test` (or `pip install -e '.[dev]'`).",
            pytrace=False,
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def e2e_world(transactional_db):
    """`World` (two hubs, four academies, one person per role) in a transactional database,
    so that the live server's thread sees it."""
    return World()


@pytest.fixture
def page(browser, live_server, e2e_world, request, tmp_path):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot = tmp_path / "failure.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failing page: {shot} (at {page.url})")
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
