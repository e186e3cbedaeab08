"""Pages: a nurse issues and revokes a patient's device tokens; an admin watches the outbox."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from interop import selectors, services
from interop.models import ApiCredential, FhirDestination, OutboxEntry
from patients.access import get_patient_for_user, patients_monitored_by
from patients.models import Patient
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

NAME_MAX_LENGTH = 200
# The token is shown once, right after it was issued, then dropped from the session.
SESSION_KEY = "interop_new_token"


def _monitored_patient(
    request: AuthenticatedHttpRequest, pk: int, *, what: str, action: str = "view"
) -> Patient:
    """The patient when the nurse is on the patient's monitoring team (404 otherwise)."""
    if not patients_monitored_by(request.user).filter(pk=pk).exists():
        raise Http404
    return get_patient_for_user(request, pk, what=what, action=action)


@require_GET
@role_required(Role.NURSE)
def devices(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = _monitored_patient(request, pk, what="Device tokens")
    new_token = None
    stashed = request.session.pop(SESSION_KEY, None)
    if stashed and stashed.get("patient") == patient.pk:
        new_token = stashed
    return render(
        request,
        "interop/devices.html",
        {
            "patient": patient,
            "credentials": selectors.credentials_for_patient(patient),
            "new_token": new_token,
            "name_max_length": NAME_MAX_LENGTH,
            "api_docs_url": reverse("interop:api_docs"),
        },
    )


@require_POST
@role_required(Role.NURSE)
def device_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = _monitored_patient(request, pk, what="Device token issued", action="create")
    name = request.POST.get("name", "").strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        error = (
            _("Give the device a name, e.g. “Tablet in the living room”.")
            if not name
            else _("The name can be at most %(max)s characters.") % {"max": NAME_MAX_LENGTH}
        )
        return render(
            request,
            "interop/devices.html",
            {
                "patient": patient,
                "credentials": selectors.credentials_for_patient(patient),
                "name_error": error,
                "name_value": name,
                "name_max_length": NAME_MAX_LENGTH,
                "api_docs_url": reverse("interop:api_docs"),
            },
            status=400,
        )
    credential, token = services.credential_issue(
        kind=ApiCredential.Kind.DEVICE, name=name, patient=patient, created_by=request.user
    )
    request.session[SESSION_KEY] = {"patient": patient.pk, "name": credential.name, "token": token}
    return HttpResponseRedirect(reverse("interop:devices", args=[patient.pk]) + "#new-token")


@require_POST
@role_required(Role.NURSE)
def device_revoke(request: AuthenticatedHttpRequest, pk: int, credential_pk: int) -> HttpResponse:
    patient = _monitored_patient(request, pk, what="Device token revoked", action="update")
    credential = ApiCredential.objects.filter(pk=credential_pk, patient=patient).first()
    if credential is None:
        raise Http404
    if services.credential_revoke(credential=credential, user=request.user):
        messages.success(
            request,
            _("The token for “%(name)s” is revoked: the device can no longer upload.")
            % {"name": credential.name},
        )
    else:
        messages.info(request, _("That token was already revoked."))
    return HttpResponseRedirect(reverse("interop:devices", args=[patient.pk]))


def _outbox_destinations(request: AuthenticatedHttpRequest) -> QuerySet[FhirDestination]:
    """An organisation admin: her organisation's destinations and those for every patient; an
    operator: all."""
    clinician = getattr(request.user, "clinician", None)
    return selectors.destinations_visible_to(clinician.organisation if clinician else None)


@require_GET
@role_required(Role.ADMIN, Role.SUPERUSER)
def outbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    destinations = _outbox_destinations(request)
    states = selectors.outbox_state(destinations)
    recent_failures = list(
        OutboxEntry.objects.filter(
            ~Q(last_error=""), status__in=["pending", "failed"], destination__in=destinations
        )
        .select_related("destination")
        .order_by("-next_attempt_at")[:20]
    )
    totals = OutboxEntry.objects.filter(destination__in=destinations).aggregate(
        waiting=Count("pk", filter=Q(status__in=["pending", "sending"])),
        failed=Count("pk", filter=Q(status="failed")),
    )
    context = {"states": states, "recent_failures": recent_failures, "totals": totals}
    if request.htmx:
        return render(request, "interop/outbox.html#outbox-state", context)
    return render(request, "interop/outbox.html", context)


@require_POST
@role_required(Role.ADMIN, Role.SUPERUSER)
def outbox_retry(request: AuthenticatedHttpRequest, destination_pk: int) -> HttpResponse:
    destination = _outbox_destinations(request).filter(pk=destination_pk).first()
    if destination is None:
        raise Http404
    count = services.outbox_retry_failed(destination_id=destination.pk)
    if count:
        from interop.receivers import _queue

        _queue([destination.pk])
    messages.success(
        request,
        _("%(count)s entries for %(name)s will be sent again now.")
        % {"count": count, "name": destination.name},
    )
    return HttpResponseRedirect(reverse("interop:outbox"))
