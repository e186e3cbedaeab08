"""Admin for reminder policies, citizens' channels and the reminders sent (operators)."""

from __future__ import annotations

from django.contrib import admin

from notifications.models import NotificationPreference, Reminder, ReminderPolicy
from patients.admin import PATIENT_SEARCH_FIELDS
from telemed.admin import CprSearchMixin


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "enabled",
        "minutes_before_deadline",
        "overdue_every_minutes",
        "overdue_max_reminders",
    ]
    list_select_related = ["organisation"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(CprSearchMixin, admin.ModelAdmin):
    list_display = ["patient", "channel", "updated_at"]
    list_filter = ["channel"]
    list_select_related = ["patient"]
    search_fields = PATIENT_SEARCH_FIELDS
    raw_id_fields = ["patient"]


@admin.register(Reminder)
class ReminderAdmin(CprSearchMixin, admin.ModelAdmin):
    """Reminders are written by the reminder job; the admin shows their delivery state."""

    list_display = ["send_at", "patient", "sequence", "channel", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel", "send_at"]
    list_select_related = ["patient"]
    search_fields = PATIENT_SEARCH_FIELDS
    readonly_fields = [
        "schedule",
        "patient",
        "due_at",
        "sequence",
        "send_at",
        "channel",
        "created_at",
        "state",
        "queued_at",
        "claimed_at",
        "sent_at",
        "attempts",
        "sent_to",
        "last_error",
    ]
