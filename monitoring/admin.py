"""Admin for measurement types, questionnaires, schedules, submissions and measurements."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from monitoring.models import (
    Answer,
    ItemOption,
    Measurement,
    MeasurementType,
    Message,
    Questionnaire,
    QuestionnaireItem,
    Schedule,
    ScheduleTemplate,
    Submission,
)
from patients.admin import PATIENT_SEARCH_FIELDS
from telemed.admin import CprSearchMixin, PatientDataAuditMixin


@admin.register(MeasurementType)
class MeasurementTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "code_system",
        "key",
        "name_da",
        "name_en",
        "unit",
        "display_unit",
        "plausible_min",
        "plausible_max",
        "decimals",
        "sort_order",
    ]
    list_filter = ["code_system"]
    search_fields = [
        "code",
        "key",
        "ieee_code",
        "name_da",
        "name_en",
        "short_name_da",
        "short_name_en",
    ]


class QuestionnaireItemInline(admin.TabularInline):
    """The questions in order; options are edited on each question's own page."""

    model = QuestionnaireItem
    extra = 0
    fields = ["position", "link_id", "kind", "text_da", "text_en", "required"]
    show_change_link = True


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "status", "title_da", "title_en", "published_at"]
    list_filter = ["status"]
    search_fields = ["code", "title_da", "title_en"]
    autocomplete_fields = ["score_type"]
    inlines = [QuestionnaireItemInline]


class ItemOptionInline(admin.TabularInline):
    model = ItemOption
    extra = 0
    fields = ["position", "code", "text_da", "text_en", "severity", "score"]


@admin.register(QuestionnaireItem)
class QuestionnaireItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "questionnaire", "link_id", "kind", "required"]
    list_filter = ["kind", "required"]
    list_select_related = ["questionnaire"]
    search_fields = ["link_id", "text_da", "text_en", "questionnaire__code"]
    autocomplete_fields = ["questionnaire", "enable_when_item"]
    filter_horizontal = ["measurement_types"]
    inlines = [ItemOptionInline]


@admin.register(Schedule)
class ScheduleAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    list_display = [
        "patient",
        "questionnaire",
        "kind",
        "starts_on",
        "ends_on",
        "grace_minutes",
        "active",
    ]
    list_filter = ["kind", "active"]
    list_select_related = ["patient", "questionnaire"]
    search_fields = [*PATIENT_SEARCH_FIELDS, "questionnaire__code"]
    autocomplete_fields = ["patient", "questionnaire"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["item", "option", "value_number", "value_text", "severity"]
    raw_id_fields = ["item", "option"]


class SubmissionMeasurementInline(admin.TabularInline):
    """Measurements sent with the questionnaire; edited on the measurement's own page."""

    model = Measurement
    extra = 0
    fields = ["type", "value", "unit", "measured_at", "severity"]
    readonly_fields = ["type", "value", "unit", "measured_at", "severity"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Submission | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("type")


@admin.register(Submission)
class SubmissionAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    list_display = [
        "submitted_at",
        "patient",
        "questionnaire",
        "severity",
        "score",
        "source",
        "due_at",
    ]
    list_filter = ["severity", "source", "questionnaire", "submitted_at"]
    list_select_related = ["patient", "questionnaire"]
    search_fields = [*PATIENT_SEARCH_FIELDS, "=client_uuid"]
    search_help_text = _("Patient name or CPR number, or the client UUID.")
    autocomplete_fields = ["patient", "questionnaire", "schedule", "submitted_by"]
    date_hierarchy = "submitted_at"
    inlines = [AnswerInline, SubmissionMeasurementInline]


@admin.register(Measurement)
class MeasurementAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    list_display = [
        "measured_at",
        "patient",
        "type",
        "value",
        "unit",
        "severity",
        "source",
        "device_id",
    ]
    list_filter = ["severity", "source", "type", "measured_at"]
    list_select_related = ["patient", "type"]
    search_fields = [*PATIENT_SEARCH_FIELDS, "device_id", "=client_uuid"]
    search_help_text = _("Patient name or CPR number, device, or the client UUID.")
    autocomplete_fields = ["patient", "type", "submission"]
    date_hierarchy = "measured_at"


@admin.register(Message)
class MessageAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "patient",
        "sender_display",
        "sender_is_citizen",
        "read_by_team_at",
    ]
    list_filter = ["sender_is_citizen", "created_at"]
    list_select_related = ["patient"]
    search_fields = [*PATIENT_SEARCH_FIELDS, "sender_display"]
    autocomplete_fields = ["patient", "sender", "read_by_team_user"]
    date_hierarchy = "created_at"


@admin.register(ScheduleTemplate)
class ScheduleTemplateAdmin(admin.ModelAdmin):
    """Organisation admins keep these at /administration/schedules/; this is for operators."""

    list_display = ("name", "organisation", "questionnaire_code", "active")
    list_filter = ("active", "organisation")
    search_fields = ("name", "questionnaire_code")
    raw_id_fields = ("changed_by",)
