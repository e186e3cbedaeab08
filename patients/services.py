"""Writes for patients. Keyword-only, typed, one transaction each."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from patients.models import Patient, PatientState


@transaction.atomic
def patient_resume_ended_pauses(*, now: datetime | None = None) -> int:
    """Set paused patients back to active when no pause covers ``now``. Returns how many."""
    now = now or timezone.now()
    ended = (
        Patient.objects.filter(state=PatientState.PAUSED)
        .exclude(pauses__starts_at__lte=now, pauses__ends_at__gt=now)
        .select_for_update(skip_locked=True)
    )
    return Patient.objects.filter(pk__in=list(ended.values_list("pk", flat=True))).update(
        state=PatientState.ACTIVE
    )
