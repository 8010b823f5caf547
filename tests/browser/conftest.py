"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Chromium runs headless as root here, so it needs --no-sandbox, and it must not try to reach
the network (background networking, component updates, first-run calls).
"""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in this thread; the Django ORM calls made by
# fixtures are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed: run 'make system-deps' (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login(page):
    """`login("sales")` signs whoever was signed in out and signs in through the login form (fixture users have password `<name>-pw-1234`)."""

    def do(username: str):
        # Leave the previous page first so none of its late requests (a poll, the favicon) can come
        # back after the cookies are cleared and replace the login form's CSRF cookie.
        page.goto("about:blank")
        page.context.clear_cookies()
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", f"{username}-pw-1234")
        page.click("#login-button")
        page.wait_for_load_state("networkidle")
        return page

    return do
