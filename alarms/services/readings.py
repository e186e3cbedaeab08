"""Storing readings (measurements and questionnaire submissions) with their evaluated results.

A measurement or a submission is evaluated in the transaction that stores it, so a reading is
never visible without its result. Batches are set-based: a fixed number of queries whatever the
number of readings (thresholds in force, history for relative rules, one insert per table).
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from alarms import evaluation, signals
from alarms.models import (
    RelativeRule,
    Threshold,
    ThresholdSet,
    TriageResult,
)
from alarms.services.triage import lock_patients, triage_refresh
from monitoring.models import (
    Answer,
    ItemOption,
    Measurement,
    MeasurementType,
    Questionnaire,
    QuestionnaireItem,
    Schedule,
    Source,
    Submission,
)
from patients.models import Patient
from telemed.db import bulk_copy


class ReadingError(ValueError):
    """A reading that cannot be stored; ``code`` names the rule for a translated message."""

    def __init__(self, code: str, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.index = index


@dataclass(frozen=True)
class Reading:
    type: MeasurementType
    value: Decimal
    measured_at: datetime
    client_uuid: uuid.UUID | None = None


@dataclass(frozen=True)
class AnswerInput:
    item: QuestionnaireItem
    option: ItemOption | None = None
    value_number: Decimal | None = None
    value_text: str = ""


@dataclass
class RecordedBatch:
    measurements: list[Measurement]
    results: list[TriageResult] = field(default_factory=list)
    duplicates: int = 0


def type_info(measurement_type: MeasurementType) -> evaluation.TypeInfo:
    # Stored reasons are written in Danish whatever the request's language (alarms/reasons.py
    # shows them in the reader's language by the type key).
    return evaluation.TypeInfo(
        key=measurement_type.key,
        short_name=measurement_type.short_name_da,
        unit=measurement_type.display_unit_da,
        decimals=measurement_type.decimals,
    )


def limits_of(threshold: Threshold) -> evaluation.Limits:
    return evaluation.Limits(
        red_low=threshold.red_low,
        yellow_low=threshold.yellow_low,
        yellow_high=threshold.yellow_high,
        red_high=threshold.red_high,
    )


def rule_of(rule: RelativeRule) -> evaluation.RelativeRule:
    return evaluation.RelativeRule(
        direction=rule.direction,
        amount=rule.amount,
        window_days=rule.window_days,
        baseline=rule.baseline,
        severity=rule.severity,
    )


class ThresholdTimeline:
    """The patient's threshold sets ordered by ``valid_from``: which set was in force when."""

    def __init__(self, sets: Sequence[ThresholdSet]) -> None:
        self.sets = sorted(sets, key=lambda s: (s.valid_from, s.version))
        self._starts = [s.valid_from for s in self.sets]

    @classmethod
    def for_patient(cls, patient_id: int) -> ThresholdTimeline:
        sets = ThresholdSet.objects.filter(
            kind=ThresholdSet.Kind.PATIENT, patient_id=patient_id
        ).prefetch_related(
            Prefetch("thresholds", queryset=Threshold.objects.all()),
            Prefetch("relative_rules", queryset=RelativeRule.objects.all()),
        )
        return cls(list(sets))

    def in_force(self, moment: datetime) -> ThresholdSet | None:
        position = bisect_right(self._starts, moment)
        return self.sets[position - 1] if position else None

    def rules_for(self, moment: datetime, type_id: int) -> tuple[Threshold | None, list]:
        current = self.in_force(moment)
        if current is None:
            return None, []
        threshold = next((t for t in current.thresholds.all() if t.type_id == type_id), None)
        rules = [r for r in current.relative_rules.all() if r.type_id == type_id]
        return threshold, rules

    def max_window_days(self, type_ids: set[int]) -> dict[int, int]:
        windows: dict[int, int] = {}
        for threshold_set in self.sets:
            for rule in threshold_set.relative_rules.all():
                if rule.type_id in type_ids:
                    windows[rule.type_id] = max(windows.get(rule.type_id, 0), rule.window_days)
        return windows


def _history(
    patient_id: int, readings: Sequence[Reading], windows: dict[int, int]
) -> dict[int, list[tuple[datetime, Decimal]]]:
    """Earlier values for the types that have relative rules, in one query. Ignored values
    (a measurement error, a duplicate, a device fault) are no part of any baseline."""
    if not windows:
        return {}
    earliest = min(r.measured_at for r in readings if r.type.pk in windows)
    since = earliest - timedelta(days=max(windows.values()))
    latest = max(r.measured_at for r in readings)
    rows = Measurement.objects.filter(
        patient_id=patient_id,
        type_id__in=list(windows),
        measured_at__gte=since,
        measured_at__lte=latest,
        ignored_at__isnull=True,
    ).values_list("type_id", "measured_at", "value")
    history: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    for type_id, measured_at, value in rows:
        history[type_id].append((measured_at, value))
    return history


def _check_reading(reading: Reading, index: int, now: datetime) -> None:
    if not reading.type.is_plausible(reading.value):
        raise ReadingError(
            "implausible",
            f"{reading.type.short_name} {reading.value} is outside the plausible range "
            f"{reading.type.plausible_min}–{reading.type.plausible_max}",
            index,
        )
    if reading.measured_at > now + timedelta(minutes=5):
        raise ReadingError("future", "The measurement time is in the future.", index)


def evaluate_readings(
    *, patient_id: int, readings: Sequence[Reading], timeline: ThresholdTimeline | None = None
) -> list[evaluation.Result]:
    """Evaluate readings (not yet stored) against the thresholds in force when each was taken.

    Readings in the same batch count as history for later readings of the same type.
    """
    timeline = timeline or ThresholdTimeline.for_patient(patient_id)
    windows = timeline.max_window_days({r.type.pk for r in readings})
    history = _history(patient_id, readings, windows)
    # Readings of the batch join the stored history of their type, in time order.
    for reading in readings:
        if reading.type.pk in windows:
            history.setdefault(reading.type.pk, []).append((reading.measured_at, reading.value))
    for values in history.values():
        values.sort(key=lambda pair: pair[0])

    results = []
    for reading in readings:
        threshold, rules = timeline.rules_for(reading.measured_at, reading.type.pk)
        results.append(
            evaluation.evaluate_measurement(
                value=reading.value,
                measured_at=reading.measured_at,
                info=type_info(reading.type),
                limits=limits_of(threshold) if threshold is not None else None,
                rules=[rule_of(rule) for rule in rules],
                # baseline_of only looks strictly before measured_at, so the reading itself
                # (present in the list) is not part of its own baseline.
                history=history.get(reading.type.pk, ()),
            )
        )
    return results


def snapshot_with_set(result: evaluation.Result, threshold_set: ThresholdSet | None) -> dict:
    snapshot = dict(result.snapshot)
    if threshold_set is not None:
        snapshot["threshold_set"] = {"id": threshold_set.pk, "version": threshold_set.version}
    return snapshot


@transaction.atomic
def measurements_record(
    *,
    patient: Patient,
    readings: Sequence[Reading],
    source: str,
    device_id: str = "",
    received_at: datetime | None = None,
) -> RecordedBatch:
    """Store standalone measurements with one TriageResult each, all or nothing.

    Readings whose ``client_uuid`` was already stored from this source are skipped (a retrying
    device); the batch reports how many. Raises ReadingError naming the first bad reading.
    """
    now = received_at or timezone.now()
    for index, reading in enumerate(readings):
        _check_reading(reading, index, now)

    uuids = [r.client_uuid for r in readings if r.client_uuid is not None]
    seen = set(
        Measurement.objects.filter(source=source, client_uuid__in=uuids).values_list(
            "client_uuid", flat=True
        )
        if uuids
        else []
    )
    fresh = [r for r in readings if r.client_uuid is None or r.client_uuid not in seen]
    batch = RecordedBatch(measurements=[], duplicates=len(readings) - len(fresh))
    if not fresh:
        return batch

    lock_patients([patient.pk])
    timeline = ThresholdTimeline.for_patient(patient.pk)
    results = evaluate_readings(patient_id=patient.pk, readings=fresh, timeline=timeline)
    measurements = [
        Measurement(
            patient=patient,
            type=reading.type,
            value=reading.value,
            unit=reading.type.unit,
            measured_at=reading.measured_at,
            received_at=now,
            source=source,
            device_id=device_id,
            client_uuid=reading.client_uuid or uuid.uuid4(),
            severity=result.severity,
        )
        for reading, result in zip(fresh, results, strict=True)
    ]
    bulk_copy(Measurement, measurements)
    triage = []
    for reading, measurement, result in zip(fresh, measurements, results, strict=True):
        in_force = timeline.in_force(reading.measured_at)
        triage.append(
            TriageResult(
                patient=patient,
                kind=TriageResult.Kind.MEASUREMENT,
                measurement=measurement,
                severity=result.severity,
                reasons=result.reasons_as_dicts(),
                thresholds_snapshot=snapshot_with_set(result, in_force),
                threshold_set=in_force,
                created_at=now,
            )
        )
    bulk_copy(TriageResult, triage)
    triage_refresh(patient_ids=[patient.pk])
    signals.readings_recorded.send(
        sender=None,
        patient_id=patient.pk,
        measurement_ids=[m.pk for m in measurements],
        submission_id=None,
        result_ids=[r.pk for r in triage],
    )
    batch.measurements = measurements
    batch.results = triage
    return batch


def _answer_severity(answer: AnswerInput) -> str:
    if answer.option is not None:
        return answer.option.severity
    return evaluation.GREEN


def _answer_reason(answer: AnswerInput) -> evaluation.Reason:
    """The answer as a reason, with the question and option in Danish and English."""
    if answer.option is not None:
        given_da, given_en = answer.option.text_da, answer.option.text_en
    elif answer.value_number is not None:
        given_da = given_en = str(answer.value_number)
    else:
        given_da = given_en = answer.value_text
    return evaluation.answer_reason(
        _answer_severity(answer), answer.item.text_da, given_da, answer.item.text_en, given_en
    )


@transaction.atomic
def submission_record(
    *,
    patient: Patient,
    questionnaire: Questionnaire,
    answers: Sequence[AnswerInput],
    readings: Sequence[Reading] = (),
    submitted_at: datetime,
    source: str = Source.TYPED,
    submitted_by: User | None = None,
    schedule: Schedule | None = None,
    due_at: datetime | None = None,
    client_uuid: uuid.UUID | None = None,
    received_at: datetime | None = None,
) -> Submission:
    """Store a questionnaire response with its answers and measurements, evaluated as one.

    The response's severity is the worst of its answers and measurements; the score (CAT) is
    the sum of the option scores, stored as a measurement of the questionnaire's score type
    and judged against the patient's limits like any other value. A late response resolves the
    missing-data alarms of its schedule that were due before it. Idempotent on ``client_uuid``.
    """
    now = received_at or timezone.now()
    if client_uuid is not None:
        existing = Submission.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing

    scores = [
        a.option.score for a in answers if a.option is not None and a.option.score is not None
    ]
    score_type = questionnaire.score_type
    score = sum(scores) if scores and score_type is not None else None
    all_readings = list(readings)
    if score is not None and score_type is not None:
        all_readings.append(Reading(score_type, Decimal(score), submitted_at))
    for index, reading in enumerate(all_readings):
        _check_reading(reading, index, now)

    lock_patients([patient.pk])
    timeline = ThresholdTimeline.for_patient(patient.pk)
    measurement_results = (
        evaluate_readings(patient_id=patient.pk, readings=all_readings, timeline=timeline)
        if all_readings
        else []
    )
    answer_results = [
        evaluation.Result(
            severity=_answer_severity(answer),
            reasons=[_answer_reason(answer)],
            snapshot={},
        )
        for answer in answers
    ]
    combined = evaluation.combine(answer_results + measurement_results)

    submission = Submission.objects.create(
        patient=patient,
        questionnaire=questionnaire,
        schedule=schedule,
        due_at=due_at,
        submitted_at=submitted_at,
        received_at=now,
        source=source,
        client_uuid=client_uuid or uuid.uuid4(),
        submitted_by=submitted_by,
        score=score,
        severity=combined.severity,
    )
    Answer.objects.bulk_create(
        Answer(
            submission=submission,
            item=answer.item,
            option=answer.option,
            value_number=answer.value_number,
            value_text=answer.value_text,
            severity=result.severity,
        )
        for answer, result in zip(answers, answer_results, strict=True)
    )
    embedded = Measurement.objects.bulk_create(
        Measurement(
            patient=patient,
            type=reading.type,
            value=reading.value,
            unit=reading.type.unit,
            measured_at=reading.measured_at,
            received_at=now,
            source=source,
            client_uuid=reading.client_uuid or uuid.uuid4(),
            submission=submission,
            severity=result.severity,
        )
        for reading, result in zip(all_readings, measurement_results, strict=True)
    )
    in_force = timeline.in_force(submitted_at)
    result = TriageResult.objects.create(
        patient=patient,
        kind=TriageResult.Kind.SUBMISSION,
        submission=submission,
        severity=combined.severity,
        reasons=combined.reasons_as_dicts(),
        thresholds_snapshot=snapshot_with_set(combined, in_force),
        threshold_set=in_force,
        created_at=now,
    )
    if schedule is not None:
        TriageResult.objects.filter(
            kind=TriageResult.Kind.MISSING,
            schedule=schedule,
            due_at__lte=submitted_at,
            resolved_at__isnull=True,
        ).update(resolved_at=now)
    triage_refresh(patient_ids=[patient.pk])
    signals.readings_recorded.send(
        sender=None,
        patient_id=patient.pk,
        measurement_ids=[m.pk for m in embedded],
        submission_id=submission.pk,
        result_ids=[result.pk],
    )
    return submission
