""" "I'm on it": claiming a patient's open results so the team sees who handles them.

At most one claim is in force per patient (a partial unique key); a claim past ``expires_at``
counts as ended and is closed as expired by the next write. Every write takes the patient lock
that result changes take, so a claim and an acknowledgement cannot cross.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from alarms.models import Claim, TriageResult
from alarms.services.triage import lock_patients
from alarms.summary import OPEN
from patients.models import Patient

DEFAULT_CLAIM_MINUTES = 60


class ClaimError(ValueError):
    """A claim that could not be made or ended; ``claim`` is the one in force, if any."""

    def __init__(self, code: str, message: str, claim: Claim | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.claim = claim


def in_force(now: datetime | None = None) -> Q:
    """Claims that still hold at ``now``."""
    return Q(ended_at__isnull=True, expires_at__gt=now or timezone.now())


def claims_in_force(patient_ids: Iterable[int], *, now: datetime | None = None) -> QuerySet[Claim]:
    """The claim in force of each of these patients (at most one each), with the nurse."""
    return Claim.objects.filter(in_force(now), patient_id__in=list(patient_ids)).select_related(
        "claimed_by"
    )


def _claim_minutes(patient: Patient) -> int:
    """The organisation's claim time (one query; the default for a patient without a team)."""
    minutes = (
        Patient.objects.filter(pk=patient.pk)
        .values_list("monitoring_team__organisation__claim_minutes", flat=True)
        .first()
    )
    return minutes if minutes is not None else DEFAULT_CLAIM_MINUTES


def _close_expired(patient_id: int, now: datetime) -> None:
    Claim.objects.filter(patient_id=patient_id, ended_at__isnull=True, expires_at__lte=now).update(
        ended_at=now, end=Claim.End.EXPIRED
    )


@transaction.atomic
def claim_take(
    *, patient: Patient, user: User, take_over: bool = False, now: datetime | None = None
) -> Claim:
    """Claim the patient's open results for ``user``.

    Claiming again renews one's own claim. A colleague's claim in force is refused
    (``ClaimError("claimed")``) unless ``take_over`` is set, which ends it as taken over.
    Nothing open to handle: refused with ``ClaimError("nothing_open")``.
    """
    now = now or timezone.now()
    lock_patients([patient.pk])
    _close_expired(patient.pk, now)
    if not patient.triage_results.filter(OPEN).exists():
        raise ClaimError("nothing_open", "There are no open results to claim.")
    current = Claim.objects.filter(patient=patient, ended_at__isnull=True).first()
    expires_at = now + timedelta(minutes=_claim_minutes(patient))
    if current is not None and current.claimed_by_id == user.pk:
        current.expires_at = expires_at
        current.save(update_fields=["expires_at"])
        return current
    if current is not None:
        if not take_over:
            raise ClaimError("claimed", "A colleague is already on it.", current)
        Claim.objects.filter(pk=current.pk).update(
            ended_at=now, ended_by=user, end=Claim.End.TAKEN_OVER
        )
    try:
        with transaction.atomic():
            return Claim.objects.create(
                patient=patient, claimed_by=user, claimed_at=now, expires_at=expires_at
            )
    except IntegrityError as error:  # pragma: no cover - the patient lock serialises claims
        raise ClaimError("claimed", "A colleague is already on it.") from error


@transaction.atomic
def claim_release(*, patient: Patient, user: User, now: datetime | None = None) -> None:
    """End one's own claim. A colleague's claim is ended only by taking it over."""
    now = now or timezone.now()
    lock_patients([patient.pk])
    ended = Claim.objects.filter(in_force(now), patient=patient, claimed_by=user).update(
        ended_at=now, ended_by=user, end=Claim.End.RELEASED
    )
    if not ended:
        raise ClaimError("not_yours", "You have no claim on this patient to release.")


def claims_end_when_handled(
    *, patient_ids: Iterable[int], user: User, now: datetime | None = None
) -> int:
    """End the claims of patients with nothing open any more (call inside the acknowledging
    transaction, after the change, with the patients locked). One statement; returns how many
    ended."""
    still_open = TriageResult.objects.filter(OPEN, patient_id=OuterRef("patient_id"))
    return (
        Claim.objects.filter(ended_at__isnull=True, patient_id__in=list(patient_ids))
        .filter(~Exists(still_open))
        .update(ended_at=now or timezone.now(), ended_by=user, end=Claim.End.ACKNOWLEDGED)
    )
