"""Writes for patient notes (notater) and their reminders."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from alarms.models import PatientNote
from patients.models import Patient


class NoteError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@transaction.atomic
def note_add(
    *,
    patient: Patient,
    author: User,
    text: str,
    importance: str = PatientNote.Importance.NORMAL,
    remind_on: date | None = None,
    now: datetime | None = None,
) -> PatientNote:
    """Add a note; with ``remind_on`` the patient returns to the triage list on that day."""
    text = text.strip()
    if not text:
        raise NoteError("empty", "A note needs text.")
    if importance not in PatientNote.Importance.values:
        raise NoteError("importance", f"Unknown importance {importance!r}.")
    return PatientNote.objects.create(
        patient=patient,
        author=author,
        text=text,
        importance=importance,
        remind_on=remind_on,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def note_mark_done(*, note: PatientNote, user: User, now: datetime | None = None) -> PatientNote:
    """Mark a note (and its reminder) done; a second call changes nothing."""
    PatientNote.objects.filter(pk=note.pk, done_at__isnull=True).update(
        done_at=now or timezone.now(), done_by=user
    )
    note.refresh_from_db()
    return note
