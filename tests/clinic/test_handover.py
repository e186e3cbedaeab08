"""The shift handover: open alarms with claims, escalations, notes, messages, pauses, silence."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from alarms import services
from alarms.models import Escalation, PatientNote, TriageResult
from monitoring.models import MeasurementType, Message, Source
from patients.models import PatientPause
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import PatientFactory, monitored_patient, record_reading

pytestmark = pytest.mark.django_db

URL = "/nurse/handover/"


@pytest.fixture
def shift(team, other_team, nurse):
    red = monitored_patient(team, first_name="Rasmus", last_name="Rød")
    record_reading(red, "spo2", "83")
    yellow = monitored_patient(team, first_name="Ulla", last_name="Gul")
    record_reading(yellow, "spo2", "87")
    green = monitored_patient(team, first_name="Gustav", last_name="Grøn")
    record_reading(green, "spo2", "96")
    services.claim_take(patient=red, user=nurse)
    escalated = monitored_patient(team, first_name="Erik", last_name="Eskaleret")
    record_reading(escalated, "spo2", "82", ago=timedelta(hours=3))
    result = TriageResult.objects.get(patient=escalated)
    Escalation.objects.create(result=result, patient=escalated, state="sent")
    PatientNote.objects.create(
        patient=green, author=nurse, text="Ny inhalator bestilt", importance="important"
    )
    Message.objects.create(patient=green, sender_is_citizen=True, body="Må jeg tage til Skagen?")
    paused = monitored_patient(team, first_name="Pia", last_name="Pause")
    record_reading(paused, "spo2", "95")
    PatientPause.objects.create(
        patient=paused,
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() + timedelta(hours=20),
        reason="Ferie",
        created_by=nurse,
    )
    silent = monitored_patient(team, first_name="Søren", last_name="Stille")
    record_reading(silent, "spo2", "95", ago=timedelta(days=5))
    stranger = monitored_patient(other_team, first_name="Anders", last_name="Andetteam")
    record_reading(stranger, "spo2", "80")
    return {"red": red, "yellow": yellow, "green": green, "silent": silent}


def test_handover_lists_what_the_next_shift_must_pick_up(client, nurse, shift):
    login(client, nurse)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    [page] = response.context["pages"]
    alarms = [alarm.patient.last_name for alarm in page.alarms]
    assert alarms[0] in {"Rød", "Eskaleret"} and "Gul" in alarms and "Grøn" not in alarms
    assert "Anne Nord siden" in html  # the claim, in Danish
    assert "Ingen endnu" in html  # reds nobody has claimed stand out
    assert [e.patient.last_name for e in page.escalations] == ["Eskaleret"]
    assert "Ny inhalator bestilt" in html
    assert "Må jeg tage til Skagen?" in html
    assert [p.patient.last_name for p in page.pauses] == ["Pause"]
    assert [p.last_name for p in page.silent] == ["Stille"]
    assert "Andetteam" not in html  # another team's patient


def test_an_answered_message_is_not_listed(client, nurse, shift):
    Message.objects.create(patient=shift["green"], sender_is_citizen=False, body="Ja, god tur")
    login(client, nurse)
    [page] = client.get(URL).context["pages"]
    assert page.messages == []


def test_one_audit_event_per_look(client, nurse, shift):
    login(client, nurse)
    before = AuditEvent.objects.count()
    client.get(URL)
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("pk").what == "Shift handover (6 patients shown)"


def test_only_nurses_open_it(client, doctor, citizen):
    login(client, doctor)
    assert client.get(URL).status_code in (302, 403)


@pytest.mark.parametrize("size", [10, 500])
def test_query_count_does_not_grow_with_patients(
    client, nurse, team, size, django_assert_max_num_queries
):
    kind = MeasurementType.objects.get(key="spo2")
    for index in range(size):
        patient = monitored_patient(team) if index < 10 else PatientFactory(monitoring_team=team)
        if index < 10:
            services.measurements_record(
                patient=patient,
                readings=[services.Reading(kind, Decimal(80 + index // 2), timezone.now())],
                source=Source.DEVICE,
            )
            services.claim_take(patient=patient, user=nurse)
            PatientNote.objects.create(
                patient=patient, author=nurse, text="x", importance="important"
            )
            Message.objects.create(patient=patient, sender_is_citizen=True, body="Hej")
    login(client, nurse)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    assert response.status_code == 200
    [page] = response.context["pages"]
    assert len(page.alarms) == 10 and len(page.messages) == 10
