""" "I'm on it" on the triage list: claim, seen by the team, release, take over, refusals."""

import pytest

from alarms import services
from alarms.models import Claim
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import PatientFactory, monitored_patient, record_reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def red_patient(team):
    patient = monitored_patient(team, first_name="Rasmus", last_name="Rød")
    record_reading(patient, "spo2", "83")
    return patient


def claim_url(patient):
    return f"/nurse/patients/{patient.pk}/claim/"


def test_claim_from_the_opened_row_is_seen_by_the_team(client, nurse, colleague, red_patient):
    login(client, nurse)
    row = client.get(f"/nurse/patients/{red_patient.pk}/row/?open=1", HTTP_HX_REQUEST="true")
    assert "Jeg tager den" in row.content.decode()
    before = AuditEvent.objects.filter(patient=red_patient).count()
    response = client.post(
        claim_url(red_patient), {"from": "triage", "next": "/nurse/"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Du er på den siden" in response.content.decode()
    assert AuditEvent.objects.filter(patient=red_patient).count() == before + 1

    client.logout()
    login(client, colleague)
    html = client.get("/nurse/").content.decode()
    assert "Anne Nord er på den ·" in html
    opened = client.get(f"/nurse/?open={red_patient.pk}").content.decode()
    assert "Overtag fra Anne Nord" in opened


def test_a_second_claim_is_refused_with_who_holds_it(client, nurse, colleague, red_patient):
    services.claim_take(patient=red_patient, user=nurse)
    login(client, colleague)
    response = client.post(claim_url(red_patient), {"next": "/nurse/"}, follow=True)
    assert "Anne Nord er allerede på den" in response.content.decode()
    assert [c.claimed_by for c in services.claims_in_force([red_patient.pk])] == [nurse]


def test_take_over_and_release(client, nurse, colleague, red_patient):
    services.claim_take(patient=red_patient, user=nurse)
    login(client, colleague)
    client.post(claim_url(red_patient), {"take_over": "1", "next": "/nurse/"})
    assert [c.claimed_by for c in services.claims_in_force([red_patient.pk])] == [colleague]
    client.post(f"/nurse/patients/{red_patient.pk}/release/", {"next": "/nurse/"})
    assert not services.claims_in_force([red_patient.pk]).exists()
    assert set(Claim.objects.values_list("end", flat=True)) == {"taken_over", "released"}


def test_a_stranger_gets_404_and_nothing_changes(client, outsider, red_patient):
    login(client, outsider)
    assert client.post(claim_url(red_patient)).status_code == 404
    assert not Claim.objects.exists()


def test_nothing_open_is_refused_with_a_message(client, nurse, team):
    quiet = PatientFactory(monitoring_team=team)
    login(client, nurse)
    response = client.post(claim_url(quiet), {"next": "/nurse/"}, follow=True)
    assert "Der er ingen åbne resultater at tage" in response.content.decode()
    assert not Claim.objects.exists()
