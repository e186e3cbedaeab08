"""Ignoring a measurement error and following an escalation, in a real browser.

A nurse finds a red SpO2 of 61 % (the finger was not in the oximeter), opens the ignore form in
the measurements table (loaded into the row), chooses the reason, sees the row struck through
with the reason, and undoes it. Then the escalation list and the patient header show what was
escalated and whether the e-mail went out.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from alarms.models import Escalation, TriageResult
from tests.browser.conftest import axe_check, login_as, screenshot, serious
from tests.factories import monitored_patient, record_reading


def test_nurse_ignores_a_measurement_error_and_undoes_it(page, nurse, team):
    patient = monitored_patient(team, first_name="Rasmus", last_name="Rødgaard")
    record_reading(patient, "spo2", "95", timedelta(hours=5))
    [wrong] = record_reading(patient, "spo2", "61", timedelta(minutes=20)).measurements
    login_as(page, nurse)
    page.goto(reverse("patient:measurements", args=[patient.pk]) + "?range=7d")
    row = page.locator(f"#measurement-{wrong.pk}")
    row.get_by_role("link", name="Se bort fra …").click()
    # The form came into the row (htmx): no page change, the reason list has focus next.
    row.locator("select[name=reason]").wait_for()
    assert page.url.endswith("?range=7d")
    assert not serious(axe_check(page))
    # No reason chosen: the browser keeps the form (the server refuses it too, tested without
    # a browser in tests/clinic/test_ignore_pages.py).
    row.locator("button[type=submit]").click()
    assert row.locator("select[name=reason]:invalid").count() == 1
    page.select_option("select[name=reason]", "measurement_error")
    page.click(".ignoreform button[type=submit]")
    row = page.locator(f"#measurement-{wrong.pk}")
    row.locator("del").wait_for()
    assert "Set bort fra: Målefejl (Anne Nord" in row.inner_text()
    assert "range=7d" in page.url
    screenshot(page, "ignore-measurement")
    assert not serious(axe_check(page))

    # The triage list has nothing open for the patient any more.
    page.goto(reverse("alarms:nurse_home"))
    assert page.locator(f"#patient-{patient.pk} .chip--red").count() == 0

    page.goto(reverse("patient:measurements", args=[patient.pk]) + "?range=7d")
    page.locator(f"#measurement-{wrong.pk}").get_by_role("button", name="Tæl med igen").click()
    page.locator(f"#measurement-{wrong.pk}.row--red").wait_for()


def test_escalation_list_and_patient_header(page, nurse, team):
    patient = monitored_patient(team, first_name="Erik", last_name="Eskildsen")
    record_reading(patient, "spo2", "82", timedelta(hours=3))
    result = TriageResult.objects.get(patient=patient)
    Escalation.objects.create(
        result=result,
        patient=patient,
        state="sent",
        sent_at=timezone.now() - timedelta(hours=1),
        recipients=["anne.nord@testrup.dk"],
        attempts=1,
    )
    Escalation.objects.create(
        result=result,
        patient=patient,
        tier=Escalation.Tier.SECOND,
        state="failed",
        attempts=5,
        last_error="[Errno 111] Connection refused",
    )
    login_as(page, nurse)
    page.goto(reverse("alarms:nurse_home"))
    page.get_by_role("link", name="Eskaleringer").click()
    table = page.locator(".escalation-table").inner_text()
    assert "Eskildsen" in table and "Stadig åben" in table
    assert "Mislykkedes" in table and "5 forsøg" in table
    screenshot(page, "escalations")
    assert not serious(axe_check(page))

    page.get_by_role("link", name="Eskildsen, Erik").first.click()
    box = page.locator(".escalated-box").inner_text()
    assert "til monitoreringsteam: sendt" in box
    assert page.locator(".phead .claim button").inner_text() == "Jeg tager den"
    assert not serious(axe_check(page))


def test_admin_sets_alarm_handling(page, org_admin, other_team):
    login_as(page, org_admin)
    page.goto(reverse("admin_home"))
    page.get_by_role("link", name="Alarmhåndtering").click()
    page.fill("input[name=second_escalation_minutes]", "30")
    page.select_option("select[name=second_escalation_team]", str(other_team.pk))
    page.get_by_role("button", name="Gem").click()
    page.locator(".message--success").wait_for()
    page.get_by_role("button", name="Gør listen til vores egen").click()
    page.get_by_role("button", name="Tilføj udfald").wait_for()
    screenshot(page, "admin-alarm-handling")
    assert not serious(axe_check(page))
