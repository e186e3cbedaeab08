"""The citizen on a phone (360x740): logs in, answers the KOL questionnaire one question per
screen, gets a clear refusal for "870", sends "87,5", and the nurse sees the yellow result with
its reasons in the triage list. Also the first login with a forced password change."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from alarms.services import Reading, measurements_record
from monitoring import services
from monitoring.models import Source, Submission
from tests.browser.conftest import axe_check, login_as, screenshot, serious
from tests.factories import (
    PatientFactory,
    ScheduleFactory,
    ThresholdSetFactory,
    measurement_type,
)

# templates/includes/language_switch.html on a phone shows "DA"/"EN" but is labelled
# "Dansk"/"English" (label-content-name-mismatch); owned by the shell, tracked in
# tests/browser/test_login_browser.py's xfail. Everything else on these pages must be clean.
ACCEPTED = {"label-content-name-mismatch"}


def problems(page) -> list[str]:
    return [
        line
        for line in serious(axe_check(page))
        if line.split(": ")[1].split(" ")[0] not in ACCEPTED
    ]


def demo_citizen(team, nurse):
    """Like the demo's citizen.001: COPD limits, a daily 09:00 KOL schedule, a week of values."""
    patient = PatientFactory(
        with_login=True,
        citizen_user__username="citizen.001",
        first_name="Inger",
        last_name="Holm",
        monitoring_team=team,
    )
    ThresholdSetFactory(patient=patient, copd=True)
    schedule = ScheduleFactory(
        patient=patient, times=[timezone.now().time().replace(hour=0, minute=5)]
    )
    now = timezone.now()
    measurements_record(
        patient=patient,
        readings=[
            Reading(measurement_type(key), Decimal(value), now - timedelta(days=day, hours=2))
            for day in range(1, 6)
            for key, value in (("spo2", 91), ("pulse", 78))
        ],
        source=Source.DEVICE,
    )
    services.message_send(patient=patient, sender=nurse, body="Husk at måle før morgenmaden.")
    return patient, schedule


def next_screen(page):
    page.get_by_role("button", name="Næste").first.click()
    page.wait_for_load_state("domcontentloaded")


def test_citizen_answers_kol_on_a_phone_and_the_nurse_sees_it(
    phone_page, browser, live_server, nurse, team
):
    page = phone_page
    patient, _schedule = demo_citizen(team, nurse)
    login_as(page, patient.citizen_user)

    assert page.url.endswith(reverse("monitoring:citizen_home"))
    assert page.get_by_text("Du har en ny besked fra dine sygeplejersker").is_visible()
    screenshot(page, "citizen-home")
    assert not problems(page)
    # The due banner's button (the questionnaire's card below has the same one).
    page.get_by_role("link", name="Besvar nu").first.click()

    # Screen 1: saturation and pulse together. 870 is refused in plain Danish, nothing lost.
    assert page.get_by_text("Spørgsmål 1 af 9").is_visible()
    page.get_by_label("Iltmætning (SpO2)").fill("870")
    page.get_by_label("Puls").fill("82")
    next_screen(page)
    alert = page.get_by_role("alert")
    assert "Du skrev 870" in alert.inner_text()
    assert "mellem 50 og 100 %" in alert.inner_text()
    assert page.get_by_label("Puls").input_value() == "82"
    assert page.get_by_label("Iltmætning (SpO2)").get_attribute("aria-invalid") == "true"
    screenshot(page, "citizen-refused-870")
    assert not problems(page)

    page.get_by_label("Iltmætning (SpO2)").fill("87,5")
    next_screen(page)

    # Weight is optional; then the symptom questions as large radio buttons.
    assert page.get_by_text("Spørgsmål 2 af 9").is_visible()
    next_screen(page)
    page.get_by_label("Ja, lidt mere").check()
    screenshot(page, "citizen-question")
    assert not problems(page)
    next_screen(page)
    for answer in ("Nej", "Nej"):
        page.get_by_label(answer, exact=True).check()
        next_screen(page)
    page.get_by_label("Klart eller hvidt").check()
    next_screen(page)
    # Back and forward again keeps the answer.
    page.get_by_role("button", name="Tilbage").click()
    assert page.get_by_label("Klart eller hvidt").is_checked()
    next_screen(page)
    page.get_by_label("Nej", exact=True).check()  # rescue medicine
    next_screen(page)
    page.get_by_label("Nej", exact=True).check()  # fever: no, so no temperature question
    next_screen(page)
    page.get_by_label("Er der andet, du vil fortælle os?").fill("Lidt træt i dag.")
    page.get_by_role("button", name="Næste: tjek dine svar").click()

    # Summary before sending.
    page.get_by_role("heading", name="Tjek dine svar").wait_for()
    summary = page.locator(".qsummary").inner_text()
    assert "87,5 %" in summary and "Ja, lidt mere" in summary and "Lidt træt i dag." in summary
    screenshot(page, "citizen-summary")
    assert not problems(page)
    assert not Submission.objects.filter(patient=patient).exists()
    page.get_by_role("button", name="Send svar").click()
    page.get_by_role("heading", name="Tak – dine svar er sendt").wait_for()
    screenshot(page, "citizen-sent")
    assert not problems(page)

    submission = Submission.objects.get(patient=patient)
    assert submission.severity == "yellow"
    assert submission.measurements.get(type__key="spo2").value == Decimal("87.5")

    # My measurements.
    page.goto(reverse("monitoring:citizen_history"))
    assert page.locator(".chart").count() >= 2
    screenshot(page, "citizen-history")
    assert not problems(page)

    # The nurse's triage list shows the new yellow result with its reasons.
    desk = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport={"width": 1366, "height": 900}
    )
    nurse_page = desk.new_page()
    login_as(nurse_page, nurse)
    nurse_page.goto(reverse("alarms:nurse_home"))
    row = nurse_page.locator(f"#patient-{patient.pk}")
    text = row.inner_text()
    assert "Gul" in text
    # The reason names the saturation and the yellow limit it fell below. (The evaluation shows
    # SpO2 with 0 decimals, so 87.5 reads "88 %"; see docs/guide-citizen.md, known issues.)
    assert "SpO2" in text and "under gul grænse 88 %" in text
    assert "Ja, lidt mere" in text
    screenshot(nurse_page, "citizen-result-in-triage", full_page=False)
    desk.close()


def test_first_login_forces_a_new_password(phone_page, nurse, team):
    page = phone_page
    patient = PatientFactory(
        with_login=True, monitoring_team=team, first_name="Bent", last_name="Å"
    )
    user, password = services.citizen_login_issue(patient=patient, issued_by=nurse)
    login_as(page, user, password)
    page.get_by_role("heading", name="Vælg din egen adgangskode").wait_for()
    screenshot(page, "citizen-first-password")
    assert not problems(page)
    page.get_by_label("Ny adgangskode").fill("Solsikke-Mark-42")
    page.get_by_label("Skriv den nye adgangskode igen").fill("Solsikke-Mark-42")
    page.get_by_role("button", name="Gem min adgangskode").click()
    page.wait_for_url(f"**{reverse('monitoring:citizen_home')}")
    assert page.get_by_text("Din nye adgangskode er gemt").is_visible()
