"""The contact card: on the patient page header and in the opened triage row, with tap-to-call
links; changed by the monitoring team with Danish phone validation; every look and change
audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patients.models import NextOfKin, Organisation
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import OrganisationFactory, TriageResultFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contactable(citizen, gp_clinic):
    gp_clinic.phone = "+4586001122"
    gp_clinic.ydernummer = "012345"
    gp_clinic.save()
    citizen.gp_clinic = gp_clinic
    citizen.phone = "+4520304050"
    citizen.save()
    NextOfKin.objects.create(
        patient=citizen, name="Jens Borger", relation="søn", phone="+4531323334", may_contact=True
    )
    return citizen


def test_the_header_shows_phones_next_of_kin_and_gp_with_tap_to_call(client, nurse, contactable):
    page = login(client, nurse).get(reverse("patient:detail", args=[contactable.pk]))
    text = page.content.decode()
    assert 'href="tel:+4520304050"' in text and "20 30 40 50" in text
    assert "Jens Borger" in text and 'href="tel:+4531323334"' in text
    assert "Lægerne i Testrup" in text and 'href="tel:+4586001122"' in text


def test_the_opened_triage_row_shows_the_card(client, nurse, contactable):
    TriageResultFactory(patient=contactable, severity="red")
    login(client, nurse)
    row = client.get(reverse("alarms:triage_row", args=[contactable.pk]) + "?open=1")
    assert 'href="tel:+4520304050"' in row.content.decode()
    assert "Jens Borger" in row.content.decode()
    closed = client.get(reverse("alarms:triage_row", args=[contactable.pk]))
    assert "Jens Borger" not in closed.content.decode()


def _data(**fields):
    data = {
        "phone": "20 30 40 50",
        "phone_other": "",
        "email": "dorte@example.org",
        "address": "Vestergade 1",
        "postal_code": "8000",
        "city": "Aarhus C",
        "language": "da",
        "gp_clinic": "",
        "hospital_department": "",
        "kin-TOTAL_FORMS": "1",
        "kin-INITIAL_FORMS": "0",
        "kin-MIN_NUM_FORMS": "0",
        "kin-MAX_NUM_FORMS": "4",
        "kin-0-name": "Lise Borger",
        "kin-0-relation": "datter",
        "kin-0-phone": "+45 40 41 42 43",
        "kin-0-may_contact": "on",
    }
    data.update(fields)
    return data


def test_the_team_changes_contact_details_and_the_change_is_audited(client, nurse, citizen):
    response = login(client, nurse).post(
        reverse("patient:contact_change", args=[citizen.pk]), _data()
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.phone == "+4520304050" and citizen.city == "Aarhus C"
    kin = citizen.next_of_kin.get()
    assert (kin.name, kin.phone, kin.may_contact) == ("Lise Borger", "+4540414243", True)
    assert (
        AuditEvent.objects.filter(
            patient_id=citizen.pk, action="update", what="Contact details changed"
        ).count()
        == 1
    )
    page = client.get(reverse("patient:contact", args=[citizen.pk])).content.decode()
    assert "Lise Borger" in page and "40 41 42 43" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "1234", "Write a Danish phone number of eight digits"),
        ("kin-0-phone", "+46 12", "Write a Danish phone number of eight digits"),
        ("kin-0-relation", "", "Say how this person is related"),
        ("postal_code", "80000", "A Danish postal code is four digits"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_keeping_the_rest(
    client, nurse, citizen, field, value, message
):
    before = citizen.phone
    response = login(client, nurse).post(
        reverse("patient:contact_change", args=[citizen.pk]),
        _data(**{field: value}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert 'value="Vestergade 1"' in text and 'value="Lise Borger"' in text
    citizen.refresh_from_db()
    assert citizen.phone == before and not citizen.next_of_kin.exists()
    assert not AuditEvent.objects.filter(what="Contact details changed").exists()


def test_a_doctor_sees_the_card_but_cannot_change_it(client, doctor, contactable):
    login(client, doctor)
    page = client.get(reverse("patient:contact", args=[contactable.pk]))
    assert page.status_code == 200 and "Jens Borger" in page.content.decode()
    assert "Save contact details" not in page.content.decode()
    refused = client.post(reverse("patient:contact_change", args=[contactable.pk]), _data())
    assert refused.status_code == 403


def test_outsiders_get_404(client, other_nurse, contactable):
    login(client, other_nurse)
    assert client.get(reverse("patient:contact", args=[contactable.pk])).status_code == 404
    assert (
        client.post(reverse("patient:contact_change", args=[contactable.pk]), _data()).status_code
        == 404
    )


def test_the_hospital_department_shows_when_it_treats(client, nurse, citizen):
    hospital = OrganisationFactory(
        name="Lungemedicinsk afd., AUH", kind=Organisation.Kind.HOSPITAL_DEPARTMENT, sor_code="H1"
    )
    citizen.treating_organisation = hospital
    citizen.save()
    page = login(client, nurse).get(reverse("patient:contact", args=[citizen.pk]))
    assert "Lungemedicinsk afd., AUH" in page.content.decode()
