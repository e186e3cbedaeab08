"""Reminders to citizens: raised once per occasion and reminder number, delivered once.

When: see notifications/timing.py (the deadline is the end of the grace window; one reminder
before it, then a few once overdue, by the organisation's ReminderPolicy). Who: patients in
state ACTIVE only, never for an occasion a monitoring pause covers, never for one already
answered (the missing-data rule, monitoring.occasions). How: the citizen's channel
(NotificationPreference, or e-mail / SMS / only her page by what is on file); "only her page"
sends nothing, the due banner on /me/ is always there.

Delivery, as escalations (alarms.services.escalation): the beat task
(``notifications.tasks.run_reminders``) raises what is due (one row per schedule, due time and
reminder number: the unique key, and ignore_conflicts skips what another worker inserted first),
reclaims rows a killed worker left in "sending", and queues one ``deliver_reminder`` task per
row. Each delivery claims its row with a conditional update (pending -> sending), so a task
delivered twice, or two workers at once, send one message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from monitoring import schedules
from monitoring.models import Schedule
from monitoring.occasions import OccasionFacts
from notifications import timing
from notifications.channels import DeliveryError, Message, channel_for
from notifications.models import Channel, NotificationPreference, Reminder, ReminderPolicy
from patients.models import Organisation, Patient, PatientState
from telemed import claimed_rows

REMINDER_MAX_ATTEMPTS = 3
# Occasions further back than this are never reminded of, whatever the policy says.
REMINDER_LOOKBACK = timedelta(days=2)

State = Reminder.State


def reclaim_after() -> timedelta:
    """How long a row may stay in "sending" before it counts as lost (a killed worker)."""
    return timedelta(seconds=settings.REMINDER_RECLAIM_SECONDS)


def timing_of(organisation: Organisation | None) -> timing.Timing | None:
    """The organisation's reminder times (the defaults without a policy); None when it has
    turned reminders off."""
    policy = None
    if organisation is not None:
        try:
            policy = organisation.reminder_policy
        except ReminderPolicy.DoesNotExist:
            policy = None
    if policy is None:
        return timing.Timing(
            minutes_before_deadline=ReminderPolicy.DEFAULT_MINUTES_BEFORE_DEADLINE,
            overdue_every_minutes=ReminderPolicy.DEFAULT_OVERDUE_EVERY_MINUTES,
            overdue_max_reminders=ReminderPolicy.DEFAULT_OVERDUE_MAX_REMINDERS,
        )
    if not policy.enabled:
        return None
    return timing.Timing(
        minutes_before_deadline=policy.minutes_before_deadline,
        overdue_every_minutes=policy.overdue_every_minutes,
        overdue_max_reminders=policy.overdue_max_reminders,
    )


def default_channel(patient: Patient) -> str:
    """E-mail if she has an address, else SMS if she has a phone number, else her page."""
    if channel_for(Channel.EMAIL).address_of(patient):
        return Channel.EMAIL
    if channel_for(Channel.SMS).address_of(patient):
        return Channel.SMS
    return Channel.WEB


def channel_of(patient: Patient) -> str:
    """The channel the citizen chose, or the default for what is on file."""
    try:
        return patient.notification_preference.channel
    except NotificationPreference.DoesNotExist:
        return default_channel(patient)


@transaction.atomic
def preference_set(*, patient: Patient, channel: str) -> NotificationPreference:
    """Store the citizen's choice. ValueError when the channel cannot reach her (the page
    says so next to the field before it gets here)."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if channel != Channel.WEB and not channel_for(channel).address_of(patient):
        raise ValueError(f"no address on file for {channel}")
    preference, _created = NotificationPreference.objects.update_or_create(
        patient=patient, defaults={"channel": channel, "updated_at": timezone.now()}
    )
    return preference


def _organisation(patient: Patient) -> Organisation | None:
    team = patient.monitoring_team
    return team.organisation if team is not None else None


def reminders_raise(*, now: datetime | None = None) -> int:
    """Raise the reminders whose window holds ``now``. Returns how many rows were new.

    Safe to run twice or in two workers at once: one Reminder per schedule, due time and
    reminder number (the unique key), and ignore_conflicts skips what another inserted first.
    """
    now = now or timezone.now()
    in_force = Schedule.objects.in_force(now - REMINDER_LOOKBACK).filter(
        patient__state=PatientState.ACTIVE
    )
    candidates: list[tuple[Schedule, datetime, timing.Slot]] = []
    for schedule in in_force.select_related(
        "patient__monitoring_team__organisation__reminder_policy",
        "patient__notification_preference",
    ):
        when = timing_of(_organisation(schedule.patient))
        if when is None:
            continue
        try:
            rule = schedule.rule()
        except ValueError:
            continue  # an incomplete rule asks for nothing
        since = now - min(timing.lookback(rule.grace, when), REMINDER_LOOKBACK)
        for due in schedules.occurrences(rule, since, now + timedelta(microseconds=1)):
            slot = timing.slot_at(due, rule.grace, when, now)
            if slot is not None:
                candidates.append((schedule, due, slot))
    if not candidates:
        return 0
    earliest = min(due - timedelta(minutes=s.grace_minutes) for s, due, _slot in candidates)
    facts = OccasionFacts.load(
        patient_ids={s.patient_id for s, _due, _slot in candidates}, since=earliest
    )
    rows = []
    for schedule, due, slot in candidates:
        patient = schedule.patient
        channel = channel_of(patient)
        if channel == Channel.WEB:
            continue  # opted out of e-mail and SMS: the banner on her page is the reminder
        if facts.answered(
            patient_id=patient.pk,
            questionnaire_id=schedule.questionnaire_id,
            due=due,
            grace=timedelta(minutes=schedule.grace_minutes),
        ):
            continue
        if facts.paused(patient_id=patient.pk, due=due) or facts.paused(
            patient_id=patient.pk, due=now
        ):
            continue
        rows.append(
            Reminder(
                schedule=schedule,
                patient=patient,
                due_at=due,
                sequence=slot.sequence,
                send_at=slot.send_at,
                channel=channel,
                created_at=now,
            )
        )
    if rows:
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def reminders_reclaim(*, now: datetime | None = None) -> int:
    """Put rows left in "sending" too long back to pending (telemed.claimed_rows.reclaim)."""
    return claimed_rows.reclaim(
        Reminder,
        now=now or timezone.now(),
        after=reclaim_after(),
        max_attempts=REMINDER_MAX_ATTEMPTS,
    )


def reminders_due(*, now: datetime | None = None) -> list[int]:
    """Raise, reclaim, and mark as queued the pending reminders that have no delivery task
    waiting. Returns their ids: the caller queues one delivery for each."""
    now = now or timezone.now()
    reminders_raise(now=now)
    reminders_reclaim(now=now)
    return claimed_rows.queue_pending(Reminder, now=now, after=reclaim_after())


def language_of(patient: Patient) -> str:
    """The citizen's language for messages: her own when the record has one, else Danish."""
    chosen = getattr(patient, "preferred_language", "") or getattr(patient, "language", "")
    return "en" if str(chosen or "").startswith("en") else "da"


def citizen_page_url() -> str:
    return settings.TELEMED_SITE_URL.rstrip("/") + reverse("monitoring:citizen_home")


def reminder_message(reminder: Reminder) -> Message:
    """The reminder in the citizen's language: short and plain, the questionnaire by name and
    the deadline in Copenhagen time. No clinical detail."""
    schedule = reminder.schedule
    deadline = timing.deadline_of(reminder.due_at, timedelta(minutes=schedule.grace_minutes))
    with translation.override(language_of(reminder.patient)):
        details = {
            "name": reminder.patient.first_name,
            "questionnaire": schedule.questionnaire.title,
            "time": timezone.localtime(deadline).strftime("%H:%M"),
            "url": citizen_page_url(),
        }
        if reminder.sequence == 0:
            subject = _("Reminder: answer %(questionnaire)s by %(time)s")
            short = _("Remember to answer %(questionnaire)s by %(time)s. Telemed")
            lead = _("Remember to answer %(questionnaire)s by %(time)s.")
        else:
            subject = _("Reminder: %(questionnaire)s is not answered yet")
            short = _(
                "%(questionnaire)s was due by %(time)s. Please answer it as soon as you can. "
                "Telemed"
            )
            lead = _("%(questionnaire)s was due by %(time)s. Please answer it as soon as you can.")
        body = "\n\n".join(
            [
                _("Hello %(name)s,"),
                lead,
                _("Answer on your Telemed page: %(url)s"),
                _(
                    "You can choose how you are reminded, or stop these e-mails, on your "
                    "Telemed page under “Reminders”."
                ),
                _("Kind regards, your monitoring team"),
            ]
        )
        return Message(subject=subject % details, body=body % details + "\n", short=short % details)


def _still_owed(reminder: Reminder, now: datetime) -> bool:
    """Not answered, not paused, still monitored: the facts may have changed since raising."""
    patient = reminder.patient
    if patient.state != PatientState.ACTIVE:
        return False
    grace = timedelta(minutes=reminder.schedule.grace_minutes)
    facts = OccasionFacts.load(patient_ids=[patient.pk], since=reminder.due_at - grace)
    if facts.answered(
        patient_id=patient.pk,
        questionnaire_id=reminder.schedule.questionnaire_id,
        due=reminder.due_at,
        grace=grace,
    ):
        return False
    return not facts.paused(patient_id=patient.pk, due=now)


def reminder_deliver(*, reminder_id: int, now: datetime | None = None) -> bool:
    """Send one reminder, once: claim the row, send, mark it sent. Returns True when this call
    sent it. A row another worker holds, or already sent, is left alone; one answered or
    paused meanwhile is cancelled; a failure puts it back to pending for the next run (at most
    REMINDER_MAX_ATTEMPTS tries), a missing address fails it at once."""
    now = now or timezone.now()
    if not claimed_rows.claim(Reminder, reminder_id, now=now):
        return False
    reminder = Reminder.objects.select_related("schedule__questionnaire", "patient").get(
        pk=reminder_id
    )
    if not _still_owed(reminder, now):
        Reminder.objects.filter(pk=reminder_id).update(state=State.CANCELLED)
        return False
    channel = channel_for(reminder.channel)
    address = channel.address_of(reminder.patient)
    if not address:
        Reminder.objects.filter(pk=reminder_id).update(
            state=State.FAILED, last_error=f"No {reminder.channel} address on file."
        )
        return False
    try:
        channel.send(address, reminder_message(reminder))
    except DeliveryError as error:
        claimed_rows.release_failed(
            Reminder,
            reminder_id,
            attempts=reminder.attempts,
            max_attempts=REMINDER_MAX_ATTEMPTS,
            error=error,
        )
        return False
    Reminder.objects.filter(pk=reminder_id).update(
        state=State.SENT, sent_at=timezone.now(), sent_to=address, last_error=""
    )
    return True


def reminders_run(*, now: datetime | None = None) -> int:
    """Raise what is due and deliver it in this process (tests, a management shell). The
    worker path is the beat task, which queues one delivery task per reminder instead.
    Returns how many were sent."""
    return sum(reminder_deliver(reminder_id=pk, now=now) for pk in reminders_due(now=now))
