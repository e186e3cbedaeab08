"""Escalation of unacknowledged reds: raised once per result, delivered once per escalation."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F
from django.utils import timezone

from alarms.models import (
    Escalation,
    TriageResult,
)
from alarms.summary import OPEN
from monitoring.severity import Severity

ESCALATION_MAX_ATTEMPTS = 5


def escalations_raise(*, now: datetime | None = None) -> int:
    """Escalate every open red result that has waited longer than its organisation's limit
    (``Organisation.escalation_minutes``). Returns how many were new.

    Safe to run twice or in two workers at once: one Escalation per result (unique key).
    """
    now = now or timezone.now()
    waited = ExpressionWrapper(
        F("patient__monitoring_team__organisation__escalation_minutes") * timedelta(minutes=1),
        output_field=DurationField(),
    )
    overdue = list(
        TriageResult.objects.filter(
            OPEN,
            severity=Severity.RED,
            patient__monitoring_team__isnull=False,
        )
        .exclude(escalations__tier=Escalation.Tier.TEAM)
        .alias(deadline=ExpressionWrapper(F("created_at") + waited, output_field=DateTimeField()))
        .filter(deadline__lte=now)
        .values_list("pk", "patient_id")
    )
    if not overdue:
        return 0
    # A worker running at the same moment may insert some of these first: the unique result
    # key keeps one row per result and ignore_conflicts skips the rest.
    Escalation.objects.bulk_create(
        [Escalation(result_id=pk, patient_id=patient, created_at=now) for pk, patient in overdue],
        ignore_conflicts=True,
    )
    return len(overdue)


def _escalation_message(escalation: Escalation) -> tuple[str, str]:
    """Subject and body of the e-mail to the team (in Danish: the team's working language).

    No CPR number or clinical detail by e-mail: the nurse opens Telemed to see the patient.
    """
    patient = escalation.patient
    waited = escalation.created_at - escalation.result.created_at
    hours = int(waited.total_seconds() // 3600)
    minutes = int(waited.total_seconds() % 3600 // 60)
    team = patient.monitoring_team.name if patient.monitoring_team else "uden team"
    subject = f"Telemed: rød alarm ikke kvitteret ({team})"
    body = (
        f"En rød alarm for {patient.first_name} {patient.last_name[:1]}. har ventet "
        f"{hours} t {minutes} min uden kvittering.\n\n"
        "Åbn triagelisten i Telemed for at se patienten og kvittere.\n"
    )
    return subject, body


def escalation_deliver(*, escalation_id: int, now: datetime | None = None) -> bool:
    """Tell the patient's monitoring team, once: claim the row, send, mark it sent.

    Returns True when this call sent it. A row another worker holds, or that is already sent,
    is left alone; a failure puts it back to pending for the next run (at most
    ESCALATION_MAX_ATTEMPTS tries).
    """
    now = now or timezone.now()
    claimed = Escalation.objects.filter(pk=escalation_id, state=Escalation.State.PENDING).update(
        state=Escalation.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    escalation = Escalation.objects.select_related("patient__monitoring_team__group", "result").get(
        pk=escalation_id
    )
    team = escalation.patient.monitoring_team
    # A patient moved out of every team has no one to tell by e-mail; the red stays on top of
    # the triage list of whoever takes the patient over.
    recipients = (
        sorted(
            team.group.user_set.filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if team is not None
        else []
    )
    subject, body = _escalation_message(escalation)
    try:
        if recipients:
            send_mail(subject, body, None, recipients)
    except Exception as error:  # the mail server: try again on the next run
        give_up = escalation.attempts >= ESCALATION_MAX_ATTEMPTS
        Escalation.objects.filter(pk=escalation_id).update(
            state=Escalation.State.FAILED if give_up else Escalation.State.PENDING,
            last_error=str(error)[:500],
        )
        return False
    Escalation.objects.filter(pk=escalation_id).update(
        state=Escalation.State.SENT, sent_at=timezone.now(), recipients=recipients
    )
    return True


def escalations_run(*, now: datetime | None = None) -> int:
    """Raise what is overdue and deliver everything pending. Returns how many were sent."""
    escalations_raise(now=now)
    pending = Escalation.objects.filter(state=Escalation.State.PENDING).values_list("pk", flat=True)
    return sum(escalation_deliver(escalation_id=pk, now=now) for pk in list(pending))
