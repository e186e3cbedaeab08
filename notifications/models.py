"""Reminders to citizens (påmindelser): the organisation's policy, the citizen's channel, and
one row per reminder sent or owed (the history, and the claim that keeps it to one send).

See notifications/services.py for when a reminder is due.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.models import Schedule
from patients.models import Organisation, Patient


class Channel(models.TextChoices):
    """How a reminder reaches the citizen. ``web`` is the due banner on her own page, always
    shown; choosing it alone opts out of e-mail and SMS."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")
    WEB = "web", _("Only on my Telemed page")


class ReminderPolicy(models.Model):
    """When an organisation's citizens are reminded. Without a row the defaults below apply
    (OpenTele's: 30 minutes before the deadline, then every 15 minutes)."""

    DEFAULT_ENABLED = True
    DEFAULT_MINUTES_BEFORE_DEADLINE = 30
    DEFAULT_OVERDUE_EVERY_MINUTES = 15
    DEFAULT_OVERDUE_MAX_REMINDERS = 3

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="reminder_policy"
    )
    enabled = models.BooleanField(_("send reminders"), default=DEFAULT_ENABLED)
    minutes_before_deadline = models.PositiveIntegerField(
        _("remind this many minutes before the deadline"),
        default=DEFAULT_MINUTES_BEFORE_DEADLINE,
    )
    overdue_every_minutes = models.PositiveIntegerField(
        _("once overdue, remind every (minutes)"), default=DEFAULT_OVERDUE_EVERY_MINUTES
    )
    overdue_max_reminders = models.PositiveSmallIntegerField(
        _("at most this many reminders once overdue"),
        default=DEFAULT_OVERDUE_MAX_REMINDERS,
        help_text=_("0: no reminders after the deadline."),
    )

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(overdue_every_minutes__gte=1), name="reminder_policy_every_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.minutes_before_deadline} min"


class NotificationPreference(models.Model):
    """The citizen's chosen channel. Without a row: e-mail if she has an address, else SMS if
    she has a phone number, else only her page (notifications.services.channel_of)."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="notification_preference"
    )
    channel = models.CharField(_("remind me by"), max_length=8, choices=Channel.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.patient_id}: {self.channel}"


class Reminder(models.Model):
    """One reminder of one occasion (schedule, due_at): sequence 0 before the deadline, 1, 2 …
    after it. One row per (schedule, due_at, sequence), ever (the unique key), so however many
    workers look, it is raised once; delivery claims the row with a conditional update
    (pending -> sending), as escalations do, so it is sent once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent (answered or paused meanwhile)")

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="reminders")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField(_("due"))
    sequence = models.PositiveSmallIntegerField(
        _("reminder number"), help_text=_("0 before the deadline, 1, 2 … after it.")
    )
    send_at = models.DateTimeField(_("to be sent"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    # When a delivery task was last queued for it: the beat queues one task per reminder and
    # queues again only after a failure or when the task was lost (REMINDER_RECLAIM_SECONDS).
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-send_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "due_at", "sequence"], name="reminder_once_per_occasion"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(state="pending"), name="reminder_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.due_at:%Y-%m-%d %H:%M} #{self.sequence}: {self.state}"
