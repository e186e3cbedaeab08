"""Missing-data alarms: raised after the grace window, once, not while paused, resolved late."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group, User

from alarms import services
from alarms.models import PatientTriage, TriageResult
from monitoring.models import Questionnaire, Schedule
from patients.models import CopdGroup, Organisation, Patient, PatientPause, PatientState, Team

pytestmark = pytest.mark.django_db

# Monday 5 January 2026, 09:00 Copenhagen = 08:00 UTC; grace 3 hours -> missed from 11:00 UTC.
DUE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def schedule():
    org = Organisation.objects.create(name="Testby Kommune", kind="municipality", sor_code="T1")
    team = Team.objects.create(group=Group.objects.create(name="T1 A"), organisation=org, name="A")
    patient = Patient.objects.create(
        cpr="0101501234",
        first_name="Karen",
        last_name="Jensen",
        copd_group=CopdGroup.MODERATE,
        state=PatientState.ACTIVE,
        monitoring_team=team,
    )
    return Schedule.objects.create(
        patient=patient,
        questionnaire=Questionnaire.objects.get(code="kol", status="published"),
        kind=Schedule.Kind.WEEKDAYS,
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        times=[time(9, 0)],
        starts_on=date(2026, 1, 5),
        grace_minutes=180,
    )


def submit(schedule, at):
    return services.submission_record(
        patient=schedule.patient,
        questionnaire=schedule.questionnaire,
        answers=[],
        submitted_at=at,
        schedule=schedule,
        received_at=at,
    )


def test_not_raised_inside_the_grace_window(schedule):
    assert services.missing_data_raise(now=DUE + timedelta(hours=2, minutes=59)) == 0
    assert not TriageResult.objects.filter(kind="missing").exists()


def test_raised_once_after_the_grace_window_however_often_the_job_runs(schedule):
    now = DUE + timedelta(hours=3, minutes=1)
    assert services.missing_data_raise(now=now) == 1
    assert services.missing_data_raise(now=now) == 0
    assert services.missing_data_raise(now=now + timedelta(minutes=5)) == 0
    alarm = TriageResult.objects.get(kind="missing")
    assert alarm.due_at == DUE
    assert alarm.severity == "missing"
    assert PatientTriage.objects.get(patient=schedule.patient).level == "missing"


def test_an_answer_in_time_raises_nothing(schedule):
    submit(schedule, DUE + timedelta(hours=1))
    assert services.missing_data_raise(now=DUE + timedelta(hours=4)) == 0


def test_no_alarm_while_paused(schedule):
    nurse = User.objects.create_user("nurse")
    PatientPause.objects.create(
        patient=schedule.patient,
        starts_at=DUE - timedelta(days=1),
        ends_at=DUE + timedelta(days=1),
        reason="Indlagt",
        created_by=nurse,
    )
    assert services.missing_data_raise(now=DUE + timedelta(hours=4)) == 0
    Patient.objects.filter(pk=schedule.patient_id).update(state=PatientState.PAUSED)
    assert services.missing_data_raise(now=DUE + timedelta(days=1, hours=4)) == 0


def test_a_late_answer_resolves_the_alarm(schedule):
    services.missing_data_raise(now=DUE + timedelta(hours=4))
    submit(schedule, DUE + timedelta(hours=5))
    alarm = TriageResult.objects.get(kind="missing")
    assert alarm.resolved_at is not None
    assert PatientTriage.objects.get(patient=schedule.patient).level == "green"
