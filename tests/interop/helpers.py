"""Data builders for the interop tests: readings stored through the real services."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from alarms.services import AnswerInput, Reading, measurements_record, submission_record
from tests.factories import ThresholdFactory, ThresholdSetFactory, measurement_type, questionnaire


def with_spo2_limits(patient):
    thresholds = ThresholdSetFactory(kind="patient", patient=patient)
    ThresholdFactory(
        threshold_set=thresholds,
        type=measurement_type("spo2"),
        red_low=Decimal("85"),
        yellow_low=Decimal("88"),
    )
    return thresholds


def record_spo2(patient, values, *, days_ago: int = 2, source: str = "device"):
    start = timezone.now() - timedelta(days=days_ago)
    readings = [
        Reading(
            type=measurement_type("spo2"),
            value=Decimal(str(value)),
            measured_at=start + timedelta(minutes=10 * i),
            client_uuid=uuid.uuid4(),
        )
        for i, value in enumerate(values)
    ]
    return measurements_record(patient=patient, readings=readings, source=source, device_id="gw-1")


def record_kol_submission(patient):
    kol = questionnaire("kol")
    item = next(i for i in kol.items.all() if i.kind == "boolean")
    option = item.options.order_by("position").first()
    return submission_record(
        patient=patient,
        questionnaire=kol,
        answers=[AnswerInput(item=item, option=option)],
        readings=[Reading(measurement_type("pulse"), Decimal("80"), timezone.now())],
        submitted_at=timezone.now(),
        source="typed",
    )
