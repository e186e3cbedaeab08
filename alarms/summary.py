"""The per-patient triage summary (alarms.models.PatientTriage): computing it from the source rows.

``compute`` reads the results and measurements of a set of patients in a fixed number of
queries; ``triage_refresh`` (services) stores it, ``triage_check`` compares it with what is
stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, IntegerField, Max, Min, Q, Value, When

from alarms.models import TriageResult
from monitoring.models import Measurement, Submission
from monitoring.severity import SEVERITY_RANK, Severity


def open_q(prefix: str = "") -> Q:
    """Results still waiting for a clinician: not acknowledged, not resolved by a late answer,
    not set aside as a measurement error, duplicate or device fault. ``prefix`` reaches them
    through a relation (``"result__"``)."""
    return Q(
        **{
            f"{prefix}acknowledged_at__isnull": True,
            f"{prefix}resolved_at__isnull": True,
            f"{prefix}ignored_at__isnull": True,
        }
    )


OPEN = open_q()

SEVERITY_RANK_SQL = Case(
    *[When(severity=severity, then=Value(rank)) for severity, rank in SEVERITY_RANK.items()],
    output_field=IntegerField(),
)


@dataclass
class Summary:
    level: str = Severity.GREEN
    level_rank: int = 0
    waiting_since: datetime | None = None
    worst_result_id: int | None = None
    open_red: int = 0
    open_yellow: int = 0
    open_missing: int = 0
    open_green: int = 0
    latest: dict[str, dict[str, str | None]] = field(default_factory=dict)
    last_data_at: datetime | None = None

    def as_fields(self) -> dict[str, object]:
        return {
            "level": self.level,
            "level_rank": self.level_rank,
            "waiting_since": self.waiting_since,
            "worst_result_id": self.worst_result_id,
            "open_red": self.open_red,
            "open_yellow": self.open_yellow,
            "open_missing": self.open_missing,
            "open_green": self.open_green,
            "latest": self.latest,
            "last_data_at": self.last_data_at,
        }


def compute(patient_ids: Iterable[int]) -> dict[int, Summary]:
    """Summaries for the given patients, in four queries whatever their number."""
    ids = sorted(set(patient_ids))
    summaries = {pid: Summary() for pid in ids}
    if not ids:
        return summaries

    open_results = TriageResult.objects.filter(OPEN, patient_id__in=ids)
    oldest: dict[tuple[int, str], datetime] = {}
    for row in open_results.values("patient_id", "severity").annotate(
        n=Count("id"), oldest=Min("created_at")
    ):
        summary = summaries[row["patient_id"]]
        setattr(summary, f"open_{row['severity']}", row["n"])
        oldest[(row["patient_id"], row["severity"])] = row["oldest"]

    # The newest open result at the patient's worst level: the one whose reasons are shown.
    worst = (
        open_results.annotate(rank=SEVERITY_RANK_SQL)
        .order_by("patient_id", "-rank", "-created_at", "-id")
        .distinct("patient_id")
        .values_list("patient_id", "id", "severity", "rank")
    )
    for patient_id, result_id, severity, rank in worst:
        summary = summaries[patient_id]
        summary.level, summary.level_rank = severity, rank
        summary.worst_result_id = result_id
        summary.waiting_since = oldest[(patient_id, severity)]

    latest = (
        # An ignored value (a measurement error) is not shown as the patient's latest.
        Measurement.objects.filter(patient_id__in=ids, ignored_at__isnull=True)
        .order_by("patient_id", "type_id", "-measured_at", "-id")
        .distinct("patient_id", "type_id")
        .values_list(
            "patient_id", "type__key", "value", "severity", "measured_at", "received_at", "id"
        )
    )
    for patient_id, key, value, measured_severity, measured_at, received_at, mid in latest:
        summary = summaries[patient_id]
        summary.latest[key] = {
            "value": str(value),
            "severity": measured_severity,
            "measured_at": measured_at.isoformat(),
            "received_at": received_at.isoformat(),
            "id": str(mid),
        }
        if summary.last_data_at is None or received_at > summary.last_data_at:
            summary.last_data_at = received_at

    received = Submission.objects.filter(patient_id__in=ids).values("patient_id")
    for submitted in received.annotate(last=Max("received_at")):
        summary = summaries[submitted["patient_id"]]
        if summary.last_data_at is None or submitted["last"] > summary.last_data_at:
            summary.last_data_at = submitted["last"]
    return summaries


def differences(stored: Mapping[str, object], computed: Summary) -> list[str]:
    """Field names where a stored summary differs from the computed one."""
    expected = computed.as_fields()
    return [name for name, value in expected.items() if stored.get(name) != value]
