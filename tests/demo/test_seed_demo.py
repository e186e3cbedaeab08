import hashlib
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Q

from alarms import reasons
from alarms.models import Escalation, PatientTriage, ThresholdSet, TriageResult
from demo import DEMO_LOGINS, DEMO_PASSWORD
from demo.seed import DemoResetRefused, demo_reset, demo_seed
from monitoring.models import Measurement, Questionnaire, Schedule, Submission
from patients import cpr
from patients.models import ClinicianProfile, Organisation, Patient, Team
from telemed.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 20, 14, 30, tzinfo=UTC)


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Organisation,
            Team,
            ClinicianProfile,
            Patient,
            Submission,
            Measurement,
            TriageResult,
            ThresholdSet,
            Schedule,
        )
    }


def fingerprint():
    cprs = sorted(Patient.objects.values_list("cpr", flat=True))
    values = Measurement.objects.order_by("patient__cpr", "type__key", "measured_at").values_list(
        "patient__cpr", "type__key", "measured_at", "value", "severity"
    )
    digest = hashlib.sha256(repr(list(values)).encode()).hexdigest()
    answers = Submission.objects.order_by("patient__cpr", "submitted_at").values_list(
        "patient__cpr", "submitted_at", "severity", "score"
    )
    return cprs, digest, hashlib.sha256(repr(list(answers)).encode()).hexdigest()


def test_seed_creates_a_plausible_evaluated_demo_once(client):
    result = demo_seed(now=NOW)
    assert result.created
    assert result.seconds < 60

    assert set(Organisation.objects.values_list("kind", flat=True)) == {
        "municipality",
        "hospital_department",
        "gp_clinic",
    }
    municipality = Organisation.objects.get(kind="municipality")
    assert municipality.teams.count() == 2
    roles = ClinicianProfile.objects.values("role").annotate(n=Count("pk"))
    assert {r["role"]: r["n"] for r in roles} == {"nurse": 6, "doctor": 4, "admin": 1}
    for team in Team.objects.all():
        assert 2 <= team.group.user_set.count() <= 3

    patients = Patient.objects.all()
    assert patients.count() == 200
    assert patients.filter(state="paused").exists()
    assert patients.filter(citizen_user__isnull=False).count() > 20
    assert not patients.filter(Q(monitoring_team=None) | Q(treating_doctor=None)).exists()
    for patient in patients:
        assert cpr.is_valid(patient.cpr, today=NOW.date())
        assert 50 <= patient.age(NOW.date()) <= 90
    assert ThresholdSet.objects.filter(kind="patient").count() == 200
    assert Schedule.objects.filter(questionnaire__code="kol").count() == 200

    # Every value within its type's plausible range and rounded to its decimals.
    outside = Measurement.objects.filter(
        Q(value__lt=F("type__plausible_min")) | Q(value__gt=F("type__plausible_max"))
    )
    assert not outside.exists()
    for value, decimals in Measurement.objects.values_list("value", "type__decimals").distinct():
        assert value == round(value, decimals)
    assert Measurement.objects.filter(type__key="spo2", value__lte=87).exists()
    assert not Measurement.objects.filter(measured_at__gt=NOW).exists()
    assert {"spo2", "pulse", "weight", "temperature", "crp", "cat_score"} <= set(
        Measurement.objects.values_list("type__key", flat=True).distinct()
    )

    # Evaluated: every measurement has a severity, every submission and standalone
    # measurement its result; older results are acknowledged, recent ones open.
    assert not Measurement.objects.filter(severity=None).exists()
    assert not Submission.objects.filter(triage_result=None).exists()
    assert not Measurement.objects.filter(submission=None, triage_result=None).exists()
    severities = set(TriageResult.objects.values_list("severity", flat=True))
    assert severities == {"green", "yellow", "red", "missing"}
    open_results = TriageResult.objects.filter(acknowledged_at=None, resolved_at=None)
    assert open_results.filter(severity="red").exists()
    assert TriageResult.objects.exclude(acknowledged_at=None).count() > open_results.count()
    # Every acknowledged result says what was done, and the outcomes vary as in real life.
    acknowledged = TriageResult.objects.exclude(acknowledged_at=None)
    assert not acknowledged.filter(outcome=None).exists()
    kinds = set(acknowledged.values_list("outcome__kind", flat=True))
    assert kinds == {"action", "no_action", "false_alarm"}
    # Two measurement errors are set aside, and reds that waited were escalated (sent).
    ignored = Measurement.objects.exclude(ignored_at=None)
    assert ignored.count() == 2 and set(ignored.values_list("ignore_reason", flat=True)) == {
        "measurement_error"
    }
    assert Escalation.objects.filter(state="sent").exists()
    # Missing-data reasons name the questionnaire in both languages (shown in the reader's).
    missing = TriageResult.objects.filter(kind="missing").first()
    assert missing is not None
    assert reasons.describe(missing.reasons[0], "en") == (
        "Expected COPD – daily questionnaire not received"
    )
    assert "dagligt spørgeskema" in reasons.describe(missing.reasons[0], "da")
    assert not Escalation.objects.exclude(result__severity="red").exists()
    cat = Submission.objects.filter(questionnaire__code="cat")
    assert cat.exists() and not cat.filter(score=None).exists()
    assert Questionnaire.objects.get(code="cat", status="published").submissions.count() > 1000

    # The triage summaries match the results they sum up, and the list has reds to show.
    call_command("triage_check")
    assert PatientTriage.objects.count() == 200
    assert PatientTriage.objects.filter(level="red").exists()

    # Idempotent.
    before = row_counts()
    again = demo_seed(now=NOW)
    assert not again.created
    assert row_counts() == before

    # The printed logins work.
    printed = {login.username for login in result.logins}
    assert printed == {username for _, username, _ in DEMO_LOGINS}
    for _, username, password in DEMO_LOGINS:
        assert password == DEMO_PASSWORD
        assert client.login(username=username, password=password), username
        client.logout()
    citizen = get_user_model().objects.get(username="citizen.001").patient
    nurse = get_user_model().objects.get(username="nurse.nord1")
    assert citizen.monitoring_team.group in nurse.groups.all()
    assert citizen.treating_doctor.username == "doctor.gp1"


def test_same_seed_gives_the_same_data():
    demo_seed(seed=7, patients=12, now=NOW)
    first = fingerprint()
    assert demo_reset() == 12
    assert row_counts()["Patient"] == 0
    demo_seed(seed=7, patients=12, now=NOW)
    assert fingerprint() == first
    demo_reset()
    demo_seed(seed=8, patients=12, now=NOW)
    assert fingerprint()[0] != first[0]


def test_reset_is_refused_once_the_audit_log_refers_to_the_demo():
    demo_seed(patients=3, now=NOW)
    patient = Patient.objects.first()
    AuditEvent.objects.create(patient=patient, action="view", what="patient overview")
    with pytest.raises(DemoResetRefused, match="audit log"):
        demo_reset()
    assert Patient.objects.count() == 3


def test_command_prints_logins_and_skips_the_second_time():
    out = StringIO()
    call_command("seed_demo", "--patients", "5", stdout=out)
    text = out.getvalue()
    assert "Demo data created" in text
    assert DEMO_PASSWORD in text
    for _, username, _ in DEMO_LOGINS:
        assert username in text
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already present" in out.getvalue()
    assert Patient.objects.count() == 5


def test_personas_log_in_with_the_known_password(
    client, password, nurse, other_nurse, doctor, citizen, outsider, org_admin
):
    assert password == "demo-password-1"
    for user in (nurse, other_nurse, doctor, citizen.citizen_user, outsider, org_admin):
        assert client.login(username=user.username, password=password), user.username
        client.logout()
    assert citizen.monitoring_team.group in nurse.groups.all()
    assert citizen.monitoring_team.group not in other_nurse.groups.all()
    assert citizen.treating_doctor == doctor
    assert doctor.clinician.organisation.kind == "gp_clinic"
    assert nurse.has_perm("patients.monitor_patient", citizen)
    assert not other_nurse.has_perm("patients.view_patient_data", citizen)
    assert doctor.has_perm("patients.change_thresholds", citizen)
    assert not outsider.has_perm("patients.view_patient_data", citizen)
    assert org_admin.clinician.role == "admin"


def test_seed_offers_the_kol_schedule_template_once_and_reset_removes_it():
    from monitoring.models import ScheduleTemplate

    demo_seed(patients=3, now=NOW)
    demo_seed(patients=3, now=NOW)  # already there: nothing more
    kol = ScheduleTemplate.objects.get(questionnaire_code="kol")
    assert kol.active and kol.organisation.kind == "municipality"
    assert ScheduleTemplate.objects.count() == 2
    demo_reset()
    assert not ScheduleTemplate.objects.exists()
