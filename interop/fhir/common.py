"""Small helpers shared by the resource mappers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from interop.fhir import systems


class FhirError(ValueError):
    """Incoming FHIR that cannot be used; ``path`` says where (FHIRPath-like)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def instant(moment: datetime) -> str:
    """An aware datetime as a FHIR instant/dateTime in UTC, seconds precision."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_datetime(raw: Any, path: str) -> datetime:
    if not isinstance(raw, str):
        raise FhirError(path, "must be a dateTime string")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise FhirError(path, f"{raw!r} is not a FHIR dateTime") from exc
    if timezone.is_naive(moment):
        raise FhirError(path, "needs a time zone (e.g. Z or +01:00)")
    return moment


def decimal_json(value: Decimal) -> float | int:
    """FHIR JSON numbers: an integer when whole, else a float with the stored precision."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return int(normalized)
    return float(normalized)


def reference(resource_type: str, pk: int | str) -> dict[str, str]:
    return {"reference": f"{resource_type}/{pk}"}


def patient_reference(patient: Any) -> dict[str, Any]:
    """A reference with the CPR identifier too, so a receiving server can resolve it."""
    return {
        "reference": f"Patient/{patient.pk}",
        "identifier": {"system": systems.CPR, "value": patient.cpr},
        "display": patient.full_name,
    }


def coding(system: str, code: str, display: str = "") -> dict[str, str]:
    result = {"system": system, "code": code}
    if display:
        result["display"] = display
    return result
