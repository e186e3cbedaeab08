"""Logging in through the real form, in a real browser, lands a nurse on a working home page."""

from __future__ import annotations

from django.urls import reverse

from tests.browser.conftest import axe_check, login_as, screenshot, serious


def test_login_page_is_accessible(page):
    page.goto(reverse("login"))
    assert page.locator("input[name=username]").is_visible()
    screenshot(page, "login")
    assert not serious(axe_check(page))


def test_nurse_logs_in_and_sees_the_home_page(page, nurse, password):
    login_as(page, nurse, password)

    assert reverse("login") not in page.url
    page.wait_for_load_state("networkidle")
    assert page.locator("main").count() == 1
    screenshot(page, "home-nurse")
    assert not serious(axe_check(page))


def test_login_page_on_a_phone(phone_page):
    phone_page.goto(reverse("login"))
    assert phone_page.locator("form:has(input[name=password]) button[type=submit]").is_visible()
    screenshot(phone_page, "login-phone")
    assert not serious(axe_check(phone_page))
