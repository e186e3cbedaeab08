"""What the triage list and the doctor's pages show, built from what the selectors read.

Each row is a small dataclass holding the patient and the texts and flags its template needs;
model instances are never decorated with extra attributes. Building a page's rows costs a fixed
number of queries (the measurement types, and for opened triage rows their open and recently
acknowledged results, the claims in force) however many rows there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from alarms import evaluation, reasons, selectors, services
from alarms.models import Claim, PatientTriage, TriageResult
from alarms.summary import OPEN
from alarms.threshold_templates import LimitRow
from clinic.contact import ContactCard, contact_cards
from monitoring.models import MeasurementType
from monitoring.severity import Severity
from patients.models import Patient
from telemed import display


def stored_number(raw: str | Decimal, decimals: int) -> str:
    """A stored value with its type's decimals (never rounded away), in the active language."""
    try:
        value = Decimal(raw)
    except (InvalidOperation, TypeError):
        return str(raw)
    return display.as_written(evaluation.show_value(value, decimals))


def _patient_url(pk: int, name: str = "patient:detail") -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # that page is not installed
        return None


def _triage(patient: Patient) -> PatientTriage | None:
    return getattr(patient, "triage", None)


# Triage list ------------------------------------------------------------------------------


@dataclass
class LatestValue:
    label: str
    text: str
    unit: str
    severity: str | None
    measured_at: datetime | None


@dataclass
class RecentAck:
    """One acknowledgement the nurse may still undo: one result, or all the green results
    she acknowledged at once (shown once, undone together)."""

    result: TriageResult  # the first of them: its undo undoes them all
    count: int = 1


@dataclass
class ClaimShown:
    """ "I'm on it": who handles the patient's open results, since when, until when."""

    name: str
    since: datetime
    until: datetime
    mine: bool


def claim_shown(claim: Claim, user: User | None) -> ClaimShown:
    nurse = claim.claimed_by
    return ClaimShown(
        name=nurse.get_full_name() or nurse.username,
        since=claim.claimed_at,
        until=claim.expires_at,
        mine=user is not None and nurse.pk == user.pk,
    )


def claims_shown(patient_ids: Sequence[int], user: User | None) -> dict[int, ClaimShown]:
    """The claim in force of each patient (one query whatever the number of patients)."""
    return {
        claim.patient_id: claim_shown(claim, user)
        for claim in services.claims_in_force(patient_ids)
    }


@dataclass
class Refused:
    """An acknowledgement that was refused: its form is shown again with what was typed."""

    pk: int
    error: str
    typed: dict[str, str]


@dataclass
class OpenResult:
    result: TriageResult
    reasons: list[str]
    error: str = ""
    typed: dict[str, str] = field(default_factory=dict)


@dataclass
class TriageRow:
    patient: Patient
    triage: PatientTriage | None
    age: int
    level: str
    url: str | None
    messages_url: str | None
    unread_messages: int
    reminder: str | None
    escalated: bool
    latest_values: list[LatestValue]
    last_data_at: datetime | None
    worst: TriageResult | None
    worst_reasons: list[str]
    is_new: bool
    expanded: bool
    claim: ClaimShown | None = None
    open_results: list[OpenResult] = field(default_factory=list)
    recent_acks: list[RecentAck] = field(default_factory=list)
    contact: ContactCard | None = None

    @property
    def pk(self) -> int:
        return self.patient.pk


def latest_values(latest: dict[str, Any], types: dict[str, MeasurementType]) -> list[LatestValue]:
    """The key values of a patient's triage summary, in the list's column order."""
    values: list[LatestValue] = []
    for key in selectors.KEY_TYPES:
        if key == "bp":
            systolic, diastolic = latest.get("bp_systolic"), latest.get("bp_diastolic")
            if systolic and diastolic:
                worst = evaluation.worst(
                    s for s in (systolic["severity"], diastolic["severity"]) if s
                )
                values.append(
                    LatestValue(
                        _("BP"),
                        f"{stored_number(systolic['value'], 0)}/"
                        f"{stored_number(diastolic['value'], 0)}",
                        "mmHg",
                        worst,
                        parse_datetime(systolic["measured_at"]),
                    )
                )
            continue
        entry, kind = latest.get(key), types.get(key)
        if entry and kind:
            values.append(
                LatestValue(
                    kind.short_name,
                    stored_number(entry["value"], kind.decimals),
                    kind.display_unit,
                    entry["severity"],
                    parse_datetime(entry["measured_at"]),
                )
            )
    return values


def triage_rows(
    patients: Sequence[Patient],
    *,
    since: datetime | None,
    open_ids: set[int],
    user: User | None = None,
    refused: Refused | None = None,
) -> list[TriageRow]:
    """The rows of the triage list: reasons, latest values, the new-red mark, and for the rows
    the nurse opened their open results and what she acknowledged in the last minutes.

    ``patients`` come from ``selectors.triage_list`` (or one patient with the same joins)."""
    types = {t.key: t for t in MeasurementType.objects.all()}
    expanded = [patient.pk for patient in patients if patient.pk in open_ids]
    open_results: dict[int, list[OpenResult]] = {pk: [] for pk in expanded}
    if expanded:
        for result in (
            TriageResult.objects.filter(OPEN, patient_id__in=expanded)
            .select_related("measurement__type", "submission__questionnaire")
            .order_by("patient_id", "-created_at")
        ):
            item = OpenResult(result, reasons.describe_all(result.reasons))
            if refused is not None and refused.pk == result.pk:
                item.error, item.typed = refused.error, refused.typed
            open_results[result.patient_id].append(item)
    recent: dict[int, list[RecentAck]] = {pk: [] for pk in expanded}
    if expanded and user is not None:
        for result in TriageResult.objects.filter(
            patient_id__in=expanded,
            acknowledged_by=user,
            acknowledged_at__gte=timezone.now() - services.UNDO_WINDOW,
        ).order_by("-acknowledged_at", "pk"):
            acks = recent[result.patient_id]
            # One action, one line: "acknowledge all green" stamps its results alike.
            if acks and acks[-1].result.acknowledged_at == result.acknowledged_at:
                acks[-1].count += 1
            else:
                acks.append(RecentAck(result))
    claims = claims_shown([patient.pk for patient in patients], user)
    contacts = contact_cards(expanded)
    today = timezone.localdate()
    rows = []
    for patient in patients:
        triage = _triage(patient)
        worst = triage.worst_result if triage else None
        rows.append(
            TriageRow(
                patient=patient,
                triage=triage,
                age=patient.age(today),
                level=triage.level if triage else Severity.GREEN,
                url=_patient_url(patient.pk),
                messages_url=_patient_url(patient.pk, "patient_messages:thread"),
                unread_messages=getattr(patient, "unread_messages", 0),
                reminder=getattr(patient, "reminder", None),
                escalated=getattr(patient, "escalated", False),
                latest_values=latest_values(triage.latest if triage else {}, types),
                last_data_at=triage.last_data_at if triage else None,
                worst=worst,
                worst_reasons=reasons.describe_all(worst.reasons) if worst else [],
                is_new=bool(
                    worst
                    and worst.severity == Severity.RED
                    and since is not None
                    and worst.created_at > since
                ),
                expanded=patient.pk in open_ids,
                claim=claims.get(patient.pk),
                open_results=open_results.get(patient.pk, []),
                recent_acks=recent.get(patient.pk, []),
                contact=contacts.get(patient.pk),
            )
        )
    return rows


# Doctor's pages ---------------------------------------------------------------------------


@dataclass
class DoctorRow:
    """A patient on the doctor's home page."""

    patient: Patient
    age: int
    worst_open_severity: str | None
    worst_reasons: list[str]
    last_data_at: datetime | None
    open_red: int
    open_yellow: int

    @property
    def pk(self) -> int:
        return self.patient.pk

    @property
    def outside(self) -> int:
        """Open results outside the thresholds (red or yellow)."""
        return self.open_red + self.open_yellow


def doctor_rows(patients: Sequence[Patient], *, today: date) -> list[DoctorRow]:
    """``patients`` come with ``with_open_results`` and the triage summary joined."""
    rows = []
    for patient in patients:
        triage = _triage(patient)
        worst = triage.worst_result if triage is not None else None
        rows.append(
            DoctorRow(
                patient=patient,
                age=patient.age(today),
                worst_open_severity=getattr(patient, "worst_open_severity", None),
                worst_reasons=reasons.describe_all(worst.reasons) if worst is not None else [],
                last_data_at=triage.last_data_at if triage is not None else None,
                open_red=triage.open_red if triage is not None else 0,
                open_yellow=triage.open_yellow if triage is not None else 0,
            )
        )
    return rows


@dataclass
class DoctorLine:
    """One measurement type on the doctor's review: the latest value against the thresholds."""

    type: MeasurementType
    limits: LimitRow | None
    value: Decimal | None
    value_text: str
    limit_texts: list[str]
    measured_at: datetime | None
    severity: str | None
    # The latest value judged against the limits in force now (alarms.evaluation), which may
    # differ from ``severity`` when the thresholds changed after it was measured.
    verdict: str | None


def verdict(value: Decimal | None, limits: LimitRow | None, mtype: MeasurementType) -> str | None:
    """Where a value lies against a limit row, by the evaluation rule; None without either."""
    if value is None or limits is None:
        return None
    info = evaluation.TypeInfo(mtype.key, mtype.short_name, mtype.display_unit, mtype.decimals)
    bounds = evaluation.Limits(
        limits.red_low, limits.yellow_low, limits.yellow_high, limits.red_high
    )
    return evaluation.evaluate_absolute(value, bounds, info).severity


def doctor_lines(
    latest: dict[str, Any], types: dict[str, MeasurementType], limits: dict[str, LimitRow]
) -> list[DoctorLine]:
    lines = []
    for key, mtype in sorted(types.items(), key=lambda kv: (kv[1].sort_order, kv[0])):
        last = latest.get(key)
        value = Decimal(last["value"]) if last else None
        row = limits.get(key)
        lines.append(
            DoctorLine(
                type=mtype,
                limits=row,
                value=value,
                value_text="–" if value is None else stored_number(value, mtype.decimals),
                limit_texts=[
                    "" if limit is None else stored_number(limit, mtype.decimals)
                    for limit in (row.values if row else [])
                ],
                measured_at=parse_datetime(last["measured_at"]) if last else None,
                severity=last["severity"] if last else None,
                verdict=verdict(value, row, mtype),
            )
        )
    return lines
