"""Clinicians' start pages. They combine patients, monitoring and alarms, so they live here."""

from __future__ import annotations

from collections import Counter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from alarms import selectors
from telemed.audit import audit_record
from telemed.roles import Role, role_required


def _rows(patients) -> list:
    today = timezone.localdate()
    rows = list(patients)
    for patient in rows:
        patient.age_today = patient.age(today)
    return rows


def _summary(patients: list) -> list[dict]:
    """How many patients are at each worst open severity, in triage order."""
    order = ["red", "yellow", "missing", "green", None]
    counts = Counter(patient.worst_open_severity for patient in patients)
    return [{"severity": severity, "count": counts.get(severity, 0)} for severity in order]


@require_GET
@role_required(Role.NURSE)
def nurse_home(request: HttpRequest) -> HttpResponse:
    patients = _rows(selectors.patients_for_nurse(user=request.user))
    audit_record(request=request, action="view", what="Nurse home: patients of my teams")
    return render(
        request,
        "alarms/nurse_home.html",
        {
            "patients": patients,
            "summary": _summary(patients),
            "show_team": len({p.monitoring_team_id for p in patients}) > 1,
        },
    )

