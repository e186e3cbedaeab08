"""The per-patient triage summary, recomputed inside every transaction that changes results.

Changes to a patient's results are serialised by locking the patient row first (in id order).
"""

from __future__ import annotations

from collections.abc import Iterable

from alarms import summary
from alarms.models import (
    PatientTriage,
)
from patients.models import Patient


def lock_patients(patient_ids: Iterable[int]) -> None:
    """Serialise result changes per patient (in id order, so two batches cannot deadlock)."""
    ids = sorted(set(patient_ids))
    if ids:
        list(Patient.objects.filter(pk__in=ids).order_by("pk").select_for_update().values("pk"))


def triage_refresh(*, patient_ids: Iterable[int]) -> None:
    """Recompute and store the triage summary of these patients (call inside the writing
    transaction, after the change)."""
    summaries = summary.compute(patient_ids)
    PatientTriage.objects.bulk_create(
        [PatientTriage(patient_id=pid, **s.as_fields()) for pid, s in summaries.items()],
        update_conflicts=True,
        unique_fields=["patient"],
        update_fields=[*summary.Summary().as_fields().keys(), "updated_at"],
    )
