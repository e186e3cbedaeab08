"""The doctor's pages: patients I have treatment responsibility for (behandlingsansvar)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alarms import selectors
from alarms.views import _rows, _summary
from telemed.audit import audit_record
from telemed.roles import Role, role_required


@require_GET
@role_required(Role.DOCTOR)
def doctor_home(request: HttpRequest) -> HttpResponse:
    patients = _rows(selectors.patients_for_doctor(user=request.user))
    audit_record(request=request, action="view", what="Doctor home: my patients")
    return render(
        request,
        "alarms/doctor_home.html",
        {"patients": patients, "summary": _summary(patients), "show_team": True},
    )
