"""Find a patient from the top bar, and the citizen's password change, in a real browser.

The nurse types part of a name in the header search on the triage list, gets the list of her
patients that match (never another team's), opens one; on a phone the search keeps its own line
in the top bar. The citizen changes her password on a phone: a wrong current password is
explained next to the field, then the change goes through and she stays logged in.
Screenshots go to docs/images/ for docs/guide-nurse.md and docs/guide-citizen.md.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from alarms import services
from monitoring.models import MeasurementType, Source
from tests.browser.conftest import axe_check, login_as, screenshot, serious
from tests.factories import PASSWORD, PatientFactory, ThresholdSetFactory

# templates/includes/language_switch.html on a phone shows "DA"/"EN" but is labelled
# "Dansk"/"English" (label-content-name-mismatch), tracked in tests/browser/test_login_browser.py.
ACCEPTED = {"label-content-name-mismatch"}


def problems(page) -> list[str]:
    return [
        line
        for line in serious(axe_check(page))
        if line.split(": ")[1].split(" ")[0] not in ACCEPTED
    ]


def monitored(team, first: str, last: str, **fields):
    person = PatientFactory(monitoring_team=team, first_name=first, last_name=last, **fields)
    ThresholdSetFactory(patient=person, copd=True)
    services.measurements_record(
        patient=person,
        readings=[
            services.Reading(MeasurementType.objects.get(key="spo2"), Decimal("94"), timezone.now())
        ],
        source=Source.DEVICE,
        received_at=timezone.now() - timedelta(minutes=5),
    )
    return person


def test_nurse_finds_a_patient_by_name_from_the_header(page, nurse, team, other_team):
    wanted = monitored(team, "Jens", "Kristensen")
    monitored(team, "Kirsten", "Jensen")
    monitored(team, "Bo", "Holm")
    monitored(other_team, "Jens", "Kristiansen")  # another team's: never found by this nurse

    login_as(page, nurse)
    page.goto(reverse("alarms:nurse_home"))
    field = page.locator("header.topbar").get_by_role("searchbox")
    field.fill("jens")
    field.press("Enter")
    page.wait_for_url("**/patients/find/?q=jens**")

    rows = page.locator(".find-table tbody tr")
    assert rows.count() == 2
    text = page.locator(".find-table").inner_text()
    assert "Kristensen, Jens" in text and "Jensen, Kirsten" in text
    assert "Kristiansen" not in text and "Holm" not in text
    assert wanted.masked_cpr in text and wanted.formatted_cpr not in text
    assert page.locator("#find-q").input_value() == "jens"
    screenshot(page, "find-patient")
    assert not problems(page)

    page.get_by_role("link", name="Kristensen, Jens").click()
    page.wait_for_url(f"**{reverse('patient:detail', args=[wanted.pk])}")
    assert "Jens Kristensen" in page.locator("h1").inner_text()


def test_a_malformed_cpr_number_is_explained_and_kept(page, nurse, team):
    login_as(page, nurse)
    page.goto(reverse("alarms:nurse_home"))
    page.fill("#topbar-q", "1204a91234")
    page.press("#topbar-q", "Enter")
    page.wait_for_url("**/patients/find/**")
    assert page.locator("#find-error").is_visible()
    assert page.locator("#find-q").input_value() == "1204a91234"
    assert page.locator("#find-q").get_attribute("aria-invalid") == "true"
    assert not problems(page)


def test_the_header_search_on_a_phone(phone_page, nurse, team):
    page = phone_page
    monitored(team, "Jens", "Kristensen")
    login_as(page, nurse)
    page.goto(reverse("alarms:nurse_home"))
    field = page.locator("#topbar-q")
    assert field.is_visible()
    box = field.bounding_box()
    assert box is not None and box["height"] >= 44
    # Its own line, the width of the screen (less the padding and the button), no overflow.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "find-patient-phone-header", full_page=False)
    assert not problems(page)


def test_citizen_changes_her_password_on_a_phone(phone_page, browser, live_server, team):
    page = phone_page
    citizen = PatientFactory(
        with_login=True, citizen_user__username="citizen.pw", monitoring_team=team
    )
    login_as(page, citizen.citizen_user)
    page.locator(f"a[href='{reverse('citizen:password_change')}']").click()
    page.wait_for_url(f"**{reverse('citizen:password_change')}")
    screenshot(page, "citizen-password")
    assert not problems(page)

    new = "Lyngblomst-ved-fjorden-7"
    page.fill("#id_old_password", "not-my-password")
    page.fill("#id_new_password1", new)
    page.fill("#id_new_password2", new)
    page.click("form.password-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#old-error").is_visible()
    assert page.locator("#id_new_password1").input_value() == new  # nothing else lost
    screenshot(page, "citizen-password-wrong")
    assert not problems(page)

    page.fill("#id_old_password", PASSWORD)
    page.click("form.password-form button[type=submit]")
    page.wait_for_url(f"**{reverse('monitoring:citizen_home')}")
    assert page.locator(".message--success").is_visible()
    citizen.citizen_user.refresh_from_db()
    assert citizen.citizen_user.check_password(new)
