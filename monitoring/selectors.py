"""Reads of a patient's measurements and answers for the patient page: chart series, the
measurement table and the answers matrix. Each function is a fixed number of queries, whatever
the range (the chart page asserts it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch

from monitoring.models import (
    Answer,
    Measurement,
    MeasurementType,
    Questionnaire,
    QuestionnaireItem,
    Submission,
)

# Sort keys the measurement table offers (the URL carries the key, never a field name).
MEASUREMENT_ORDER = {
    "time": ("measured_at", "type__sort_order"),
    "-time": ("-measured_at", "type__sort_order"),
    "type": ("type__sort_order", "-measured_at"),
    "-type": ("-type__sort_order", "-measured_at"),
    "value": ("type__sort_order", "value", "-measured_at"),
    "-value": ("type__sort_order", "-value", "-measured_at"),
    "source": ("source", "-measured_at"),
    "-source": ("-source", "-measured_at"),
}


def measurement_types_of(*, patient_id: int) -> list[MeasurementType]:
    """The measurement types this patient has any value of, in display order (one query)."""
    has_values = Measurement.objects.filter(patient_id=patient_id, type_id=OuterRef("pk"))
    return list(MeasurementType.objects.filter(Exists(has_values)).order_by("sort_order", "code"))


def measurements_between(
    *,
    patient_id: int,
    since: datetime,
    until: datetime,
    type_ids: Sequence[int] | None = None,
    order: str = "time",
) -> list[Measurement]:
    """The patient's measurements with ``since <= measured_at < until``, with their type."""
    rows = Measurement.objects.filter(
        patient_id=patient_id, measured_at__gte=since, measured_at__lt=until
    ).defer("client_uuid")
    if type_ids is not None:
        rows = rows.filter(type_id__in=list(type_ids))
    found = list(rows.order_by(*MEASUREMENT_ORDER.get(order, MEASUREMENT_ORDER["time"])))
    # A handful of types for a year of values: attach them instead of joining per row.
    types = MeasurementType.objects.in_bulk({m.type_id for m in found})
    for measurement in found:
        measurement.type = types[measurement.type_id]
    return found


def submissions_between(*, patient_id: int, since: datetime, until: datetime) -> list[Submission]:
    """Submissions in the range, oldest first, with questionnaire, items and answers prefetched
    (four queries in all)."""
    items = QuestionnaireItem.objects.prefetch_related("options").order_by("position")
    return list(
        Submission.objects.filter(
            patient_id=patient_id, submitted_at__gte=since, submitted_at__lt=until
        )
        .select_related("questionnaire")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("option")),
            Prefetch(
                "questionnaire__items",
                queryset=items.only(
                    "id", "questionnaire_id", "position", "kind", "text_da", "text_en", "link_id"
                ),
            ),
        )
        .order_by("submitted_at")
    )


def questionnaires_of(submissions: Sequence[Submission]) -> list[Questionnaire]:
    """The distinct questionnaires of these submissions, in order of first appearance."""
    seen: dict[int, Questionnaire] = {}
    for submission in submissions:
        seen.setdefault(submission.questionnaire_id, submission.questionnaire)
    return list(seen.values())
