"""Ignore a measurement or a result with a reason (measurement error, duplicate, device fault).

Nothing is deleted: the row keeps its value and is shown struck through with the reason. An
ignored measurement is left out of the chart's alarm colours and of the baselines of relative
rules; an ignored result is no longer open (it leaves the triage list and ends a claim when it
was the last). A measurement with its own result (a device reading, a value typed alone) is
ignored together with that result, in both directions. Undoing clears the three fields and
opens the result again if nobody had acknowledged it.

Each change takes the patient lock and is a conditional update, so two nurses clicking at once
change it once; the other gets a clear refusal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from alarms.models import TriageResult
from alarms.services.claims import claims_end_when_handled
from alarms.services.triage import lock_patients, triage_refresh
from monitoring.models import IgnoreReason, Measurement


class IgnoreError(Exception):
    """Refused: ``code`` is "reason" (no valid reason), "already_ignored", "not_ignored" or
    "missing" (a missing-data alarm is acknowledged, not ignored)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


Target = Measurement | TriageResult


def _pair(target: Target) -> tuple[Measurement | None, TriageResult | None]:
    """The measurement and the result that are ignored together."""
    if isinstance(target, Measurement):
        return target, TriageResult.objects.filter(measurement=target).first()
    if target.kind == TriageResult.Kind.MISSING:
        raise IgnoreError("missing", "A missing-data alarm is acknowledged, not ignored.")
    measurement = target.measurement if target.kind == TriageResult.Kind.MEASUREMENT else None
    return measurement, target


def _refresh(patient_id: int, user: User, now: datetime) -> None:
    triage_refresh(patient_ids=[patient_id])
    claims_end_when_handled(patient_ids=[patient_id], user=user, now=now)


def _set_pair(target: Target, fields: dict[str, Any], *, ignored: bool) -> bool:
    """Write ``fields`` on ``target`` if it is (not) ignored now, then on its pair. Returns
    whether ``target`` changed (the conditional update: two clicks change it once)."""
    measurement, result = _pair(target)
    changed = (
        type(target).objects.filter(pk=target.pk, ignored_at__isnull=not ignored).update(**fields)
    )
    if changed:
        for other in (measurement, result):
            if other is not None and type(other) is not type(target):
                type(other).objects.filter(pk=other.pk).update(**fields)
    return bool(changed)


@transaction.atomic
def ignore(*, target: Target, user: User, reason: str, now: datetime | None = None) -> None:
    """Set ``target`` (and its pair) aside with ``reason`` (an ``IgnoreReason`` value)."""
    if reason not in IgnoreReason.values:
        raise IgnoreError("reason", "Choose why it is ignored.")
    now = now or timezone.now()
    lock_patients([target.patient_id])
    fields = {"ignored_at": now, "ignored_by": user, "ignore_reason": reason}
    if not _set_pair(target, fields, ignored=False):
        raise IgnoreError("already_ignored", "This is already ignored.")
    _refresh(target.patient_id, user, now)


@transaction.atomic
def ignore_undo(*, target: Target, user: User, now: datetime | None = None) -> None:
    """Count ``target`` (and its pair) again; an unacknowledged result is open again."""
    lock_patients([target.patient_id])
    fields = {"ignored_at": None, "ignored_by": None, "ignore_reason": ""}
    if not _set_pair(target, fields, ignored=True):
        raise IgnoreError("not_ignored", "This is not ignored.")
    _refresh(target.patient_id, user, now or timezone.now())
