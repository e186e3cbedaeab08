"""Admin for organisations, teams, clinicians, patients, referrals and per-patient permissions.

List pages show the masked CPR number (DDMMYY-XXXX) only; the full number is on the change
form, which is audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients import cpr
from patients.models import (
    CareAccess,
    ClinicianProfile,
    MonitoringEnd,
    NextOfKin,
    Organisation,
    Patient,
    PatientGroupObjectPermission,
    PatientPause,
    PatientUserObjectPermission,
    Referral,
    Team,
)
from telemed.admin import CprSearchMixin, PatientDataAuditMixin, related_filter

PATIENT_SEARCH_FIELDS = ["patient__first_name", "patient__last_name", "^patient__cpr"]
TeamFilter = related_filter("organisation")


def clean_cpr_value(value: str) -> str:
    try:
        return cpr.validate(value, today=timezone.localdate())
    except cpr.InvalidCpr as exc:
        raise ValidationError(str(exc), code=exc.code) from exc


class CprForm(forms.ModelForm):
    def clean_cpr(self) -> str:
        return clean_cpr_value(self.cleaned_data["cpr"])


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sor_code", "escalation_minutes"]
    list_filter = ["kind"]
    search_fields = ["name", "sor_code"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "group"]
    list_filter = ["organisation"]
    list_select_related = ["organisation", "group"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation", "group"]


@admin.register(ClinicianProfile)
class ClinicianProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "organisation", "title", "authorisation_id"]
    list_filter = ["role", "organisation"]
    list_select_related = ["user", "organisation"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "authorisation_id",
        "organisation__name",
    ]
    autocomplete_fields = ["user", "organisation"]


class PatientPauseInline(admin.TabularInline):
    model = PatientPause
    extra = 0
    fields = ["starts_at", "ends_at", "reason", "created_by"]
    readonly_fields = ["created_by"]


class NextOfKinInline(admin.TabularInline):
    model = NextOfKin
    extra = 0
    fields = ["name", "relation", "phone", "may_contact", "position"]


class MonitoringEndInline(admin.TabularInline):
    """Ends of monitoring are made on the patient page (the service closes what they close)."""

    model = MonitoringEnd
    extra = 0
    fields = ("ended_at", "reason", "note", "team", "ended_by", "results_closed", "tokens_revoked")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Patient)
class PatientAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    form = CprForm
    audit_patient_attr = "pk"
    list_display = [
        "last_name",
        "first_name",
        "masked_cpr",
        "copd_group",
        "state",
        "monitoring_team",
        "treating_organisation",
        "monitoring_started_on",
    ]
    list_display_links = ["last_name", "first_name"]
    list_filter = [
        "state",
        "copd_group",
        ("monitoring_team", TeamFilter),
        "treating_organisation",
    ]
    list_select_related = ["monitoring_team__organisation", "treating_organisation"]
    search_fields = ["first_name", "last_name", "^cpr"]
    search_help_text = _("Name or CPR number (DDMMYY-XXXX, or the first six digits).")
    autocomplete_fields = [
        "monitoring_team",
        "treating_organisation",
        "treating_doctor",
        "gp_clinic",
        "hospital_department",
        "citizen_user",
    ]
    inlines = [NextOfKinInline, PatientPauseInline, MonitoringEndInline]
    fieldsets = [
        (None, {"fields": ["cpr", "first_name", "last_name", "copd_group", "state"]}),
        (
            _("Contact"),
            {
                "fields": [
                    "phone",
                    "phone_other",
                    "email",
                    "address",
                    "postal_code",
                    "city",
                    "language",
                    "citizen_user",
                ]
            },
        ),
        (
            _("Responsibility"),
            {
                "fields": [
                    "monitoring_team",
                    "treating_organisation",
                    "treating_doctor",
                    "gp_clinic",
                    "hospital_department",
                    "monitoring_started_on",
                ]
            },
        ),
    ]

    @admin.display(description=_("CPR number"), ordering="cpr")
    def masked_cpr(self, obj: Patient) -> str:
        return obj.masked_cpr

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for row in formset.save(commit=False):
            if isinstance(row, PatientPause) and row.created_by_id is None:
                row.created_by = request.user
            row.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


@admin.register(PatientPause)
class PatientPauseAdmin(PatientDataAuditMixin[PatientPause], CprSearchMixin, admin.ModelAdmin):
    list_display = ["patient", "starts_at", "ends_at", "reason", "created_by"]
    list_filter = ["starts_at"]
    list_select_related = ["patient", "created_by"]
    search_fields = [*PATIENT_SEARCH_FIELDS, "reason"]
    autocomplete_fields = ["patient"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "starts_at"

    def save_model(self, request: HttpRequest, obj: PatientPause, form: Any, change: bool) -> None:
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Referral)
class ReferralAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    form = CprForm
    list_display = [
        "last_name",
        "first_name",
        "masked_cpr",
        "status",
        "copd_group",
        "referring_organisation",
        "receiving_organisation",
        "referring_doctor",
        "created_at",
    ]
    list_display_links = ["last_name", "first_name"]
    list_filter = ["status", "copd_group", "receiving_organisation", "created_at"]
    list_select_related = ["referring_organisation", "receiving_organisation", "referring_doctor"]
    search_fields = ["first_name", "last_name", "^cpr", "referring_organisation__name"]
    search_help_text = _("Name or CPR number, referring organisation.")
    autocomplete_fields = [
        "patient",
        "referring_doctor",
        "referring_organisation",
        "receiving_organisation",
        "decided_by",
    ]
    date_hierarchy = "created_at"

    @admin.display(description=_("CPR number"), ordering="cpr")
    def masked_cpr(self, obj: Referral) -> str:
        return cpr.mask(obj.cpr)


class _PatientObjectPermissionAdmin(PatientDataAuditMixin, CprSearchMixin, admin.ModelAdmin):
    """Guardian's direct foreign-key permission rows: who may do what with which patient."""

    audit_patient_attr = "content_object_id"
    list_display = ["content_object", "permission_codename"]
    list_select_related = ["content_object", "permission"]
    search_fields = [
        "content_object__first_name",
        "content_object__last_name",
        "^content_object__cpr",
        "permission__codename",
    ]
    autocomplete_fields = ["content_object"]

    @admin.display(description=_("permission"), ordering="permission__codename")
    def permission_codename(self, obj: Any) -> str:
        return obj.permission.codename

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "permission":
            kwargs["queryset"] = Permission.objects.filter(
                content_type=ContentType.objects.get_for_model(Patient)
            ).select_related("content_type")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PatientPermissionFilter(admin.SimpleListFilter):
    title = _("permission")
    parameter_name = "permission"

    def lookups(self, request: HttpRequest, model_admin: Any):
        content_type = ContentType.objects.get_for_model(Patient)
        return list(
            Permission.objects.filter(content_type=content_type)
            .order_by("codename")
            .values_list("codename", "name")
        )

    def queryset(self, request: HttpRequest, queryset: Any):
        if self.value():
            return queryset.filter(permission__codename=self.value())
        return queryset


@admin.register(PatientUserObjectPermission)
class PatientUserObjectPermissionAdmin(_PatientObjectPermissionAdmin):
    list_display = ["content_object", "user", "permission_codename"]
    list_filter = [PatientPermissionFilter]
    list_select_related = ["content_object", "permission", "user"]
    search_fields = [
        *_PatientObjectPermissionAdmin.search_fields,
        "user__username",
        "user__first_name",
        "user__last_name",
    ]
    autocomplete_fields = ["content_object", "user"]


@admin.register(PatientGroupObjectPermission)
class PatientGroupObjectPermissionAdmin(_PatientObjectPermissionAdmin):
    list_display = ["content_object", "group", "permission_codename"]
    list_filter = [PatientPermissionFilter, "group"]
    list_select_related = ["content_object", "permission", "group"]
    search_fields = [*_PatientObjectPermissionAdmin.search_fields, "group__name"]
    autocomplete_fields = ["content_object", "group"]


@admin.register(CareAccess)
class CareAccessAdmin(PatientDataAuditMixin[CareAccess], CprSearchMixin, admin.ModelAdmin):
    """The history of who was given access and why; written by the services, read here."""

    list_display = ["patient", "kind", "team", "user", "granted_by", "granted_at", "ended_at"]
    list_filter = ["kind", "granted_at"]
    list_select_related = ["patient", "team", "user", "granted_by"]
    search_fields = [*PATIENT_SEARCH_FIELDS, "reason"]
    date_hierarchy = "granted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
