"""The nurse's triage list in a real browser: filter, open a row, acknowledge in place, undo,
and the automatic refresh picking up a new red measurement."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from alarms import services
from monitoring.models import MeasurementType, Source
from tests.browser.conftest import axe_check, login_as, screenshot, serious
from tests.factories import PatientFactory, ThresholdSetFactory


def patient(team, first, last, key, value, ago):
    person = PatientFactory(monitoring_team=team, first_name=first, last_name=last)
    ThresholdSetFactory(patient=person, copd=True)
    record(person, key, value, ago)
    return person


def record(person, key, value, ago=timedelta(0)):
    kind = MeasurementType.objects.get(key=key)
    services.measurements_record(
        patient=person,
        readings=[services.Reading(kind, Decimal(value), timezone.now() - ago)],
        source=Source.DEVICE,
        received_at=timezone.now() - ago,
    )


def test_nurse_works_the_triage_list(page, nurse, team, settings):
    settings.TRIAGE_REFRESH_SECONDS = 2
    patient(team, "Rasmus", "Rødgaard", "spo2", "83", timedelta(minutes=40))
    yellow = patient(team, "Ulla", "Gulstrup", "pulse", "116", timedelta(hours=3))
    patient(team, "Gustav", "Grønlund", "spo2", "96", timedelta(hours=1))
    newcomer = patient(team, "Nina", "Nyborg", "spo2", "95", timedelta(hours=2))

    login_as(page, nurse)
    page.goto(reverse("alarms:nurse_home"))
    rows = page.locator("tbody.triage-row .patient-name a, tbody.triage-row .patient-name")
    assert "Rødgaard" in page.locator("tbody.triage-row").first.inner_text()
    assert page.locator(".level-count--red .level-count__n").inner_text() == "1"
    assert rows.count() >= 4

    # Filter to yellow: only Ulla, and the page says a red patient is not shown.
    page.select_option("select[name=level]", "yellow")
    page.click(".triage-filters button[type=submit]")
    page.wait_for_url("**level=yellow**")
    assert page.locator("tbody.triage-row").count() == 1
    assert page.locator(".hidden-red").is_visible()

    # Open the row and acknowledge with a note: the row updates in place (no reload).
    page.evaluate("window.__stayed = true")
    page.click(f"#patient-{yellow.pk} a.toggle")
    page.locator(f"#patient-{yellow.pk} .open-result").wait_for()
    page.select_option(f"#patient-{yellow.pk} select[name=outcome]", "advised_by_phone")
    page.fill(f"#patient-{yellow.pk} textarea[name=note]", "Ringet op, hun har det fint")
    page.click(f"#patient-{yellow.pk} .ack-form button[type=submit]")
    page.locator(f"#patient-{yellow.pk} .recent-acks").wait_for()
    assert page.evaluate("window.__stayed === true")
    assert "Grøn" in page.locator(f"#patient-{yellow.pk} .sev").first.inner_text()
    screenshot(page, "triage-acknowledged")

    # Undo within five minutes brings the yellow result back.
    page.click(f"#patient-{yellow.pk} .recent-acks button")
    page.locator(f"#patient-{yellow.pk} .open-result").wait_for()
    assert "Gul" in page.locator(f"#patient-{yellow.pk} .sev").first.inner_text()

    # Back to everything; a new red arrives and the refresh shows it, marked as new.
    page.goto(reverse("alarms:nurse_home"))
    page.wait_for_load_state("networkidle")
    record(newcomer, "spo2", "82")
    page.locator(f"#patient-{newcomer.pk} .new-badge").wait_for(timeout=10_000)
    assert page.locator(".level-count--red .level-count__n").inner_text() == "2"
    screenshot(page, "triage")
    assert not serious(axe_check(page))
