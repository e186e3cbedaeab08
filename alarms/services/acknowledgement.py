"""Acknowledging results (kvittering), one or all green at once, and undoing it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from alarms.models import Outcome, TriageResult
from alarms.services.claims import claims_end_when_handled
from alarms.services.triage import lock_patients, triage_refresh
from alarms.summary import OPEN
from monitoring.severity import Severity

UNDO_WINDOW = timedelta(minutes=5)


class AcknowledgementError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@transaction.atomic
def result_acknowledge(
    *,
    result: TriageResult,
    user: User,
    outcome: Outcome,
    note: str = "",
    receipt_to_citizen: bool = False,
    note_to_citizen: bool = False,
    now: datetime | None = None,
) -> TriageResult:
    """Acknowledge one open result (kvittering) with what was done about it (``outcome``), an
    optional note, and optionally a receipt to the citizen that may show the note."""
    lock_patients([result.patient_id])
    updated = TriageResult.objects.filter(OPEN, pk=result.pk).update(
        acknowledged_at=now or timezone.now(),
        acknowledged_by=user,
        outcome=outcome,
        acknowledgement_note=note.strip(),
        receipt_to_citizen=receipt_to_citizen,
        note_to_citizen=receipt_to_citizen and note_to_citizen and bool(note.strip()),
    )
    if not updated:
        raise AcknowledgementError("not_open", "This result has already been acknowledged.")
    triage_refresh(patient_ids=[result.patient_id])
    claims_end_when_handled(patient_ids=[result.patient_id], user=user, now=now)
    result.refresh_from_db()
    return result


@transaction.atomic
def results_acknowledge_green(
    *,
    patient_ids: Iterable[int],
    user: User,
    outcome: Outcome,
    note: str = "",
    receipt_to_citizen: bool = False,
    now: datetime | None = None,
) -> int:
    """Acknowledge every open green result of these patients with one outcome (normally "no
    action"). Returns how many."""
    ids = sorted(set(patient_ids))
    lock_patients(ids)
    count = TriageResult.objects.filter(OPEN, patient_id__in=ids, severity=Severity.GREEN).update(
        acknowledged_at=now or timezone.now(),
        acknowledged_by=user,
        outcome=outcome,
        acknowledgement_note=note.strip(),
        receipt_to_citizen=receipt_to_citizen,
    )
    triage_refresh(patient_ids=ids)
    claims_end_when_handled(patient_ids=ids, user=user, now=now)
    return count


@transaction.atomic
def result_acknowledge_undo(
    *, result: TriageResult, user: User, now: datetime | None = None
) -> TriageResult:
    """Undo an acknowledgement: only by the nurse who made it, within five minutes. An
    acknowledgement of several results at once ("acknowledge all green") is undone as a whole:
    every result of the patient the nurse acknowledged at that same moment."""
    now = now or timezone.now()
    lock_patients([result.patient_id])
    result.refresh_from_db()
    if result.acknowledged_at is None:
        raise AcknowledgementError("not_acknowledged", "This result is not acknowledged.")
    if result.acknowledged_by_id != user.pk:
        raise AcknowledgementError(
            "other_user", "Only the person who acknowledged a result can undo it."
        )
    if now - result.acknowledged_at > UNDO_WINDOW:
        raise AcknowledgementError(
            "too_late", "An acknowledgement can only be undone within five minutes."
        )
    TriageResult.objects.filter(
        patient_id=result.patient_id,
        acknowledged_by=user,
        acknowledged_at=result.acknowledged_at,
    ).update(
        acknowledged_at=None,
        acknowledged_by=None,
        outcome=None,
        acknowledgement_note="",
        receipt_to_citizen=False,
        note_to_citizen=False,
    )
    triage_refresh(patient_ids=[result.patient_id])
    result.refresh_from_db()
    return result
