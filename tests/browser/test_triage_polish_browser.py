"""The triage list as a nurse noticed it: keyboard, phone width, counters after an action."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from tests.browser.conftest import axe_check, login_as, screenshot, serious
from tests.factories import monitored_patient, record_reading


def test_keyboard_opens_a_row_and_reaches_the_acknowledge_form(page, nurse, team):
    red = monitored_patient(team, first_name="Rasmus", last_name="Rødgaard")
    record_reading(red, "spo2", "83", timedelta(minutes=20))
    green = monitored_patient(team, first_name="Gustav", last_name="Grøn")
    record_reading(green, "spo2", "96", timedelta(hours=1))
    login_as(page, nurse)
    page.goto(reverse("alarms:nurse_home"))
    counts = page.locator("#level-counts .level-count--red .level-count__n")
    assert counts.inner_text() == "1"

    page.locator(f"#patient-{red.pk} a.toggle").focus()
    page.keyboard.press("Enter")
    detail = page.locator(f"#patient-{red.pk} .triage-row__detail > td")
    detail.wait_for()
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.closest('#' + id) !== null",
        arg=f"patient-{red.pk}",
    )
    assert page.evaluate("document.activeElement.matches('.triage-row__detail > td')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Jeg tager den"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "outcome"
    page.select_option(f"#patient-{red.pk} select[name=outcome]", "advised_by_phone")
    page.click(f"#patient-{red.pk} .ack-form button[type=submit]")
    page.locator(f"#patient-{red.pk} .recent-acks").wait_for()
    # The counter at the top changed with the row, before any refresh.
    assert counts.inner_text() == "0"
    assert not serious(axe_check(page))


def test_no_horizontal_scroll_on_a_phone(phone_page, nurse, team):
    for index, (key, value) in enumerate(
        [("spo2", "83"), ("pulse", "118"), ("spo2", "95"), ("temperature", "38.4")]
    ):
        person = monitored_patient(
            team, first_name=f"Person{index}", last_name="Meget-Langt-Efternavnsen"
        )
        record_reading(person, key, value, timedelta(hours=index))
    login_as(phone_page, nurse)
    phone_page.goto(reverse("alarms:nurse_home"))
    phone_page.locator(".triage-table").wait_for()
    widths = phone_page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide on a {widths[1]} px screen"
    screenshot(phone_page, "triage-phone")
    assert not serious(axe_check(phone_page))
