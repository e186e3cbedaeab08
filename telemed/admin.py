"""Admin for the audit log, and small admin helpers shared by the other apps.

The admin is a write path that bypasses the services, so patient data edited here is audited
here (``PatientDataAuditMixin``), like every other read and write (DESIGN.md, AuditEvent).
"""

from __future__ import annotations

import re
from typing import Any, Generic, TypeVar

from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from telemed.audit import audit_record
from telemed.models import AuditEvent, LoginSecurity

_CPR_WITH_SEPARATOR = re.compile(r"\b([0-9]{6})[\s-]([0-9]{4})\b")


def normalize_cpr_terms(search_term: str) -> str:
    """ "010150-1234" and "010150 1234" -> "0101501234", so a CPR search finds the stored form."""
    return _CPR_WITH_SEPARATOR.sub(r"\1\2", search_term)


class CprSearchMixin:
    """Search CPR numbers as people type them (with a dash or a space).

    A mixin for ModelAdmin: the ``super()`` calls reach ModelAdmin, which mypy cannot see from
    a plain class (hence the ``misc`` ignores with "mixin" below).
    """

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        return super().get_search_results(  # type: ignore[misc]  # mixin: super() is ModelAdmin
            request, queryset, normalize_cpr_terms(search_term)
        )


def related_filter(*select_related: str) -> type[RelatedFieldListFilter]:
    """A related-field list filter whose choices load in one query.

    The stock filter calls ``str()`` on each choice, which is a query per choice when
    ``__str__`` follows a foreign key (a team shows its organisation).
    """

    class _Filter(RelatedFieldListFilter):
        def field_choices(self, field, request, model_admin):
            ordering = self.field_admin_ordering(field, request, model_admin)
            choices = field.remote_field.model._default_manager.select_related(*select_related)
            if ordering:
                choices = choices.order_by(*ordering)
            return [(obj.pk, str(obj)) for obj in choices]

    return _Filter


_ModelT = TypeVar("_ModelT", bound=Model)


class PatientDataAuditMixin(Generic[_ModelT]):
    """Record an audit event when an admin opens, saves or deletes a patient's data.

    ``audit_patient_attr`` names the attribute that holds the patient id ("pk" for Patient).
    Parametrise it with the admin's model (``PatientDataAuditMixin[PatientPause]``) when a
    subclass overrides ``save_model`` or ``delete_model`` with the model's own type.
    """

    audit_patient_attr = "patient_id"

    def _audit_patient_id(self, obj: Model) -> int | None:
        return getattr(obj, self.audit_patient_attr, None)

    def _audit(self, request: HttpRequest, obj: Model, action: str, patient_id: Any) -> None:
        audit_record(
            request=request,
            action=action,
            what=f"admin: {obj._meta.verbose_name} {obj}",
            patient_id=patient_id,
            object_type=obj._meta.label_lower,
            object_id=obj.pk or "",
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]  # mixin: super() is ModelAdmin
        if obj is not None and request.method == "GET":
            self._audit(request, obj, AuditEvent.Action.VIEW, self._audit_patient_id(obj))
        return obj

    def save_model(self, request: HttpRequest, obj: _ModelT, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]  # mixin: super() is ModelAdmin
        action = AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE
        self._audit(request, obj, action, self._audit_patient_id(obj))

    def delete_model(self, request: HttpRequest, obj: _ModelT) -> None:
        self._audit_deletion(request, obj)
        super().delete_model(request, obj)  # type: ignore[misc]  # mixin: super() is ModelAdmin

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self._audit_deletion(request, obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]  # mixin: super() is ModelAdmin

    def _audit_deletion(self, request: HttpRequest, obj: Model) -> None:
        # A deleted patient cannot be referenced (and the audit log protects the row anyway).
        patient_id = None if self.audit_patient_attr == "pk" else self._audit_patient_id(obj)
        self._audit(request, obj, AuditEvent.Action.DELETE, patient_id)


@admin.register(AuditEvent)
class AuditEventAdmin(CprSearchMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is append-only by law."""

    list_display = [
        "occurred_at",
        "user_display",
        "role",
        "organisation",
        "action",
        "what",
        "patient",
        "ip_address",
    ]
    list_filter = ["action", "occurred_at", "role"]
    list_select_related = ["patient"]
    date_hierarchy = "occurred_at"
    search_fields = [
        "patient__first_name",
        "patient__last_name",
        "^patient__cpr",
        "user__username",
        "user__first_name",
        "user__last_name",
        "user_display",
    ]
    search_help_text = _("Patient name or CPR number, user name.")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoginSecurity)
class LoginSecurityAdmin(admin.ModelAdmin):
    """Lockout state per account; an admin can unlock by clearing ``locked_until``."""

    list_display = [
        "user",
        "failed_attempts",
        "last_failed_at",
        "locked_until",
        "must_change_password",
    ]
    list_filter = ["must_change_password"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    readonly_fields = ["failed_attempts", "last_failed_at", "password_set_by", "password_set_at"]
    autocomplete_fields = ["user"]
