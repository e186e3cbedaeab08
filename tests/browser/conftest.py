"""Browser tests: headless Chromium (Debian's /usr/bin/chromium) against the live server.

Fixtures:

* ``browser`` — one Chromium for the session;
* ``page`` (1366x900) and ``phone_page`` (360x740) — a fresh context each, Danish, Copenhagen
  time; any console error or uncaught page error fails the test at teardown;
* ``login_as(page, user)`` — logs in through the real login form;
* ``screenshot(page, name)`` — saves test-results/screenshots/<name>.png, or docs/images/ with
  ``make screenshots`` (TELEMED_SCREENSHOTS_DIR); look at it before calling a page done;
* ``axe_check(page)`` — runs axe-core in the page and returns its violations;
  ``serious(violations)`` keeps the serious and critical ones.

Without Chromium the tests skip and say how to install it; with CI set they fail instead, so CI
always runs them (.ci/run installs chromium).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there (creating users, checking rows) are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# `make test` leaves the tree clean: screenshots go to a git-ignored folder unless
# `make screenshots` asks for docs/images (TELEMED_SCREENSHOTS_DIR).
IMAGES_DIR = Path(
    os.environ.get("TELEMED_SCREENSHOTS_DIR") or BASE_DIR / "test-results" / "screenshots"
)
AXE_SCRIPT = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("TELEMED_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}
PASSWORD = "demo-password-1"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so browser tests must run)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: apt-get install chromium to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _page(
    browser: Any, live_server: Any, viewport: dict[str, int], **options: Any
) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="da-DK",
        timezone_id="Europe/Copenhagen",
        **options,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: Any) -> None:
        location = message.location or {}
        url = location.get("url") or ""
        # Chromium asks for /favicon.ico by itself; a miss there is not the page's error.
        if message.type == "error" and not url.endswith("/favicon.ico"):
            errors.append(f"console error: {message.text} ({url or '?'})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    yield page
    context.close()
    assert not errors, "JavaScript errors in the page:\n" + "\n".join(errors)


REFERENCE_DATA_MIGRATIONS = [
    ("monitoring.migrations.0003_seed_measurement_types", "seed"),
    ("monitoring.migrations.0004_seed_questionnaires", "seed"),
    ("monitoring.migrations.0007_measurement_type_english_labels", "fill"),
]


@pytest.fixture
def reference_data(live_server, django_db_serialized_rollback) -> None:
    """The rows data migrations seed (measurement types, the KOL and CAT questionnaires).

    The live server needs a transactional database, whose flush empties every table after a
    test; serialized rollback restores them, but in a long mixed run that proved unreliable,
    so the (idempotent) seed functions run again here: a browser test never starts without them.
    """
    from django.apps import apps

    for module, function in REFERENCE_DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def page(browser, live_server, reference_data) -> Iterator[Any]:
    yield from _page(browser, live_server, DESKTOP)


@pytest.fixture
def phone_page(browser, live_server, reference_data) -> Iterator[Any]:
    yield from _page(browser, live_server, PHONE, is_mobile=True, has_touch=True)


def login_as(page: Any, user: Any, password: str = PASSWORD) -> Any:
    """Log in through the login form, as a person would, and wait for the page after it."""
    login_path = reverse("login")
    page.goto(login_path)
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(lambda url: login_path not in url)
    return page


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    IMAGES_DIR.mkdir(parents=True, exist_ok=True)
    path = IMAGES_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_check(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (node_modules, from `npm ci`) on the current page; return its violations."""
    if not AXE_SCRIPT.exists():
        _unavailable(f"{AXE_SCRIPT.relative_to(BASE_DIR)} not found: run `npm ci` (make test does)")
    # Evaluated over the DevTools protocol, which the page's Content-Security-Policy does not
    # govern (a <script> tag with the same source would be refused, as it should be).
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text())
    return page.evaluate("axe.run().then(result => result.violations)")


def serious(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical violations, one readable line each, for an assert message."""
    return [
        f"{v['impact']}: {v['id']} — {v['help']} ({len(v['nodes'])}x, e.g. "
        f"{v['nodes'][0]['target'] if v['nodes'] else '?'})"
        for v in violations
        if v.get("impact") in {"serious", "critical"}
    ]


@pytest.fixture(name="login_as")
def login_as_fixture() -> Callable[..., Any]:
    return login_as


@pytest.fixture(name="screenshot")
def screenshot_fixture() -> Callable[..., Path]:
    return screenshot


@pytest.fixture(name="axe_check")
def axe_check_fixture() -> Callable[[Any], list[dict[str, Any]]]:
    return axe_check
