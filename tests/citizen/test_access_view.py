"""The citizen's "who has access to my data" (/me/access/)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.services import patient_access_grant, patient_access_withdraw, patient_assign_care
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import DoctorFactory, NurseFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_citizen_sees_her_team_doctor_and_individual_grants(
    client, citizen, nurse, doctor, org_admin, org_municipality
):
    hospital = OrganisationFactory(
        name="Lungemedicinsk afdeling", kind="hospital", sor_code="900000000000555"
    )
    covering = DoctorFactory(
        organisation=hospital, user__first_name="Ida", user__last_name="Vikar"
    ).user
    patient_access_grant(
        patient=citizen,
        user=covering,
        codenames=["view_patient_data"],
        by=org_admin,
        reason="Second opinion on the oxygen treatment",
    )
    login(client, citizen.citizen_user)
    response = client.get(reverse("citizen:access"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "KOL-team Nord" in body and "Testrup Kommune" in body
    assert "Anne Nord" in body  # a member of the team
    assert "Carl Læge" in body and "Lægerne i Testrup" in body
    assert "Ida Vikar" in body and "Lungemedicinsk afdeling" in body
    assert "Second opinion on the oxygen treatment" in body
    assert (
        AuditEvent.objects.filter(
            what="Citizen: who has access to my data", patient=citizen
        ).count()
        == 1
    )

    patient_access_withdraw(patient=citizen, user=covering, by=org_admin)
    assert "Ida Vikar" not in client.get(reverse("citizen:access")).content.decode()


def test_a_new_team_shows_since_when_and_why(client, citizen, org_admin, other_team, doctor):
    patient_assign_care(
        patient=citizen,
        monitoring_team=other_team,
        treating_doctor=doctor,
        by=org_admin,
        reason="Moved to the south district",
    )
    login(client, citizen.citizen_user)
    body = client.get(reverse("citizen:access")).content.decode()
    assert "KOL-team Syd" in body and "KOL-team Nord" not in body
    assert "Moved to the south district" in body


def test_the_page_costs_the_same_queries_for_few_or_many_with_access(
    client, citizen, org_admin, org_municipality, team
):
    login(client, citizen.citizen_user)
    counts = []
    for n in (1, 6):
        NurseFactory.create_batch(n, organisation=org_municipality, teams=[team])
        for _ in range(n):
            patient_access_grant(
                patient=citizen,
                user=DoctorFactory().user,
                codenames=["view_patient_data"],
                by=org_admin,
                reason="Cover",
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("citizen:access")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_only_the_citizen_herself(client, nurse):
    login(client, nurse)
    assert client.get(reverse("citizen:access")).status_code == 403
