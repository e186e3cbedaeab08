"""The doctor's pages: patients I have treatment responsibility for (behandlingsansvar).

The home page shows each patient's worst open result, when data last came in and whether
anything is outside the thresholds in force (the ones the doctor set in the referral or later);
the review page shows the latest values and results against those thresholds, read-only: the
acknowledgements are the monitoring nurses' work.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from alarms.models import ThresholdSet, TriageResult
from alarms.reasons import describe_all
from alarms.selectors import CURRENT_STATES, with_open_results
from alarms.threshold_templates import rows_of, with_rows
from monitoring.models import MeasurementType
from patients.access import get_patient_for_user, patients_visible_to
from patients.models import Referral
from telemed.audit import audit_record
from telemed.roles import Role, role_required

SEVERITY_ORDER = ["red", "yellow", "missing", "green", None]


@require_GET
@role_required(Role.DOCTOR)
def doctor_home(request: HttpRequest) -> HttpResponse:
    patients = list(
        with_open_results(
            patients_visible_to(request.user).filter(
                treating_doctor=request.user, state__in=CURRENT_STATES
            )
        ).select_related("monitoring_team", "triage", "triage__worst_result")
    )
    today = timezone.localdate()
    for patient in patients:
        patient.age_today = patient.age(today)
        triage = getattr(patient, "triage", None)
        worst = triage.worst_result if triage is not None else None
        patient.worst_reasons = describe_all(worst.reasons) if worst is not None else []
        patient.last_data_at = triage.last_data_at if triage is not None else None
        patient.outside = (triage.open_red + triage.open_yellow) if triage is not None else 0
        patient.open_red = triage.open_red if triage is not None else 0
        patient.open_yellow = triage.open_yellow if triage is not None else 0
    counts = Counter(p.worst_open_severity for p in patients)
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
            "patients": patients,
            "summary": [{"severity": s, "count": counts.get(s, 0)} for s in SEVERITY_ORDER],
            "referrals": referrals,
            "outside_count": sum(1 for p in patients if p.outside),
        },
    )


def _verdict(value: Decimal | None, row) -> str:
    """Where a value lies against a limit row (same rule as alarms.evaluation)."""
    if value is None or row is None:
        return "none"
    if (row.red_low is not None and value < row.red_low) or (
        row.red_high is not None and value > row.red_high
    ):
        return "red"
    if (row.yellow_low is not None and value < row.yellow_low) or (
        row.yellow_high is not None and value > row.yellow_high
    ):
        return "yellow"
    return "green"


@require_GET
@role_required(Role.DOCTOR, Role.NURSE)
def doctor_patient(request: HttpRequest, pk: int) -> HttpResponse:
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
    lines = []
    for key, mtype in sorted(types.items(), key=lambda kv: (kv[1].sort_order, kv[0])):
        last = latest.get(key)
        value = Decimal(last["value"]) if last else None
        row = limit_by_key.get(key)
        lines.append(
            {
                "type": mtype,
                "limits": row,
                "value": value,
                "measured_at": last and timezone.datetime.fromisoformat(last["measured_at"]),
                "severity": last["severity"] if last else None,
                "verdict": _verdict(value, row),
            }
        )
    results = list(
        TriageResult.objects.filter(patient=patient)
        .exclude(kind=TriageResult.Kind.MEASUREMENT, measurement__submission__isnull=False)
        .select_related("acknowledged_by", "submission__questionnaire", "measurement__type")
        .order_by("-created_at")[:25]
    )
    for result in results:
        result.described = describe_all(result.reasons)
    return render(
        request,
        "clinic/doctor_patient.html",
        {
            "patient": patient,
            "current": current,
            "lines": lines,
            "rules": rules,
            "results": results,
            "patient_page": reverse("patient:detail", args=[patient.pk]),
        },
    )
