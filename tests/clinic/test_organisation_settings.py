"""The organisation admin keeps her organisation's details, the access policy when monitoring
ends and the clinicians' session timeout at /administration/organisation/."""

from __future__ import annotations

import pytest
from django.conf import settings

from patients.models import Organisation
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import OrgAdminFactory

pytestmark = pytest.mark.django_db

URL = "/administration/organisation/"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _post(client, **data):
    values = {"phone": "", "discharge_access": "keep_view", "session_timeout_minutes": "30"}
    values.update(data)
    return client.post(URL, values)


def test_the_admin_sees_her_organisation_with_the_sor_code_read_only(
    english, org_admin, org_municipality
):
    login(english, org_admin)
    page = english.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Testrup Kommune" in body and "900000000000001" in body
    assert 'name="sor_code"' not in body and 'name="name"' not in body
    assert 'name="ydernummer"' not in body  # a municipality has no provider number
    # Escalation, outcomes and reminders have their own pages; this one links to them.
    assert 'href="/administration/alarm-handling/"' in body
    assert 'href="/administration/reminders/"' in body


def test_the_admin_saves_phone_discharge_policy_and_timeout_with_one_audit_event(
    english, org_admin, org_municipality
):
    login(english, org_admin)
    before = AuditEvent.objects.count()
    response = _post(
        english,
        phone="20 30 40 50",
        discharge_access="end",
        session_timeout_minutes="45",
        sor_code="123",  # not on the form: ignored
    )
    assert response.status_code == 302
    org_municipality.refresh_from_db()
    assert org_municipality.phone == "+4520304050"
    assert org_municipality.discharge_access == Organisation.DischargeAccess.END
    assert org_municipality.session_timeout_minutes == 45
    assert org_municipality.sor_code == "900000000000001"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.what, event.patient_id) == (
        "update",
        "Organisation settings changed",
        None,
    )
    page = english.get(URL)
    assert 'value="20 30 40 50"' in page.content.decode()  # shown as people write it


@pytest.mark.parametrize(
    "minutes, message",
    [("4", "At least 5 minutes."), ("481", "At most 480 minutes."), ("", "This field is required")],
)
def test_a_timeout_out_of_range_is_refused_and_nothing_is_saved(
    english, org_admin, org_municipality, minutes, message
):
    login(english, org_admin)
    response = _post(english, phone="20304050", session_timeout_minutes=minutes)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'value="20304050"' in body  # what she typed is kept
    org_municipality.refresh_from_db()
    assert (org_municipality.phone, org_municipality.session_timeout_minutes) == ("", 30)
    assert not AuditEvent.objects.filter(what="Organisation settings changed").exists()


def test_a_gp_clinic_admin_keeps_her_clinics_phone_and_provider_number(english, gp_clinic):
    admin = OrgAdminFactory(organisation=gp_clinic).user
    login(english, admin)
    page = english.get(URL).content.decode()
    assert 'name="ydernummer"' in page
    assert 'name="discharge_access"' not in page  # GP clinics run no monitoring teams
    response = english.post(
        URL, {"phone": "+45 70 11 22 33", "ydernummer": "012 345", "session_timeout_minutes": "60"}
    )
    assert response.status_code == 302
    gp_clinic.refresh_from_db()
    assert (gp_clinic.phone, gp_clinic.ydernummer) == ("+4570112233", "012345")


def test_the_clinics_phone_reaches_the_contact_card_of_its_patients(
    english, gp_clinic, citizen, nurse
):
    citizen.gp_clinic = gp_clinic
    citizen.save()
    login(english, OrgAdminFactory(organisation=gp_clinic).user)
    english.post(URL, {"phone": "70112233", "ydernummer": "", "session_timeout_minutes": "30"})
    english.logout()
    login(english, nurse)
    page = english.get(f"/patients/{citizen.pk}/").content.decode()
    assert "tel:+4570112233" in page


def test_bad_phone_and_provider_number_get_messages_at_their_fields(english, gp_clinic):
    login(english, OrgAdminFactory(organisation=gp_clinic).user)
    response = english.post(
        URL, {"phone": "123", "ydernummer": "12a", "session_timeout_minutes": "30"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Write a Danish phone number of eight digits" in body
    assert "six digits" in body
    gp_clinic.refresh_from_db()
    assert (gp_clinic.phone, gp_clinic.ydernummer) == ("", "")


def test_only_organisation_admins_open_the_page(client, nurse, doctor):
    assert client.get(URL)["Location"].startswith("/login/")
    for user in (nurse, doctor):
        login(client, user)
        assert client.get(URL).status_code == 403
        assert _post(client, session_timeout_minutes="480").status_code == 403
        client.logout()


def test_the_admin_changes_only_her_own_organisation(client, org_admin, gp_clinic):
    login(client, org_admin)
    _post(client, phone="20304050")
    gp_clinic.refresh_from_db()
    assert gp_clinic.phone == ""
