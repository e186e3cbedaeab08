"""Ignoring from the patient page: the form, the struck-through row, undo, refusals, access."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from alarms.models import TriageResult
from monitoring.models import Measurement
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import monitored_patient, record_reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def red(citizen):
    monitored = monitored_patient(citizen.monitoring_team)
    record_reading(monitored, "spo2", "96", ago=timedelta(hours=3))
    [measurement] = record_reading(monitored, "spo2", "61.5").measurements
    return measurement


def ignore_url(measurement) -> str:
    return reverse("patient:measurement_ignore", args=[measurement.patient_id, measurement.pk])


def test_nurse_ignores_a_measurement_and_sees_it_struck_through_then_undoes(client, nurse, red):
    login(client, nurse)
    form = client.get(ignore_url(red), {"range": "7d"})
    assert form.status_code == 200
    assert "Se bort fra Iltmætning (SpO2) 61,5 %," in form.content.decode()

    response = client.post(ignore_url(red), {"reason": "measurement_error", "range": "7d"})
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("patient:measurements", args=[red.patient_id]) + "?range=7d"
    )
    event = AuditEvent.objects.latest("pk")
    assert event.action == "update" and event.patient_id == red.patient_id
    assert f"Ignored measurement {red.pk} (measurement_error)" in event.what
    page = client.get(response["Location"]).content.decode()
    assert "<del>61,5" in page
    assert "Set bort fra: Målefejl (Anne Nord" in page
    assert "Tæl med igen" in page

    # The result history shows it struck through too; the triage list has nothing open.
    results = client.get(reverse("patient:results", args=[red.patient_id])).content.decode()
    assert "Set bort fra: Målefejl" in results
    assert not TriageResult.objects.get(measurement=red).is_open

    undo = reverse("patient:measurement_unignore", args=[red.patient_id, red.pk])
    assert client.post(undo, {"range": "7d"}).status_code == 302
    assert Measurement.objects.get(pk=red.pk).ignored_at is None
    assert TriageResult.objects.get(measurement=red).is_open


def test_without_a_reason_the_form_says_so_and_nothing_changes(client, nurse, red):
    login(client, nurse)
    response = client.post(ignore_url(red), {"reason": "", "range": "30d"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Vælg, hvorfor der ses bort fra den." in body
    assert 'name="range" value="30d"' in body  # the period is kept
    assert Measurement.objects.get(pk=red.pk).ignored_at is None
    assert AuditEvent.objects.latest("pk").action == "view"


def test_ignoring_twice_gets_a_clear_message(client, nurse, colleague, red):
    login(client, nurse)
    client.post(ignore_url(red), {"reason": "duplicate"})
    login(client, colleague)
    response = client.post(ignore_url(red), {"reason": "device_fault"}, follow=True)
    assert "En anden har allerede set bort fra den." in response.content.decode()
    assert Measurement.objects.get(pk=red.pk).ignore_reason == "duplicate"


def test_a_result_is_ignored_from_the_result_history(client, nurse, red):
    result = TriageResult.objects.get(measurement=red)
    login(client, nurse)
    url = reverse("patient:result_ignore", args=[red.patient_id, result.pk])
    history = client.get(reverse("patient:results", args=[red.patient_id])).content.decode()
    assert url in history
    client.post(url, {"reason": "device_fault"}, HTTP_ACCEPT_LANGUAGE="en")
    assert Measurement.objects.get(pk=red.pk).ignore_reason == "device_fault"
    history = client.get(
        reverse("patient:results", args=[red.patient_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Ignored: Device fault (Anne Nord" in history


def test_strangers_get_404_and_doctors_403(client, other_nurse, doctor, red):
    login(client, other_nurse)
    assert client.post(ignore_url(red), {"reason": "duplicate"}).status_code == 404
    login(client, doctor)
    assert client.post(ignore_url(red), {"reason": "duplicate"}).status_code in (403, 404)
    assert Measurement.objects.get(pk=red.pk).ignored_at is None


def test_a_measurement_of_another_patient_is_404(client, nurse, red, citizen):
    login(client, nurse)
    url = reverse("patient:measurement_ignore", args=[citizen.pk, red.pk])
    assert client.post(url, {"reason": "duplicate"}).status_code == 404


def test_the_chart_draws_an_ignored_value_without_alarm_colour(client, nurse, red):
    login(client, nurse)
    client.post(ignore_url(red), {"reason": "measurement_error"})
    body = client.get(reverse("patient:detail", args=[red.patient_id])).content.decode()
    [data] = re.findall(
        r'<script id="chart-data-spo2" type="application/json">(.*?)</script>', body
    )
    series = next(t for t in json.loads(data)["data"] if t.get("meta", {}).get("ignored"))
    index = series["meta"]["ignored"].index(True)
    assert series["meta"]["severities"][index] is None
    assert series["marker"]["symbol"][index] == "x"
    assert "Set bort fra: Målefejl" in series["text"][index]
