"""The doctor's pages: patients I have treatment responsibility for (behandlingsansvar).

The home page shows each patient's worst open result, when data last came in and whether
anything is outside the thresholds in force (the ones the doctor set in the referral or later);
the review page shows the latest values and results against those thresholds, read-only: the
acknowledgements are the monitoring nurses' work.
"""

from __future__ import annotations

from collections import Counter

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from alarms.models import ThresholdSet, TriageResult
from alarms.reasons import describe_all
from alarms.selectors import CURRENT_STATES, with_open_results
from alarms.threshold_templates import rows_of, with_rows
from clinic import presenters
from monitoring.models import MeasurementType
from monitoring.severity import TRIAGE_LEVELS
from patients.access import get_patient_for_user, patients_visible_to
from patients.models import Referral
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


@require_GET
@role_required(Role.DOCTOR)
def doctor_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    patients = list(
        with_open_results(
            patients_visible_to(request.user).filter(
                treating_doctor=request.user, state__in=CURRENT_STATES
            )
        ).select_related("monitoring_team", "triage", "triage__worst_result")
    )
    rows = presenters.doctor_rows(patients, today=timezone.localdate())
    counts = Counter(row.worst_open_severity for row in rows)
    referrals = list(
        Referral.objects.filter(referring_doctor=request.user)
        .exclude(status=Referral.Status.ACCEPTED)
        .select_related("receiving_organisation")[:20]
    )
    audit_record(request=request, action="view", what="Doctor home: my patients")
    return render(
        request,
        "clinic/doctor_home.html",
        {
            "patients": rows,
            "summary": [{"severity": s, "count": counts.get(s, 0)} for s in [*TRIAGE_LEVELS, None]],
            "referrals": referrals,
            "outside_count": sum(1 for row in rows if row.outside),
        },
    )


@require_GET
@role_required(Role.DOCTOR, Role.NURSE)
def doctor_patient(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Results against the thresholds")
    current = (
        with_rows(ThresholdSet.objects.filter(kind=ThresholdSet.Kind.PATIENT, patient=patient))
        .select_related("created_by")
        .order_by("-valid_from", "-version")
        .first()
    )
    limits, rules = rows_of(current)
    limit_by_key = {row.type.key: row for row in limits}
    triage = getattr(patient, "triage", None)
    latest = triage.latest if triage is not None else {}
    types = {
        t.key: t for t in MeasurementType.objects.filter(key__in=set(latest) | set(limit_by_key))
    }
    results = [
        presenters.OpenResult(result, describe_all(result.reasons))
        for result in TriageResult.objects.filter(patient=patient)
        .exclude(kind=TriageResult.Kind.MEASUREMENT, measurement__submission__isnull=False)
        .select_related("acknowledged_by", "submission__questionnaire", "measurement__type")
        .order_by("-created_at")[:25]
    ]
    return render(
        request,
        "clinic/doctor_patient.html",
        {
            "patient": patient,
            "current": current,
            "lines": presenters.doctor_lines(latest, types, limit_by_key),
            "rules": rules,
            "results": results,
            "patient_page": reverse("patient:detail", args=[patient.pk]),
        },
    )
