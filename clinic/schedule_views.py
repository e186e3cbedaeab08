"""The patient page's schedules tab: see each questionnaire's schedule and change it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinic import schedule_page
from clinic.patient_views import CLINICIANS, tab_page
from clinic.schedule_forms import ScheduleForm
from monitoring.models import Schedule
from monitoring.schedule_versions import ScheduleError, schedule_change
from patients.access import MONITOR, get_patient_for_user, user_has_patient_perm
from patients.models import Patient
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import role_required


def _context(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    refused: tuple[int, ScheduleForm] | None = None,
) -> dict[str, Any]:
    shown = schedule_page.patient_schedules(patient_id=patient.pk)
    can_change = user_has_patient_perm(request.user, patient, MONITOR)
    for row in shown:
        if refused and refused[0] == row.schedule.pk:
            row.form = refused[1]  # type: ignore[attr-defined]
        elif can_change and not row.stopped:
            row.form = ScheduleForm.for_schedule(row.schedule)  # type: ignore[attr-defined]
    return {"schedules": shown, "can_change": can_change, "refused_pk": refused and refused[0]}


@require_GET
@role_required(*CLINICIANS)
def patient_schedules(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Patient page: schedules")
    return tab_page(
        request, "clinic/patient/schedules.html", patient, "schedules", _context(request, patient)
    )


@require_POST
@role_required(*CLINICIANS)
def schedule_change_view(
    request: AuthenticatedHttpRequest, pk: int, schedule_pk: int
) -> HttpResponse:
    patient = get_patient_for_user(
        request, pk, what="Schedule changed", action="update", perm=MONITOR
    )
    schedule = get_object_or_404(Schedule, pk=schedule_pk, patient=patient)
    form = ScheduleForm(request.POST, prefix=f"s{schedule.pk}")
    if form.is_valid():
        try:
            schedule_change(
                schedule=schedule,
                rule=form.cleaned_data["rule"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ScheduleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The new schedule is in force from the next time it asks."))
            return redirect("patient:schedules", pk=patient.pk)
    return tab_page(
        request,
        "clinic/patient/schedules.html",
        patient,
        "schedules",
        _context(request, patient, refused=(schedule.pk, form)),
        status=400,
    )
