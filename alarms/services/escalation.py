"""Escalation of unacknowledged reds: raised once per result and tier, delivered exactly once.

Tier 1 tells the patient's monitoring team after ``Organisation.escalation_minutes``; tier 2
tells the organisation's second recipients (``second_escalation_team``, such as the on-call
doctors) a further ``second_escalation_minutes`` after tier 1, if the red is still open.

Delivery: the beat task (``alarms.tasks.run_escalations``) raises what is due, reclaims rows a
killed worker left in "sending", and queues one ``deliver_escalation`` task per escalation. Each
delivery claims its row with a conditional update (pending -> sending), so a task delivered
twice, or two workers at once, send one e-mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alarms.models import Escalation, TriageResult
from alarms.summary import OPEN, open_q
from monitoring.severity import Severity
from telemed import claimed_rows

ESCALATION_MAX_ATTEMPTS = 5

Tier = Escalation.Tier
State = Escalation.State


def _minutes(field: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) * timedelta(minutes=1), output_field=DurationField())


def reclaim_after() -> timedelta:
    """How long a row may stay in "sending" before it counts as lost (a killed worker)."""
    return timedelta(seconds=settings.ESCALATION_RECLAIM_SECONDS)


def escalations_raise(*, now: datetime | None = None) -> int:
    """Escalate every open red that waited past its organisation's limits, tier 1 and tier 2.
    Returns how many escalations were new.

    Safe to run twice or in two workers at once: one Escalation per result and tier (the
    unique key), and ignore_conflicts skips what another worker inserted first.
    """
    now = now or timezone.now()
    organisation = "patient__monitoring_team__organisation__"
    first = list(
        TriageResult.objects.filter(
            OPEN, severity=Severity.RED, patient__monitoring_team__isnull=False
        )
        .exclude(escalations__tier=Tier.TEAM)
        .alias(
            deadline=ExpressionWrapper(
                F("created_at") + _minutes(f"{organisation}escalation_minutes"),
                output_field=DateTimeField(),
            )
        )
        .filter(deadline__lte=now)
        .values_list("pk", "patient_id")
    )
    result = "result__patient__monitoring_team__organisation__"
    second = list(
        Escalation.objects.filter(
            open_q("result__"),
            tier=Tier.TEAM,
            result__severity=Severity.RED,
            **{
                f"{result}second_escalation_minutes__isnull": False,
                f"{result}second_escalation_team__isnull": False,
            },
        )
        .exclude(result__escalations__tier=Tier.SECOND)
        .alias(
            deadline=ExpressionWrapper(
                F("created_at") + _minutes(f"{result}second_escalation_minutes"),
                output_field=DateTimeField(),
            )
        )
        .filter(deadline__lte=now)
        .values_list("result_id", "patient_id")
    )
    rows = [
        Escalation(result_id=pk, patient_id=patient, tier=tier, created_at=now)
        for tier, due in ((Tier.TEAM, first), (Tier.SECOND, second))
        for pk, patient in due
    ]
    if rows:
        Escalation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def escalations_reclaim(*, now: datetime | None = None) -> int:
    """Put rows left in "sending" too long back to pending, so an escalation is never lost
    (telemed.claimed_rows.reclaim). Returns how many."""
    return claimed_rows.reclaim(
        Escalation,
        now=now or timezone.now(),
        after=reclaim_after(),
        max_attempts=ESCALATION_MAX_ATTEMPTS,
    )


def escalations_due(*, now: datetime | None = None) -> list[int]:
    """Raise, reclaim, and mark as queued the pending escalations that have no delivery task
    waiting. Returns their ids: the caller queues one delivery for each."""
    now = now or timezone.now()
    escalations_raise(now=now)
    escalations_reclaim(now=now)
    return claimed_rows.queue_pending(Escalation, now=now, after=reclaim_after())


def recipients_of(escalation: Escalation) -> dict[str, str]:
    """E-mail address -> language of the people told: the patient's team (tier 1) or the
    organisation's second recipients (tier 2). Active users with an address only."""
    team = escalation.patient.monitoring_team
    if team is not None and escalation.tier == Tier.SECOND:
        team = team.organisation.second_escalation_team
    # A patient moved out of every team has no one to tell by e-mail; the red stays on top of
    # the triage list of whoever takes the patient over.
    if team is None:
        return {}
    people = (
        team.group.user_set.filter(is_active=True)
        .exclude(email="")
        .values_list("email", "clinician__language")
    )
    return {email: language or "da" for email, language in sorted(people)}


def _message_in(escalation: Escalation, language: str) -> tuple[str, str]:
    patient = escalation.patient
    waited = escalation.created_at - escalation.result.created_at
    with translation.override(language):
        details = {
            "who": f"{patient.first_name} {patient.last_name[:1]}.",
            "team": patient.monitoring_team.name if patient.monitoring_team else _("no team"),
            "hours": int(waited.total_seconds() // 3600),
            "minutes": int(waited.total_seconds() % 3600 // 60),
        }
        if escalation.tier == Tier.SECOND:
            subject = _("Telemed: red alarm still not acknowledged after escalation (%(team)s)")
            body = _(
                "A red alarm for %(who)s has waited %(hours)s h %(minutes)s min without "
                "acknowledgement, also after %(team)s was told.\n\n"
                "Open Telemed to see the patient, or contact the team."
            )
        else:
            subject = _("Telemed: red alarm not acknowledged (%(team)s)")
            body = _(
                "A red alarm for %(who)s has waited %(hours)s h %(minutes)s min without "
                "acknowledgement.\n\n"
                "Open the triage list in Telemed to see the patient and acknowledge."
            )
        return subject % details, body % details + "\n"


def _escalation_message(escalation: Escalation, languages: set[str]) -> tuple[str, str]:
    """Subject and body of the one e-mail, in the recipients' language: Danish unless all of
    them read English; both (Danish first) when they differ.

    No CPR number or clinical detail by e-mail: the nurse opens Telemed to see the patient.
    """
    if languages == {"en"}:
        return _message_in(escalation, "en")
    subject, body = _message_in(escalation, "da")
    if "en" in languages:
        english_subject, english_body = _message_in(escalation, "en")
        body = f"{body}\n---\n{english_subject}\n\n{english_body}"
    return subject, body


def escalation_deliver(*, escalation_id: int, now: datetime | None = None) -> bool:
    """Tell the recipients, once: claim the row, send, mark it sent.

    Returns True when this call sent it. A row another worker holds, or that is already sent,
    is left alone; a failure puts it back to pending for the next run (at most
    ESCALATION_MAX_ATTEMPTS tries). The mail server gets EMAIL_TIMEOUT seconds.
    """
    now = now or timezone.now()
    if not claimed_rows.claim(Escalation, escalation_id, now=now):
        return False
    escalation = Escalation.objects.select_related(
        "patient__monitoring_team__group",
        "patient__monitoring_team__organisation__second_escalation_team__group",
        "result",
    ).get(pk=escalation_id)
    people = recipients_of(escalation)
    recipients = list(people)
    subject, body = _escalation_message(escalation, set(people.values()))
    try:
        if recipients:
            send_mail(subject, body, None, recipients)
    except Exception as error:  # the mail server (refused, timed out): try again next run
        claimed_rows.release_failed(
            Escalation,
            escalation_id,
            attempts=escalation.attempts,
            max_attempts=ESCALATION_MAX_ATTEMPTS,
            error=error,
        )
        return False
    Escalation.objects.filter(pk=escalation_id).update(
        state=State.SENT, sent_at=timezone.now(), recipients=recipients, last_error=""
    )
    return True


def escalations_run(*, now: datetime | None = None) -> int:
    """Raise what is due and deliver it in this process (tests, a management shell). The
    worker path is the beat task, which queues one delivery task per escalation instead.
    Returns how many were sent."""
    return sum(escalation_deliver(escalation_id=pk, now=now) for pk in escalations_due(now=now))
