"""Ending monitoring from the patient page, and the list of patients whose monitoring ended."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alarms.models import TriageResult
from alarms.services.discharge import DischargeError, monitoring_end
from alarms.summary import OPEN
from clinic import ended
from clinic.discharge_forms import DischargeForm
from clinic.patient_views import CLINICIANS
from interop.models import ApiCredential
from monitoring.models import Schedule
from patients.access import MONITOR, get_patient_for_user
from patients.models import Patient, PatientState
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


def _what_happens(patient: Patient) -> dict[str, Any]:
    """What ending monitoring will close, for the confirmation page (three counts)."""
    return {
        "open_results": TriageResult.objects.filter(OPEN, patient=patient).count(),
        "tokens": ApiCredential.objects.filter(patient=patient, revoked_at__isnull=True).count(),
        "schedules": Schedule.objects.filter(patient=patient).current().count(),
        "keeps_view": patient.monitoring_team is not None
        and patient.monitoring_team.organisation.discharge_access == "keep_view",
    }


@require_http_methods(["GET", "POST"])
@role_required(*CLINICIANS)
def discharge_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    posting = request.method == "POST"
    patient = get_patient_for_user(
        request,
        pk,
        what="Monitoring ended" if posting else "Patient page: end monitoring",
        action="update" if posting else "view",
        perm=MONITOR,
    )
    patient = Patient.objects.select_related("monitoring_team__organisation").get(pk=patient.pk)
    if patient.state not in (PatientState.ACTIVE, PatientState.PAUSED):
        messages.info(request, _("Monitoring of this patient has already ended."))
        return redirect("patient:detail", pk=patient.pk)
    form = DischargeForm(request.POST if posting else None)
    if posting and form.is_valid():
        try:
            monitoring_end(
                patient=patient,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except DischargeError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Monitoring of %(name)s has ended. The record is kept.")
                % {"name": patient.full_name},
            )
            return redirect("alarms:ended")
    return render(
        request,
        "clinic/discharge.html",
        {"patient": patient, "form": form, **_what_happens(patient)},
        status=400 if posting else 200,
    )


@require_GET
@role_required(Role.NURSE)
def ended_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = ended.ended_page(request.user, request.GET.get("page"))
    audit_record(
        request=request,
        action="view",
        what=f"Ended patients list ({len(page.object_list)} patients shown)",
    )
    return render(request, "clinic/ended.html", {"page": page})
