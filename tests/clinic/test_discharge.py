"""Ending monitoring: open results closed with the reason, tokens revoked, schedules stopped,
access as the organisation's policy says, the patient on the ended list and off the triage
list; refused without a reason; restarted by a new referral with the history kept."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alarms.models import TriageResult
from alarms.referrals import referral_accept, referral_create
from alarms.services.discharge import DischargeError, monitoring_end
from alarms.threshold_templates import LimitRow
from interop.models import ApiCredential
from interop.services import credential_issue
from monitoring.models import Schedule
from patients.access import patients_visible_to
from patients.models import MonitoringEnd, Organisation, PatientPause, PatientState
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import (
    PatientPauseFactory,
    ScheduleFactory,
    TriageResultFactory,
    measurement_type,
    questionnaire,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitored(citizen, nurse):
    ScheduleFactory(patient=citizen)
    TriageResultFactory(patient=citizen, severity="red", measurement__patient=citizen)
    credential_issue(kind="device", name="Oximeter", patient=citizen, created_by=nurse)
    PatientPauseFactory(
        patient=citizen,
        created_by=nurse,
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=4),
    )
    return citizen


def test_ending_closes_revokes_stops_and_keeps_the_data(client, nurse, monitored):
    login(client, nurse)
    page = client.get(reverse("patient:discharge", args=[monitored.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "1 open result is closed" in page.content.decode()
    response = client.post(
        reverse("patient:discharge", args=[monitored.pk]),
        {"reason": "finished", "note": "Rehabilitation done"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302 and response["Location"] == reverse("alarms:ended")
    monitored.refresh_from_db()
    assert monitored.state == PatientState.DISCHARGED
    result = TriageResult.objects.get(patient=monitored)
    assert result.acknowledged_by == nurse
    assert result.acknowledgement_note == "Monitoring ended: Course finished. Rehabilitation done"
    assert not ApiCredential.objects.filter(patient=monitored, revoked_at__isnull=True).exists()
    assert not Schedule.objects.filter(patient=monitored).current().exists()
    assert not PatientPause.objects.filter(patient=monitored).exists()  # the planned pause
    end = MonitoringEnd.objects.get(patient=monitored)
    assert (end.reason, end.results_closed, end.tokens_revoked) == ("finished", 1, 1)
    assert AuditEvent.objects.filter(
        patient_id=monitored.pk, action="update", what="Monitoring ended"
    ).exists()

    ended = client.get(reverse("alarms:ended"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Borger, Dorte" in ended and "Course finished" in ended
    triage = client.get(reverse("alarms:nurse_home")).content.decode()
    assert "Borger, Dorte" not in triage and "Dorte Borger" not in triage


def test_by_default_the_team_still_reads_the_record_but_cannot_act(client, nurse, monitored):
    monitoring_end(patient=monitored, by=nurse, reason="moved")
    assert patients_visible_to(nurse).filter(pk=monitored.pk).exists()
    login(client, nurse)
    assert client.get(reverse("patient:detail", args=[monitored.pk])).status_code == 200
    assert client.get(reverse("patient:discharge", args=[monitored.pk])).status_code == 403


def test_an_organisation_may_end_all_access(client, nurse, doctor, monitored):
    Organisation.objects.filter(pk=monitored.monitoring_team.organisation_id).update(
        discharge_access="end"
    )
    monitoring_end(patient=monitored, by=nurse, reason="deceased")
    monitored.refresh_from_db()
    assert monitored.state == PatientState.DECEASED
    assert not patients_visible_to(nurse).filter(pk=monitored.pk).exists()
    assert not patients_visible_to(doctor).filter(pk=monitored.pk).exists()
    ended = login(client, nurse).get(reverse("alarms:ended")).content.decode()
    assert "Borger, Dorte" in ended  # listed, no longer linked
    assert reverse("patient:detail", args=[monitored.pk]) not in ended


def test_without_a_reason_nothing_ends_and_the_note_is_kept(client, nurse, monitored):
    response = login(client, nurse).post(
        reverse("patient:discharge", args=[monitored.pk]),
        {"note": "Flytter til Odense"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Choose why monitoring ends." in response.content.decode()
    assert "Flytter til Odense" in response.content.decode()
    monitored.refresh_from_db()
    assert monitored.state == PatientState.ACTIVE
    assert TriageResult.objects.get(patient=monitored).acknowledged_at is None


def test_only_once(nurse, monitored):
    monitoring_end(patient=monitored, by=nurse, reason="declined")
    with pytest.raises(DischargeError):
        monitoring_end(patient=monitored, by=nurse, reason="declined")
    assert MonitoringEnd.objects.filter(patient=monitored).count() == 1


def test_a_doctor_and_outsiders_cannot_end_monitoring(client, doctor, other_nurse, monitored):
    login(client, doctor)
    assert (
        client.post(
            reverse("patient:discharge", args=[monitored.pk]), {"reason": "moved"}
        ).status_code
        == 403
    )
    login(client, other_nurse)
    assert (
        client.post(
            reverse("patient:discharge", args=[monitored.pk]), {"reason": "moved"}
        ).status_code
        == 404
    )
    monitored.refresh_from_db()
    assert monitored.state == PatientState.ACTIVE


def test_a_new_referral_restarts_monitoring_with_the_history_kept(nurse, doctor, monitored, team):
    monitoring_end(patient=monitored, by=nurse, reason="hospital")
    referral = referral_create(
        doctor=doctor,
        cpr=monitored.cpr,
        first_name=monitored.first_name,
        last_name=monitored.last_name,
        copd_group="severe",
        receiving_organisation=team.organisation,
        limits=[LimitRow(measurement_type("spo2"), Decimal("86"), Decimal("90"))],
        rules=[],
        note="Tilbage fra hospitalet.",
    )
    referral_accept(referral=referral, by=nurse, team=team, questionnaires=[questionnaire("kol")])
    monitored.refresh_from_db()
    assert monitored.state == PatientState.ACTIVE
    assert Schedule.objects.filter(patient=monitored).current().count() == 1
    assert Schedule.objects.filter(patient=monitored).count() == 2  # the stopped one is kept
    assert TriageResult.objects.filter(patient=monitored).count() == 1
    assert MonitoringEnd.objects.filter(patient=monitored).count() == 1
    assert patients_visible_to(nurse).filter(pk=monitored.pk).exists()


def test_the_ended_list_costs_the_same_for_two_or_six_patients(client, nurse, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PatientFactory

    def ended(n: int) -> int:
        for _ in range(n):
            monitoring_end(patient=PatientFactory(monitoring_team=team), by=nurse, reason="moved")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("alarms:ended")).status_code == 200
        return len(queries)

    login(client, nurse)
    assert ended(2) == ended(4)
