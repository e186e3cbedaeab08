"""/administration/integrations/: the organisation admin's FHIR destinations, system API
clients, device tokens and failed outbox deliveries.

An admin only ever sees and changes her own organisation's things (404 for another's). The
pages show patients by name and masked CPR number, never clinical data. A new or rotated secret
is shown once, in the response to the POST that made it (never in the session, a message or a
cookie); Telemed keeps only its hash and its first characters.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.admin_integration_forms import ApiClientForm, DestinationForm
from interop import selectors, services
from interop.models import ApiCredential, FhirDestination, OutboxEntry
from patients.models import Organisation
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

admin_only = role_required(Role.ADMIN)
DEVICE_LIMIT = 500


def _organisation(request: AuthenticatedHttpRequest) -> Organisation:
    return request.user.clinician.organisation


def _destination(request: AuthenticatedHttpRequest, pk: int) -> FhirDestination:
    destination = selectors.destinations_of(_organisation(request)).filter(pk=pk).first()
    if destination is None:
        raise Http404
    return destination


def _client(request: AuthenticatedHttpRequest, pk: int) -> ApiCredential:
    client = (
        ApiCredential.objects.filter(
            pk=pk, kind=ApiCredential.Kind.SYSTEM, organisation=_organisation(request)
        )
        .select_related("created_by", "revoked_by")
        .first()
    )
    if client is None:
        raise Http404
    return client


def _queue_delivery(destination: FhirDestination) -> None:
    from django.db import transaction

    from interop.receivers import _queue

    transaction.on_commit(lambda: _queue([destination.pk]))


# Start page ------------------------------------------------------------------------------------


@require_GET
@admin_only
def integrations(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    return render(
        request,
        "interop/admin_integrations.html",
        {
            "states": selectors.outbox_state(selectors.destinations_of(organisation)),
            "clients": selectors.system_clients(organisation),
            "api_docs_url": reverse("interop:api_docs"),
        },
    )


# FHIR destinations -----------------------------------------------------------------------------


def _destination_form_page(
    request: AuthenticatedHttpRequest,
    form: DestinationForm,
    destination: FhirDestination | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "interop/admin_destination_form.html",
        {"form": form, "destination": destination},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@admin_only
def destination_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DestinationForm(
        request.POST if request.method == "POST" else None,
        instance=FhirDestination(organisation=_organisation(request)),
    )
    if request.method == "GET":
        return _destination_form_page(request, form, None)
    if not form.is_valid():
        return _destination_form_page(request, form, None, status=400)
    destination = form.save()
    audit_record(
        request=request,
        action="create",
        what="Integrations: FHIR destination added",
        object_type="interop.FhirDestination",
        object_id=destination.pk,
    )
    messages.success(
        request,
        _("%(name)s is set up. New data for your patients is sent to it.")
        % {"name": destination.name}
        if destination.active
        else _("%(name)s is set up, paused.") % {"name": destination.name},
    )
    return redirect("patients:integration_destination", destination.pk)


@require_http_methods(["GET", "POST"])
@admin_only
def destination_edit(request: AuthenticatedHttpRequest, destination_pk: int) -> HttpResponse:
    destination = _destination(request, destination_pk)
    form = DestinationForm(request.POST if request.method == "POST" else None, instance=destination)
    if request.method == "GET":
        return _destination_form_page(request, form, destination)
    if not form.is_valid():
        return _destination_form_page(request, form, destination, status=400)
    form.save()
    audit_record(
        request=request,
        action="update",
        what="Integrations: FHIR destination changed",
        object_type="interop.FhirDestination",
        object_id=destination.pk,
    )
    messages.success(request, _("%(name)s is saved.") % {"name": destination.name})
    return redirect("patients:integration_destination", destination.pk)


@require_GET
@admin_only
def destination(request: AuthenticatedHttpRequest, destination_pk: int) -> HttpResponse:
    """The destination's state and its failed deliveries, each with "Send again"."""
    destination = _destination(request, destination_pk)
    states = selectors.outbox_state(FhirDestination.objects.filter(pk=destination.pk))
    entries = selectors.failed_entries(destination)
    audit_record(
        request=request,
        action="view",
        what="Admin: failed deliveries of a FHIR destination",
        object_type="interop.FhirDestination",
        object_id=destination.pk,
    )
    return render(
        request,
        "interop/admin_destination.html",
        {
            "destination": destination,
            "state": states[0],
            "entries": entries,
            "has_entries": OutboxEntry.objects.filter(destination=destination).exists(),
        },
    )


@require_POST
@admin_only
def destination_active(request: AuthenticatedHttpRequest, destination_pk: int) -> HttpResponse:
    destination = _destination(request, destination_pk)
    active = request.POST.get("active") == "1"
    if services.destination_set_active(destination=destination, active=active):
        audit_record(
            request=request,
            action="update",
            what="Integrations: FHIR destination enabled"
            if active
            else "Integrations: FHIR destination paused",
            object_type="interop.FhirDestination",
            object_id=destination.pk,
        )
        if active:
            _queue_delivery(destination)
    messages.success(
        request,
        _("%(name)s is enabled: new data is sent to it.") % {"name": destination.name}
        if active
        else _("%(name)s is paused: nothing is sent to it, new data is not queued for it.")
        % {"name": destination.name},
    )
    return redirect("patients:integration_destination", destination.pk)


@require_POST
@admin_only
def destination_delete(request: AuthenticatedHttpRequest, destination_pk: int) -> HttpResponse:
    destination = _destination(request, destination_pk)
    name = destination.name
    try:
        services.destination_delete(destination=destination)
    except services.DestinationInUse:
        messages.error(
            request,
            _(
                "%(name)s has sent or queued data, so it is kept as the record of what was sent. "
                "Pause it instead."
            )
            % {"name": name},
        )
        return redirect("patients:integration_destination", destination_pk)
    audit_record(
        request=request,
        action="delete",
        what="Integrations: FHIR destination deleted",
        object_type="interop.FhirDestination",
        object_id=destination_pk,
    )
    messages.success(request, _("%(name)s is deleted.") % {"name": name})
    return redirect("patients:integrations")


@require_POST
@admin_only
def destination_retry(request: AuthenticatedHttpRequest, destination_pk: int) -> HttpResponse:
    """Send again every failed delivery of the destination."""
    destination = _destination(request, destination_pk)
    count = services.outbox_retry_failed(destination_id=destination.pk)
    if count:
        audit_record(
            request=request,
            action="update",
            what="Integrations: failed deliveries sent again",
            object_type="interop.FhirDestination",
            object_id=destination.pk,
        )
        _queue_delivery(destination)
    messages.success(
        request,
        _("%(count)s deliveries to %(name)s will be sent again now.")
        % {"count": count, "name": destination.name},
    )
    return redirect("patients:integration_destination", destination.pk)


@require_POST
@admin_only
def entry_retry(
    request: AuthenticatedHttpRequest, destination_pk: int, entry_pk: int
) -> HttpResponse:
    destination = _destination(request, destination_pk)
    if not OutboxEntry.objects.filter(pk=entry_pk, destination=destination).exists():
        raise Http404
    if services.outbox_retry_entry(destination_id=destination.pk, entry_id=entry_pk):
        audit_record(
            request=request,
            action="update",
            what="Integrations: a failed delivery sent again",
            object_type="interop.OutboxEntry",
            object_id=entry_pk,
        )
        _queue_delivery(destination)
        messages.success(request, _("The delivery will be sent again now."))
    else:
        messages.info(request, _("That delivery is already on its way or sent."))
    return redirect("patients:integration_destination", destination.pk)


# System API clients ----------------------------------------------------------------------------


def _secret_page(
    request: AuthenticatedHttpRequest, client: ApiCredential, token: str, *, rotated: bool
) -> HttpResponse:
    response = render(
        request,
        "interop/admin_client_secret.html",
        {
            "client": client,
            "token": token,
            "rotated": rotated,
            "api_docs_url": reverse("interop:api_docs"),
        },
    )
    # The only copy of the secret: no browser or proxy may keep this page.
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@admin_only
def client_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiClientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        client, token = services.credential_issue(
            kind=ApiCredential.Kind.SYSTEM,
            name=form.cleaned_data["name"],
            organisation=_organisation(request),
            created_by=request.user,
            scopes=form.cleaned_data["scopes"],
        )
        audit_record(
            request=request,
            action="create",
            what="Integrations: API client created",
            object_type="interop.ApiCredential",
            object_id=client.pk,
        )
        return _secret_page(request, client, token, rotated=False)
    return render(
        request,
        "interop/admin_client_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@admin_only
def client(request: AuthenticatedHttpRequest, credential_pk: int) -> HttpResponse:
    return render(
        request,
        "interop/admin_client.html",
        {"client": _client(request, credential_pk), "api_docs_url": reverse("interop:api_docs")},
    )


@never_cache
@require_POST
@admin_only
def client_rotate(request: AuthenticatedHttpRequest, credential_pk: int) -> HttpResponse:
    client = _client(request, credential_pk)
    try:
        client, token = services.credential_rotate(credential=client)
    except services.CredentialError:
        messages.error(request, _("A revoked client cannot get a new secret."))
        return redirect("patients:integration_client", client.pk)
    audit_record(
        request=request,
        action="update",
        what="Integrations: API client secret rotated",
        object_type="interop.ApiCredential",
        object_id=client.pk,
    )
    return _secret_page(request, client, token, rotated=True)


@require_POST
@admin_only
def client_revoke(request: AuthenticatedHttpRequest, credential_pk: int) -> HttpResponse:
    client = _client(request, credential_pk)
    if services.credential_revoke(credential=client, user=request.user):
        audit_record(
            request=request,
            action="update",
            what="Integrations: API client revoked",
            object_type="interop.ApiCredential",
            object_id=client.pk,
        )
        messages.success(
            request,
            _("%(name)s is revoked: its secret no longer works.") % {"name": client.name},
        )
    else:
        messages.info(request, _("That client was already revoked."))
    return redirect("patients:integrations")


# Device tokens ---------------------------------------------------------------------------------


@require_GET
@admin_only
def devices(request: AuthenticatedHttpRequest) -> HttpResponse:
    credentials = list(selectors.device_credentials_of(_organisation(request))[:DEVICE_LIMIT])
    audit_record(
        request=request, action="view", what="Admin: device tokens list", object_type="patient"
    )
    return render(request, "interop/admin_devices.html", {"credentials": credentials})


@require_POST
@admin_only
def device_revoke(request: AuthenticatedHttpRequest, credential_pk: int) -> HttpResponse:
    credential = (
        selectors.device_credentials_of(_organisation(request)).filter(pk=credential_pk).first()
    )
    if credential is None:
        raise Http404
    if services.credential_revoke(credential=credential, user=request.user):
        audit_record(
            request=request,
            action="update",
            what="Admin: device token revoked",
            patient_id=credential.patient_id,
            object_type="interop.ApiCredential",
            object_id=credential.pk,
        )
        messages.success(
            request,
            _("The token for “%(name)s” is revoked: the device can no longer upload.")
            % {"name": credential.name},
        )
    else:
        messages.info(request, _("That token was already revoked."))
    return redirect("patients:integration_devices")
