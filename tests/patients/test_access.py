"""Per-patient access: guardian object permissions granted and withdrawn with the care
relationship; outsiders get 404; each look is one audit event."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from patients.access import get_patient_for_user, patients_monitored_by, patients_visible_to
from patients.models import PatientState
from patients.services import (
    CareError,
    patient_access_grant,
    patient_access_withdraw,
    patient_assign_care,
    patient_care_end,
)
from telemed.models import AuditEvent
from tests.factories import (
    DoctorFactory,
    NurseFactory,
    OrganisationFactory,
    PatientFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/patients/x/")
    request.user = user
    return request


def test_team_and_treating_doctor_see_the_patient_others_do_not(
    citizen, nurse, other_nurse, doctor, outsider, org_admin
):
    assert list(patients_visible_to(nurse)) == [citizen]
    assert list(patients_visible_to(doctor)) == [citizen]
    for user in (other_nurse, outsider, org_admin, citizen.citizen_user):
        assert not patients_visible_to(user).exists(), user.username


def test_outsider_gets_404_and_no_audit_event(citizen, outsider):
    with pytest.raises(Http404):
        get_patient_for_user(_request(outsider), citizen.pk, what="Patient page")
    assert not AuditEvent.objects.exists()


def test_a_look_writes_exactly_one_audit_event_with_who_and_what(citizen, nurse):
    patient = get_patient_for_user(_request(nurse), citizen.pk, what="Patient page")
    assert patient == citizen
    event = AuditEvent.objects.get()
    assert (event.user, event.patient, event.what, event.role) == (
        nurse,
        citizen,
        "Patient page",
        "nurse",
    )
    assert event.organisation == "Testrup Kommune"


def test_the_citizen_sees_only_themselves(citizen):
    other = PatientFactory(with_login=True)
    assert get_patient_for_user(_request(citizen.citizen_user), citizen.pk, what="Mine") == citizen
    with pytest.raises(Http404):
        get_patient_for_user(_request(citizen.citizen_user), other.pk, what="Not mine")
    with pytest.raises(PermissionDenied):
        get_patient_for_user(
            _request(citizen.citizen_user), citizen.pk, what="Edit", perm="change_thresholds"
        )


def test_only_the_doctor_may_change_thresholds_only_the_team_monitors(citizen, nurse, doctor):
    assert get_patient_for_user(
        _request(doctor), citizen.pk, what="Thresholds", perm="change_thresholds"
    )
    with pytest.raises(PermissionDenied):
        get_patient_for_user(
            _request(nurse), citizen.pk, what="Thresholds", perm="change_thresholds"
        )
    assert list(patients_monitored_by(nurse)) == [citizen]
    assert not patients_monitored_by(doctor).exists()


def test_moving_the_patient_to_another_team_withdraws_the_old_team(
    citizen, nurse, other_nurse, other_team, org_admin
):
    patient_assign_care(
        patient=citizen,
        monitoring_team=other_team,
        treating_doctor=citizen.treating_doctor,
        by=org_admin,
    )
    assert not patients_visible_to(nurse).exists()
    assert list(patients_visible_to(other_nurse)) == [citizen]
    with pytest.raises(Http404):
        get_patient_for_user(_request(nurse), citizen.pk, what="Patient page")
    assert AuditEvent.objects.filter(patient=citizen, user=org_admin, action="update").count() == 1


def test_changing_the_treating_doctor_withdraws_the_old_doctor(citizen, doctor):
    new_doctor = DoctorFactory().user
    patient_assign_care(
        patient=citizen, monitoring_team=citizen.monitoring_team, treating_doctor=new_doctor
    )
    assert not patients_visible_to(doctor).exists()
    assert list(patients_visible_to(new_doctor)) == [citizen]
    citizen.refresh_from_db()
    assert citizen.treating_organisation == new_doctor.clinician.organisation


def test_a_nurse_cannot_be_made_treating_doctor(citizen, nurse):
    with pytest.raises(CareError):
        patient_assign_care(
            patient=citizen, monitoring_team=citizen.monitoring_team, treating_doctor=nurse
        )
    assert patients_visible_to(citizen.treating_doctor).exists()


def test_a_covering_doctor_is_granted_and_withdrawn_by_hand(citizen, org_admin):
    covering = DoctorFactory().user
    patient_access_grant(
        patient=citizen,
        user=covering,
        codenames=["view_patient_data"],
        by=org_admin,
        reason="Cover",
    )
    assert list(patients_visible_to(covering)) == [citizen]
    patient_access_withdraw(patient=citizen, user=covering, by=org_admin)
    assert not patients_visible_to(covering).exists()


def test_discharge_withdraws_everybody(citizen, nurse, doctor):
    patient_care_end(patient=citizen, state=PatientState.DISCHARGED)
    assert not patients_visible_to(nurse).exists()
    assert not patients_visible_to(doctor).exists()


def test_joining_a_team_gives_access_to_its_patients(citizen, org_municipality):
    newcomer = NurseFactory(organisation=org_municipality).user
    assert not patients_visible_to(newcomer).exists()
    newcomer.groups.add(citizen.monitoring_team.group)
    assert list(patients_visible_to(newcomer)) == [citizen]


def test_visible_list_is_one_query_at_any_size(nurse, team, django_assert_max_num_queries):
    for n in (2, 20):
        PatientFactory.create_batch(n, monitoring_team=team)
        with django_assert_max_num_queries(1):
            rows = list(patients_visible_to(nurse))
        assert len(rows) >= n
    # A team the nurse is not on adds nothing.
    PatientFactory(monitoring_team=TeamFactory())
    assert patients_visible_to(nurse).count() == 22


def test_the_relationship_page_names_permissions_in_the_readers_language(
    client, citizen, org_admin
):
    from django.urls import reverse

    from tests.conftest import login

    covering = DoctorFactory(organisation=OrganisationFactory(sor_code="900000000000777")).user
    patient_access_grant(
        patient=citizen,
        user=covering,
        codenames=["view_patient_data"],
        by=org_admin,
        reason="Cover",
    )
    login(client, org_admin)
    url = reverse("patients:relationship", args=[citizen.pk])
    assert "Kan se patientens kliniske data" in client.get(url).content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Can view the patient&#x27;s clinical data" in english
