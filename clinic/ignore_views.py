"""Ignore a measurement or a result with a reason, and undo it (the patient page's tables).

``kind`` in the URL is "measurement" or "result". The form is a small page of its own (loaded
into the row by htmx, a page of its own without JavaScript); the change is a plain POST that
returns to the tab it came from with its period.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alarms.models import TriageResult
from alarms.services.ignoring import IgnoreError, Target, ignore, ignore_undo
from clinic import presenters
from clinic.forms import IgnoreForm
from monitoring.models import Measurement
from patients.access import MONITOR, get_patient_for_user
from patients.models import Patient
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

# kind -> (model, the tab it lives on)
KINDS: dict[str, tuple[type[Measurement] | type[TriageResult], str]] = {
    "measurement": (Measurement, "measurements"),
    "result": (TriageResult, "results"),
}
PERIOD_KEYS = ("range", "from", "to", "sort")


def _target(patient: Patient, kind: str, item_pk: int) -> Target:
    model, _tab = KINDS[kind]
    if model is Measurement:
        return get_object_or_404(
            Measurement.objects.select_related("type"), pk=item_pk, patient=patient
        )
    return get_object_or_404(TriageResult, pk=item_pk, patient=patient)


def _back(
    request: AuthenticatedHttpRequest, patient: Patient, kind: str, item_pk: int
) -> HttpResponse:
    url = reverse(f"patient:{KINDS[kind][1]}", args=[patient.pk])
    query = {k: v for k, v in request.POST.items() if k in PERIOD_KEYS and v}
    return redirect(f"{url}?{urlencode(query)}#{kind}-{item_pk}")


def _message(error: IgnoreError) -> str:
    return {
        "reason": _("Choose why it is ignored."),
        "already_ignored": _("This was already ignored by someone else."),
        "not_ignored": _("This is not ignored (someone may have undone it already)."),
        "missing": _("A missing-data alarm is acknowledged, not ignored."),
    }.get(error.code, str(error))


def _subject(target: Target) -> str:
    if isinstance(target, Measurement):
        value = presenters.stored_number(target.value, target.type.decimals)
        return f"{target.type.name} {value} {target.type.display_unit}"
    return str(target.get_severity_display())


def _form_page(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    kind: str,
    target: Target,
    form: IgnoreForm,
    status: int = 200,
) -> HttpResponse:
    period = {
        k: v
        for k, v in (request.GET if request.method == "GET" else request.POST).items()
        if k in PERIOD_KEYS and v
    }
    back = reverse(f"patient:{KINDS[kind][1]}", args=[patient.pk])
    context = {
        "patient": patient,
        "kind": kind,
        "target": target,
        "subject": _subject(target),
        "when": target.measured_at if isinstance(target, Measurement) else target.created_at,
        "form": form,
        "period": period,
        "back": f"{back}?{urlencode(period)}" if period else back,
    }
    template = "clinic/patient/ignore.html"
    if request.htmx:
        template += "#ignore-form"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.NURSE)
def ignore_view(
    request: AuthenticatedHttpRequest, pk: int, kind: str, item_pk: int
) -> HttpResponse:
    """GET: the form (why is it ignored?). POST: ignore it, or show the form again with the
    message when no valid reason was chosen (nothing changed then)."""
    if request.method == "GET":
        patient = get_patient_for_user(
            request, pk, what=f"Ignore form for {kind} {item_pk}", perm=MONITOR
        )
        return _form_page(request, patient, kind, _target(patient, kind, item_pk), IgnoreForm())
    form = IgnoreForm(request.POST)
    valid = form.is_valid()
    patient = get_patient_for_user(
        request,
        pk,
        what=f"Ignored {kind} {item_pk} ({form.cleaned_data['reason']})"
        if valid
        else f"Ignore form for {kind} {item_pk} (refused: no reason)",
        action="update" if valid else "view",
        perm=MONITOR,
    )
    target = _target(patient, kind, item_pk)
    if not valid:
        return _form_page(request, patient, kind, target, form, status=400)
    try:
        ignore(target=target, user=request.user, reason=form.cleaned_data["reason"])
    except IgnoreError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("Ignored. It is kept, struck through, and can be undone."))
    return _back(request, patient, kind, item_pk)


@require_POST
@role_required(Role.NURSE)
def ignore_undo_view(
    request: AuthenticatedHttpRequest, pk: int, kind: str, item_pk: int
) -> HttpResponse:
    patient = get_patient_for_user(
        request, pk, what=f"Undid ignoring {kind} {item_pk}", action="update", perm=MONITOR
    )
    try:
        ignore_undo(target=_target(patient, kind, item_pk), user=request.user)
    except IgnoreError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("Counted again."))
    return _back(request, patient, kind, item_pk)
