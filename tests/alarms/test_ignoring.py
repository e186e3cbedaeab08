"""Ignore a measurement or a result with a reason: kept, no longer an alarm, undoable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alarms.models import Claim, PatientTriage, RelativeRule, TriageResult
from alarms.services import claim_take, submission_record
from alarms.services.ignoring import IgnoreError, ignore, ignore_undo
from monitoring.models import Measurement
from tests.factories import (
    ScheduleFactory,
    measurement_type,
    monitored_patient,
    questionnaire,
    record_reading,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(team):
    return monitored_patient(team, first_name="Inge", last_name="Ignorsen")


def triage(patient) -> PatientTriage:
    return PatientTriage.objects.get(patient=patient)


def test_ignoring_a_red_measurement_closes_its_result_and_the_claim(patient, nurse):
    record_reading(patient, "spo2", "95", ago=timedelta(hours=1))
    batch = record_reading(patient, "spo2", "62")  # finger not in the oximeter
    [measurement] = batch.measurements
    assert triage(patient).level == "red" and triage(patient).open_red == 1

    ignore(target=measurement, user=nurse, reason="measurement_error")

    measurement.refresh_from_db()
    result = TriageResult.objects.get(measurement=measurement)
    assert measurement.ignore_reason == result.ignore_reason == "measurement_error"
    assert measurement.ignored_by == result.ignored_by == nurse
    assert measurement.value == 62 and measurement.severity == "red"  # kept as it was
    assert not result.is_open and result.acknowledged_at is None
    summary = triage(patient)
    assert summary.open_red == 0 and summary.level == "green"
    assert summary.latest["spo2"]["value"] == "95.000"  # the ignored value is not the latest


def test_ignoring_the_last_open_result_ends_the_claim(patient, nurse):
    [measurement] = record_reading(patient, "spo2", "62").measurements
    claim_take(patient=patient, user=nurse)
    ignore(target=measurement, user=nurse, reason="measurement_error")
    assert not Claim.objects.filter(ended_at__isnull=True).exists()


def test_undo_opens_the_result_again(patient, nurse):
    [measurement] = record_reading(patient, "spo2", "62").measurements
    result = TriageResult.objects.get(measurement=measurement)
    ignore(target=result, user=nurse, reason="device_fault")  # from the result: the pair too
    measurement.refresh_from_db()
    assert measurement.ignore_reason == "device_fault"

    ignore_undo(target=measurement, user=nurse)

    result.refresh_from_db()
    measurement.refresh_from_db()
    assert result.is_open and measurement.ignored_at is None and result.ignore_reason == ""
    assert triage(patient).open_red == 1


def test_refusals_change_nothing(patient, nurse, colleague):
    [measurement] = record_reading(patient, "spo2", "62").measurements
    with pytest.raises(IgnoreError) as no_reason:
        ignore(target=measurement, user=nurse, reason="")
    assert no_reason.value.code == "reason"
    with pytest.raises(IgnoreError):
        ignore(target=measurement, user=nurse, reason="because")
    assert Measurement.objects.get(pk=measurement.pk).ignored_at is None
    with pytest.raises(IgnoreError) as not_ignored:
        ignore_undo(target=measurement, user=nurse)
    assert not_ignored.value.code == "not_ignored"

    ignore(target=measurement, user=nurse, reason="duplicate")
    with pytest.raises(IgnoreError) as twice:
        ignore(target=measurement, user=colleague, reason="device_fault")
    assert twice.value.code == "already_ignored"
    measurement.refresh_from_db()
    assert measurement.ignored_by == nurse and measurement.ignore_reason == "duplicate"


def test_a_missing_data_alarm_is_not_ignored(patient, nurse):
    missing = TriageResult.objects.create(
        patient=patient,
        kind=TriageResult.Kind.MISSING,
        severity="missing",
        schedule=ScheduleFactory(patient=patient),
        due_at=timezone.now(),
    )
    with pytest.raises(IgnoreError) as refused:
        ignore(target=missing, user=nurse, reason="duplicate")
    assert refused.value.code == "missing"


def test_a_duplicate_submission_is_ignored_without_touching_its_measurements(patient, nurse):
    kol = questionnaire("kol")
    submission = submission_record(
        patient=patient,
        questionnaire=kol,
        answers=[],
        readings=[],
        submitted_at=timezone.now(),
        submitted_by=None,
    )
    result = submission.triage_result
    ignore(target=result, user=nurse, reason="duplicate")
    result.refresh_from_db()
    assert result.ignore_reason == "duplicate" and not result.is_open


def test_an_ignored_value_is_no_part_of_a_relative_rule_baseline(patient, nurse):
    """Weight: red on a rise of 2 kg within 3 days from the lowest value. A 75 kg reading
    (someone else on the scale) would make 79 kg look like a 4 kg rise."""
    threshold_set = patient.threshold_sets.get()
    RelativeRule.objects.create(
        threshold_set=threshold_set,
        type=measurement_type("weight"),
        direction="rise",
        amount=2,
        window_days=3,
        baseline="lowest",
        severity="red",
    )
    record_reading(patient, "weight", "78.5", ago=timedelta(days=2))
    [wrong] = record_reading(patient, "weight", "75.0", ago=timedelta(days=1)).measurements
    ignore(target=wrong, user=nurse, reason="measurement_error")
    [today] = record_reading(patient, "weight", "79.0").measurements
    assert today.severity == "green"
    ignore_undo(target=wrong, user=nurse)
    [again] = record_reading(patient, "weight", "79.1", ago=timedelta(minutes=-1)).measurements
    assert again.severity == "red"  # counted again: 75.0 is the baseline once more
