"""Reads for the clinicians' patient lists.

Each list is one query: the open (unacknowledged, unresolved) triage results are summarised per
patient in correlated subqueries, so the page costs the same for 3 patients as for 300.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from alarms.models import TriageResult
from monitoring.severity import SEVERITY_RANK
from patients.models import Patient, PatientState

# Patients a clinician works with from the start page; discharged and deceased ones are history.
CURRENT_STATES = [PatientState.REFERRED, PatientState.ACTIVE, PatientState.PAUSED]


def severity_rank(field: str = "severity") -> Case:
    """SQL for the severity order red > yellow > missing data > green (monitoring.severity)."""
    return Case(
        *(When(**{field: severity}, then=Value(rank)) for severity, rank in SEVERITY_RANK.items()),
        output_field=IntegerField(),
    )


def _rank_to_severity() -> Case:
    return Case(
        *(When(worst_open_rank=rank, then=Value(str(sev))) for sev, rank in SEVERITY_RANK.items()),
        default=Value(None),
    )


def with_open_results(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate ``open_count``, ``worst_open_severity`` (None when nothing is open) and
    ``oldest_open_at``, ordered as the triage list: worst first, longest waiting first inside a
    level, patients with nothing open last."""
    open_results = (
        TriageResult.objects.filter(
            patient=OuterRef("pk"), acknowledged_at__isnull=True, resolved_at__isnull=True
        )
        .order_by()
        .values("patient")
    )
    return (
        patients.annotate(
            open_count=Coalesce(
                Subquery(open_results.annotate(n=Count("pk")).values("n")),
                Value(0),
            ),
            worst_open_rank=Subquery(
                open_results.annotate(rank=Max(severity_rank())).values("rank")
            ),
            oldest_open_at=Subquery(
                open_results.annotate(oldest=Min("created_at")).values("oldest")
            ),
        )
        .annotate(worst_open_severity=_rank_to_severity())
        .order_by(
            F("worst_open_rank").desc(nulls_last=True),
            F("oldest_open_at").asc(nulls_last=True),
            "last_name",
            "first_name",
            "pk",
        )
    )


def patients_for_nurse(*, user: Any) -> QuerySet[Patient]:
    """Current patients of the monitoring teams the nurse belongs to (Team.group membership)."""
    patients = Patient.objects.filter(
        monitoring_team__group__user=user, state__in=CURRENT_STATES
    ).select_related("monitoring_team")
    return with_open_results(patients)


def patients_for_doctor(*, user: Any) -> QuerySet[Patient]:
    """Current patients the doctor has treatment responsibility for (behandlingsansvar)."""
    patients = Patient.objects.filter(
        treating_doctor=user, state__in=CURRENT_STATES
    ).select_related("monitoring_team")
    return with_open_results(patients)
