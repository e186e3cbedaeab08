"""The organisation admin's alarm handling: escalation limits, the second tier, how long an
"I'm on it" claim lasts, and the outcome list nurses acknowledge with. No patient data here."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alarms.models import Outcome
from alarms.outcomes import outcomes_for
from alarms.services.outcome_list import (
    OutcomeError,
    outcome_add,
    outcome_change,
    outcomes_make_own,
)
from clinic.admin_forms import AlarmHandlingForm, OutcomeChangeForm, OutcomeForm
from patients.models import Organisation
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

admin_only = role_required(Role.ADMIN)


def _organisation(request: AuthenticatedHttpRequest) -> Organisation:
    return request.user.clinician.organisation


def _page(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    *,
    settings_form: AlarmHandlingForm | None = None,
    outcome_form: OutcomeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    own = Outcome.objects.filter(organisation=organisation)
    return render(
        request,
        "clinic/admin/alarm_handling.html",
        {
            "settings_form": settings_form or AlarmHandlingForm(instance=organisation),
            "outcome_form": outcome_form or OutcomeForm(),
            "own_list": own.exists(),
            "outcomes": list(own) if own.exists() else list(outcomes_for(None)),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@admin_only
def alarm_handling(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    if request.method == "GET":
        return _page(request, organisation)
    form = AlarmHandlingForm(request.POST, instance=organisation)
    if not form.is_valid():
        return _page(request, organisation, settings_form=form, status=400)
    form.save()
    audit_record(
        request=request,
        action="update",
        what="Alarm handling: escalation and claim times changed",
        object_type="organisation",
        object_id=organisation.pk,
    )
    messages.success(request, _("Saved. New escalations and claims follow the new times."))
    return redirect("patients:alarm_handling")


@require_POST
@admin_only
def outcomes_customise(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    if outcomes_make_own(organisation=organisation):
        audit_record(
            request=request,
            action="create",
            what="Alarm handling: own outcome list made from the defaults",
            object_type="organisation",
            object_id=organisation.pk,
        )
        messages.success(request, _("The outcome list is now your organisation's own."))
    return redirect("patients:alarm_handling")


@require_POST
@admin_only
def outcome_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _page(request, organisation, outcome_form=form, status=400)
    outcome = outcome_add(organisation=organisation, **form.cleaned_data)
    audit_record(
        request=request,
        action="create",
        what=f"Alarm handling: outcome {outcome.code} added",
        object_type="outcome",
        object_id=outcome.pk,
    )
    messages.success(request, _("Outcome %(label)s added.") % {"label": outcome.label})
    return redirect("patients:alarm_handling")


@require_http_methods(["GET", "POST"])
@admin_only
def outcome_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    try:
        outcome = Outcome.objects.get(pk=pk, organisation=organisation)
    except Outcome.DoesNotExist as exc:
        raise Http404 from exc
    initial = {
        "label_da": outcome.label_da,
        "label_en": outcome.label_en,
        "kind": outcome.kind,
        "sort_order": outcome.sort_order,
        "active": outcome.active,
    }
    form = OutcomeChangeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome_change(outcome=outcome, **form.cleaned_data)
        except OutcomeError:
            form.add_error(
                None,
                _(
                    "Keep at least one offered “no action” outcome: acknowledging all green "
                    "results uses it."
                ),
            )
        else:
            audit_record(
                request=request,
                action="update",
                what=f"Alarm handling: outcome {outcome.code} changed",
                object_type="outcome",
                object_id=outcome.pk,
            )
            messages.success(request, _("Outcome %(label)s saved.") % {"label": outcome.label})
            return redirect("patients:alarm_handling")
    return render(
        request,
        "clinic/admin/outcome_edit.html",
        {"outcome": outcome, "form": form},
        status=400 if request.method == "POST" else 200,
    )
