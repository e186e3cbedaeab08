"""Writing audit events. Views never call this directly for patient data: they go through the
access helper in patients/access.py, which checks permission and records the look in one place.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

from telemed.http import AuthenticatedHttpRequest
from telemed.models import AuditEvent


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is the proxy in production; deployment docs set it from X-Forwarded-For there.
    return request.META.get("REMOTE_ADDR") or None


def _describe(user: User | AnonymousUser | None) -> tuple[str, str, str]:
    if user is None or not user.is_authenticated:
        return "", "", ""
    name = user.get_full_name() or user.get_username()
    profile = getattr(user, "clinician", None)
    if profile is not None:
        return name, profile.role, profile.organisation.name
    if hasattr(user, "patient"):
        return name, "citizen", ""
    return name, "staff" if user.is_staff else "", ""


def audit_record(
    *,
    request: HttpRequest | None,
    action: str,
    what: str,
    patient_id: int | None = None,
    user: User | None = None,
    object_type: str = "",
    object_id: str | int = "",
    path: str | None = None,
) -> AuditEvent:
    """Append one audit event for this request (who, role, organisation, patient, what, where).

    ``path`` replaces the request's path with its query string, when that holds what must not
    be stored (a searched CPR number).
    """
    actor = user if user is not None else (request.user if request is not None else None)
    user_display, role, organisation = _describe(actor)
    if path is None:
        path = request.get_full_path() if request is not None else ""
    return AuditEvent.objects.create(
        user=actor if actor is not None and actor.is_authenticated else None,
        user_display=user_display,
        role=role,
        organisation=organisation,
        patient_id=patient_id,
        action=action,
        what=what[:200],
        object_type=object_type,
        object_id=str(object_id),
        ip_address=_client_ip(request) if request is not None else None,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        path=path[:500],
    )


def audit_record_many(
    *,
    request: AuthenticatedHttpRequest,
    action: str,
    what: str,
    patient_ids: list[int],
) -> None:
    """One event per patient for an action that touched several patients' data at once."""
    user_display, role, organisation = _describe(request.user)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            user=request.user,
            user_display=user_display,
            role=role,
            organisation=organisation,
            patient_id=patient_id,
            action=action,
            what=what[:200],
            ip_address=_client_ip(request),
            request_id=getattr(request, "request_id", ""),
            path=request.get_full_path()[:500],
        )
        for patient_id in patient_ids
    )
