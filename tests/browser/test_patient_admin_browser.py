"""Patient administration in a real browser: the nurse opens a red patient, sees the phone
number and the next of kin, changes the schedule to Monday and Thursday 09:00; the citizen gets
an e-mail reminder before the next deadline and a missing-data alarm follows the new schedule;
the nurse ends monitoring and the patient is on the Ended list, not on the triage list."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alarms.models import TriageResult
from alarms.services import missing_data_raise
from monitoring import schedules
from monitoring.models import Schedule
from notifications.services import reminders_run
from patients.models import NextOfKin
from tests.browser.conftest import axe_check, login_as, screenshot, serious
from tests.factories import ScheduleFactory, monitored_patient, record_reading


def test_contact_schedule_reminder_and_ending_monitoring(page, nurse, team):
    patient = monitored_patient(
        team, first_name="Ruth", last_name="Rask", phone="+4522334455", email="ruth@example.org"
    )
    NextOfKin.objects.create(patient=patient, name="Ole Rask", relation="søn", phone="+4533445566")
    ScheduleFactory(patient=patient)
    record_reading(patient, "spo2", "83", timedelta(minutes=10))
    login_as(page, nurse)
    page.goto(reverse("patient:detail", args=[patient.pk]))
    header = page.locator(".phead__contact")
    assert header.locator('a[href="tel:+4522334455"]').inner_text().endswith("22 33 44 55")
    assert "Ole Rask" in header.inner_text()

    page.goto(reverse("patient:schedules", args=[patient.pk]))
    page.get_by_text("Ændr skema").click()
    form = page.locator(".schedule__change form")
    for day in ("tirsdag", "onsdag", "fredag", "lørdag", "søndag"):
        form.get_by_label(day).uncheck()
    form.get_by_label("Begrundelse for ændringen").fill("Stabil, færre svar")
    assert not serious(axe_check(page))
    form.locator("button[type=submit]").click()
    page.get_by_text("mandag og torsdag kl. 09:00", exact=False).first.wait_for()
    screenshot(page, "schedule-changed")

    current = Schedule.objects.filter(patient=patient).current().get()
    assert current.weekdays == [1, 4]
    [due] = schedules.occurrences(
        current.rule(), timezone.now(), timezone.now() + timedelta(days=8)
    )[:1]
    assert due.astimezone(timezone.get_default_timezone()).isoweekday() in (1, 4)
    deadline = due + timedelta(minutes=current.grace_minutes)
    reminders_run(now=deadline - timedelta(minutes=29))
    assert [m.to for m in mail.outbox] == [["ruth@example.org"]]
    missing_data_raise(now=deadline + timedelta(minutes=1))
    assert TriageResult.objects.filter(patient=patient, kind="missing", due_at=due).exists()

    page.goto(reverse("patient:discharge", args=[patient.pk]))
    page.get_by_label("Forløb afsluttet").check()
    assert not serious(axe_check(page))
    page.locator(".discharge-card button[type=submit]").click()
    page.get_by_role("heading", name="Afsluttet monitorering").wait_for()
    assert "Rask, Ruth" in page.locator("main").inner_text()
    assert not serious(axe_check(page))
    screenshot(page, "ended-list")
    page.goto(reverse("alarms:nurse_home"))
    assert "Rask" not in page.locator("main").inner_text()
