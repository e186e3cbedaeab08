"""Rows that are sent once however many workers run: escalations and reminders.

Each such model has ``state`` (pending, sending, sent, failed, ...), ``claimed_at``,
``queued_at``, ``attempts`` and ``last_error``. A delivery claims its row with one conditional
UPDATE (pending -> sending), so of two workers holding the same id exactly one goes on; the beat
queues each pending row once (``queued_at``), and a row left in "sending" by a killed worker goes
back to pending after a while, so nothing is lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
INTERRUPTED = "Delivery interrupted (worker stopped); sent again."


def reclaim(
    model: type[models.Model], *, now: datetime, after: timedelta, max_attempts: int
) -> int:
    """Put rows left in "sending" longer than ``after`` back to pending (or failed after the
    last attempt). Returns how many.

    A worker killed while talking to the mail server or the SMS gateway sent nothing that was
    accepted, unless it died in the instant between "accepted" and marking the row sent: a
    second message is possible, a lost one is not.
    """
    return model._default_manager.filter(state=SENDING, claimed_at__lt=now - after).update(
        state=Case(
            When(attempts__gte=max_attempts, then=Value(FAILED)),
            default=Value(PENDING),
        ),
        queued_at=None,
        last_error=INTERRUPTED,
    )


def queue_pending(model: type[models.Model], *, now: datetime, after: timedelta) -> list[int]:
    """Mark as queued the pending rows that have no delivery task waiting (never queued, put
    back after a failure, or queued so long ago that the task was lost), and return their ids:
    the caller queues one delivery for each. Rows another beat is queueing are skipped."""
    with transaction.atomic():
        due = list(
            model._default_manager.filter(state=PENDING)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - after))
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        model._default_manager.filter(pk__in=due).update(queued_at=now)
    return due


def claim(model: type[models.Model], pk: int, *, now: datetime) -> bool:
    """Claim one row for delivery: True for exactly one caller while the row is pending."""
    return bool(
        model._default_manager.filter(pk=pk, state=PENDING).update(
            state=SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def release_failed(
    model: type[models.Model], pk: int, *, attempts: int, max_attempts: int, error: Exception
) -> None:
    """After a failed send: back to pending for the next run, or failed after the last try."""
    model._default_manager.filter(pk=pk, state=SENDING).update(
        state=FAILED if attempts >= max_attempts else PENDING,
        queued_at=None,
        last_error=str(error)[:500] or type(error).__name__,
    )
