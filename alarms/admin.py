"""Admin for threshold sets (with their limits and relative rules) and triage results."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alarms.models import (
    Claim,
    Escalation,
    Outcome,
    PatientNote,
    PatientTriage,
    RelativeRule,
    Threshold,
    ThresholdSet,
    TriageResult,
)
from patients.admin import PATIENT_SEARCH_FIELDS
from telemed.admin import CprSearchMixin, PatientDataAuditMixin


class ThresholdInline(admin.TabularInline):
    model = Threshold
    extra = 0
    fields = ["type", "red_low", "yellow_low", "yellow_high", "red_high"]
    autocomplete_fields = ["type"]


class RelativeRuleInline(admin.TabularInline):
    model = RelativeRule
    extra = 0
    fields = ["type", "direction", "amount", "window_days", "baseline", "severity"]
    autocomplete_fields = ["type"]


@admin.register(ThresholdSet)
class ThresholdSetAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "copd_group",
        "organisation",
        "version",
        "valid_from",
        "created_by",
        "reason",
    ]
    list_filter = ["kind", "copd_group", "organisation"]
    list_select_related = ["patient", "referral", "organisation", "created_by"]
    search_fields = [*PATIENT_SEARCH_FIELDS, "name", "reason", "organisation__name"]
    search_help_text = _("Patient name or CPR number, template name, reason.")
    autocomplete_fields = ["patient", "referral", "organisation", "based_on", "created_by"]
    date_hierarchy = "valid_from"
    inlines = [ThresholdInline, RelativeRuleInline]

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        assert isinstance(obj, ThresholdSet) and isinstance(request.user, User)  # admin only
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class AcknowledgedFilter(admin.SimpleListFilter):
    title = _("acknowledged")
    parameter_name = "acknowledged"

    def lookups(self, request: HttpRequest, model_admin: Any):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: Any):
        if self.value() in ("yes", "no"):
            return queryset.filter(acknowledged_at__isnull=self.value() == "no")
        return queryset


@admin.register(TriageResult)
class TriageResultAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "patient",
        "kind",
        "severity",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
    ]
    list_filter = ["severity", "kind", AcknowledgedFilter, "created_at"]
    list_select_related = ["patient", "acknowledged_by"]
    search_fields = PATIENT_SEARCH_FIELDS
    autocomplete_fields = [
        "patient",
        "measurement",
        "submission",
        "schedule",
        "threshold_set",
        "acknowledged_by",
    ]
    date_hierarchy = "created_at"


@admin.register(PatientTriage)
class PatientTriageAdmin(CprSearchMixin, admin.ModelAdmin):
    """Read-only: the summary is derived from the triage results by alarms.services, and an
    edit here would put the nurse's list out of step with the results it summarises."""

    list_display = [
        "patient",
        "level",
        "waiting_since",
        "open_red",
        "open_yellow",
        "open_missing",
        "open_green",
        "last_data_at",
    ]
    list_filter = ["level"]
    list_select_related = ["patient"]
    ordering = ["-level_rank", "waiting_since"]
    search_fields = PATIENT_SEARCH_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PatientNote)
class PatientNoteAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    list_display = ["created_at", "patient", "author", "importance", "remind_on", "done_at"]
    list_filter = ["importance", "remind_on", "done_at"]
    list_select_related = ["patient", "author"]
    search_fields = [*PATIENT_SEARCH_FIELDS, "text"]
    autocomplete_fields = ["patient", "author", "done_by"]


@admin.register(Escalation)
class EscalationAdmin(CprSearchMixin, admin.ModelAdmin):
    """Escalations are written by the escalation job; the admin shows their delivery state."""

    list_display = ["created_at", "patient", "tier", "state", "attempts", "sent_at"]
    list_filter = ["state", "tier", "created_at"]
    list_select_related = ["patient"]
    search_fields = PATIENT_SEARCH_FIELDS
    readonly_fields = [
        "result",
        "tier",
        "patient",
        "created_at",
        "claimed_at",
        "sent_at",
        "attempts",
        "recipients",
        "last_error",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    """Outcome codes of acknowledgements; organisation empty = the built-in defaults."""

    list_display = ["code", "label_da", "label_en", "kind", "organisation", "sort_order", "active"]
    list_filter = ["kind", "active", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["code", "label_da", "label_en"]
    autocomplete_fields = ["organisation"]
    ordering = ["organisation", "sort_order", "code"]


@admin.register(Claim)
class ClaimAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    """ "I'm on it" claims, made and ended on the triage list; the admin shows the record."""

    list_display = ["claimed_at", "patient", "claimed_by", "expires_at", "ended_at", "end"]
    list_filter = ["end", "claimed_at"]
    list_select_related = ["patient", "claimed_by"]
    search_fields = PATIENT_SEARCH_FIELDS
    readonly_fields = [
        "patient",
        "claimed_by",
        "claimed_at",
        "expires_at",
        "ended_at",
        "ended_by",
        "end",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
