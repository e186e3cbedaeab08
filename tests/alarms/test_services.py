"""Storing readings and submissions with their results; the triage summary; acknowledgement."""

from datetime import timedelta
from decimal import Decimal as D
from uuid import uuid4

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alarms import services
from alarms.models import PatientTriage, RelativeRule, Threshold, ThresholdSet, TriageResult
from alarms.outcomes import no_action_outcome
from monitoring.models import Measurement, MeasurementType, Source
from patients.models import CopdGroup, Organisation, Patient, PatientState, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def types():
    return {t.key: t for t in MeasurementType.objects.all()}


@pytest.fixture
def patient(types):
    org = Organisation.objects.create(name="Testby Kommune", kind="municipality", sor_code="T1")
    team = Team.objects.create(
        group=Group.objects.create(name="T1 team"), organisation=org, name="A"
    )
    patient = Patient.objects.create(
        cpr="0101501234",
        first_name="Karen",
        last_name="Jensen",
        copd_group=CopdGroup.MODERATE,
        state=PatientState.ACTIVE,
        monitoring_team=team,
    )
    limits = ThresholdSet.objects.create(
        kind=ThresholdSet.Kind.PATIENT,
        patient=patient,
        version=1,
        valid_from=timezone.now() - timedelta(days=30),
    )
    Threshold.objects.create(threshold_set=limits, type=types["spo2"], red_low=85, yellow_low=88)
    Threshold.objects.create(
        threshold_set=limits, type=types["pulse"], yellow_high=110, red_high=130
    )
    RelativeRule.objects.create(
        threshold_set=limits,
        type=types["weight"],
        direction="rise",
        amount=2,
        window_days=3,
        baseline="lowest",
        severity="red",
    )
    return patient


@pytest.fixture
def nurse():
    return User.objects.create_user("nurse", password="x")


def reading(types, key, value, ago=timedelta(0), uuid=None):
    return services.Reading(types[key], D(value), timezone.now() - ago, uuid)


def record(patient, readings, source=Source.DEVICE):
    return services.measurements_record(patient=patient, readings=readings, source=source)


def test_each_measurement_is_stored_with_its_result_and_snapshot(patient, types):
    batch = record(patient, [reading(types, "spo2", "86"), reading(types, "pulse", "90")])
    spo2, pulse = batch.measurements
    assert (spo2.severity, pulse.severity) == ("yellow", "green")
    result = TriageResult.objects.get(measurement=spo2)
    assert result.reasons[0]["code"] == "below_yellow"
    assert result.thresholds_snapshot["limits"]["yellow_low"] == "88.000"
    assert result.threshold_set.patient == patient


def test_a_threshold_edit_later_does_not_change_past_results(patient, types):
    record(patient, [reading(types, "spo2", "86")])
    Threshold.objects.filter(type=types["spo2"]).update(yellow_low=80, red_low=75)
    result = TriageResult.objects.get()
    assert result.severity == "yellow"
    assert result.thresholds_snapshot["limits"]["yellow_low"] == "88.000"


def test_retried_batch_is_stored_once(patient, types):
    readings = [
        reading(types, "spo2", "95", uuid=uuid4()),
        reading(types, "pulse", "80", uuid=uuid4()),
    ]
    assert len(record(patient, readings).measurements) == 2
    again = record(patient, readings)
    assert (len(again.measurements), again.duplicates) == (0, 2)
    assert Measurement.objects.count() == 2
    assert TriageResult.objects.count() == 2


def test_implausible_value_refuses_the_whole_batch(patient, types):
    with pytest.raises(services.ReadingError) as caught:
        record(patient, [reading(types, "pulse", "80"), reading(types, "spo2", "120")])
    assert (caught.value.code, caught.value.index) == ("implausible", 1)
    assert Measurement.objects.count() == 0


def test_future_measurement_is_refused(patient, types):
    with pytest.raises(services.ReadingError) as caught:
        record(patient, [reading(types, "spo2", "95", ago=-timedelta(hours=1))])
    assert caught.value.code == "future"


def test_relative_rule_uses_stored_history_and_earlier_readings_of_the_batch(patient, types):
    record(patient, [reading(types, "weight", "80.0", ago=timedelta(days=2))])
    batch = record(
        patient,
        [reading(types, "weight", "81.0", ago=timedelta(days=1)), reading(types, "weight", "82.1")],
    )
    assert [m.severity for m in batch.measurements] == ["green", "red"]


def test_batch_evaluation_takes_a_fixed_number_of_queries(patient, types):
    record(patient, [reading(types, "weight", "80")])
    counts = []
    for size in (2, 40):
        batch = [reading(types, "weight", "80.5", ago=timedelta(minutes=i)) for i in range(size)]
        with CaptureQueriesContext(connection) as queries:
            record(patient, batch)
        counts.append(len(queries))
    # Lock, thresholds, history, two inserts, the triage summary, the outbox: not per reading.
    assert counts[0] == counts[1] <= 16


def test_triage_summary_follows_results_and_acknowledgement(patient, types, nurse):
    record(patient, [reading(types, "pulse", "80", ago=timedelta(hours=2))])
    record(patient, [reading(types, "spo2", "86", ago=timedelta(hours=1))])
    record(patient, [reading(types, "spo2", "84")])
    triage = PatientTriage.objects.get(patient=patient)
    assert triage.level == "red"
    assert (triage.open_red, triage.open_yellow, triage.open_green) == (1, 1, 1)
    assert triage.latest["spo2"]["value"] == "84.000"
    assert triage.latest["spo2"]["severity"] == "red"

    red = TriageResult.objects.get(severity="red")
    services.result_acknowledge(
        result=red, user=nurse, outcome=no_action_outcome(None), note="Ringet op, har det bedre"
    )
    triage.refresh_from_db()
    assert triage.level == "yellow"
    assert triage.worst_result.severity == "yellow"

    assert (
        services.results_acknowledge_green(
            patient_ids=[patient.pk], user=nurse, outcome=no_action_outcome(None)
        )
        == 1
    )
    triage.refresh_from_db()
    assert (triage.open_green, triage.open_yellow) == (0, 1)
    call_command("triage_check")


def test_acknowledging_twice_is_refused(patient, types, nurse):
    record(patient, [reading(types, "spo2", "86")])
    result = TriageResult.objects.get()
    services.result_acknowledge(result=result, user=nurse, outcome=no_action_outcome(None))
    with pytest.raises(services.AcknowledgementError):
        services.result_acknowledge(result=result, user=nurse, outcome=no_action_outcome(None))


def test_undo_only_by_same_nurse_within_five_minutes(patient, types, nurse):
    record(patient, [reading(types, "spo2", "86")])
    result = TriageResult.objects.get()
    acked_at = timezone.now()
    services.result_acknowledge(
        result=result, user=nurse, outcome=no_action_outcome(None), note="ok", now=acked_at
    )
    other = User.objects.create_user("other")
    with pytest.raises(services.AcknowledgementError) as caught:
        services.result_acknowledge_undo(result=result, user=other)
    assert caught.value.code == "other_user"
    with pytest.raises(services.AcknowledgementError) as caught:
        services.result_acknowledge_undo(
            result=result, user=nurse, now=acked_at + timedelta(minutes=5, seconds=1)
        )
    assert caught.value.code == "too_late"
    undone = services.result_acknowledge_undo(
        result=result, user=nurse, now=acked_at + timedelta(minutes=4)
    )
    assert undone.acknowledged_at is None and undone.acknowledgement_note == ""
    assert PatientTriage.objects.get(patient=patient).level == "yellow"


def test_triage_check_detects_a_summary_that_drifted(patient, types):
    record(patient, [reading(types, "spo2", "84")])
    PatientTriage.objects.filter(patient=patient).update(level="green", level_rank=0)
    with pytest.raises(CommandError):
        call_command("triage_check")
    call_command("triage_check", "--fix")
    call_command("triage_check")
    assert PatientTriage.objects.get(patient=patient).level == "red"


def test_a_duplicate_that_slips_past_the_check_is_an_integrity_error(patient, types):
    """The COPY insert must fail like bulk_create would, so the device API's retry can see it."""
    from django.db import IntegrityError, transaction

    from monitoring.models import Measurement
    from telemed.db import bulk_copy

    stored = record(patient, [reading(types, "spo2", "95", uuid=uuid4())]).measurements[0]
    twin = Measurement(
        patient=patient,
        type=types["spo2"],
        value=D("95"),
        unit="%",
        measured_at=timezone.now(),
        source=stored.source,
        client_uuid=stored.client_uuid,
        severity="green",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_copy(Measurement, [twin])
    assert Measurement.objects.filter(client_uuid=stored.client_uuid).count() == 1
