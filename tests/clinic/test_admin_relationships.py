"""Care relationships in the admin console: who gave access, since when and why; an admin
never gives herself access."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patients.access import patients_visible_to
from patients.models import CareAccess
from patients.services import CareError, patient_access_grant, patient_assign_care
from tests.conftest import login
from tests.factories import DoctorFactory, OrgAdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def covering(gp_clinic):
    return DoctorFactory(
        organisation=gp_clinic, user__first_name="Ida", user__last_name="Vikar"
    ).user


def test_a_grant_needs_a_reason_and_keeps_it(client, org_admin, citizen, covering):
    login(client, org_admin)
    url = reverse("patients:relationship_grant", args=[citizen.pk])
    refused = client.post(url, {"user": covering.pk, "reason": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "Say why this clinician needs access." in refused.content.decode()
    assert citizen not in patients_visible_to(covering)
    assert not CareAccess.objects.filter(kind="individual").exists()

    response = client.post(url, {"user": covering.pk, "reason": "Covering for Dr Læge in July"})
    assert response.status_code == 302
    assert citizen in patients_visible_to(covering)
    access = CareAccess.objects.get(kind="individual")
    assert (access.user, access.granted_by, access.reason) == (
        covering,
        org_admin,
        "Covering for Dr Læge in July",
    )
    page = client.get(reverse("patients:relationship", args=[citizen.pk])).content.decode()
    assert "Covering for Dr Læge in July" in page and "Frida Admin" in page

    client.post(reverse("patients:relationship_withdraw", args=[citizen.pk, covering.pk]))
    access.refresh_from_db()
    assert access.ended_at is not None and access.ended_by == org_admin
    assert citizen not in patients_visible_to(covering)


def test_an_admin_cannot_make_her_own_team_responsible(
    client, org_admin, citizen, team, other_team
):
    # Another admin put her on the other team; she may not then give it the patient.
    org_admin.groups.add(other_team.group)
    login(client, org_admin)
    response = client.post(
        reverse("patients:relationship_change", args=[citizen.pk]),
        {"monitoring_team": other_team.pk, "treating_doctor": citizen.treating_doctor_id},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Another admin must do it" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.monitoring_team == team
    assert citizen not in patients_visible_to(org_admin)


def test_another_admin_may_and_the_change_is_kept_with_its_reason(
    client, org_admin, org_municipality, citizen, team, other_team
):
    org_admin.groups.add(other_team.group)
    second = OrgAdminFactory(organisation=org_municipality).user
    login(client, second)
    response = client.post(
        reverse("patients:relationship_change", args=[citizen.pk]),
        {
            "monitoring_team": other_team.pk,
            "treating_doctor": citizen.treating_doctor_id,
            "reason": "Moved to the south district",
        },
    )
    assert response.status_code == 302
    current = CareAccess.objects.get(kind="team", ended_at__isnull=True)
    assert (current.team, current.granted_by, current.reason) == (
        other_team,
        second,
        "Moved to the south district",
    )


def test_the_service_refuses_access_to_oneself(citizen, doctor, org_admin, other_team):
    with pytest.raises(CareError) as refused:
        patient_access_grant(
            patient=citizen, user=doctor, codenames=["view_patient_data"], by=doctor, reason="x"
        )
    assert refused.value.code == "self_grant"
    other_doctor = DoctorFactory(organisation=doctor.clinician.organisation).user
    with pytest.raises(CareError) as own_doctor:
        patient_assign_care(
            patient=citizen,
            monitoring_team=citizen.monitoring_team,
            treating_doctor=other_doctor,
            by=other_doctor,
        )
    assert own_doctor.value.code == "self_grant"
    org_admin.groups.add(other_team.group)
    with pytest.raises(CareError) as own_team:
        patient_assign_care(
            patient=citizen, monitoring_team=other_team, treating_doctor=doctor, by=org_admin
        )
    assert own_team.value.code == "own_team"
    citizen.refresh_from_db()
    assert citizen.monitoring_team != other_team and citizen.treating_doctor == doctor


def test_changing_the_doctor_ends_the_old_record_and_starts_a_new_one(citizen, org_admin):
    new_doctor = DoctorFactory().user
    patient_assign_care(
        patient=citizen,
        monitoring_team=citizen.monitoring_team,
        treating_doctor=new_doctor,
        by=org_admin,
        reason="GP changed",
    )
    rows = CareAccess.objects.filter(kind="doctor")
    assert [r.user for r in rows.filter(ended_at__isnull=True)] == [new_doctor]
    assert rows.get(ended_at__isnull=True).reason == "GP changed"
