"""Measurement <-> FHIR Observation (FUT "ehealth-observation" shape).

* code: the national code (NPU / MCS, DNK codes live in the NPU register) and, when the type has
  one, the IEEE 11073 MDC code; valueQuantity in UCUM.
* referenceRange: the thresholds in force when the value was judged (the result's snapshot,
  never today's limits), one range typed RAL (red alarm limits) and one GAL (yellow), from
  urn:oid:1.2.208.184.100.1.
* interpretation: the severity, as HL7 v3 ObservationInterpretation (red = AA critical
  abnormal, yellow = A abnormal, green = N normal) plus Telemed's own severity code.
* source: typed by the citizen (performer = the patient), device (Observation.device with the
  device identifier) or clinic; also as a meta.tag so a round trip keeps it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from interop.fhir import systems
from interop.fhir.common import (
    FhirError,
    coding,
    decimal_json,
    instant,
    parse_datetime,
    patient_reference,
)

INTERPRETATION = {
    "red": ("AA", "Critical abnormal"),
    "yellow": ("A", "Abnormal"),
    "green": ("N", "Normal"),
}


def _quantity(value: str | None, measurement_type: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "value": decimal_json(Decimal(value)),
        "unit": measurement_type.display_unit,
        "system": systems.UCUM,
        "code": measurement_type.unit,
    }


def reference_ranges(snapshot: dict[str, Any] | None, measurement_type: Any) -> list[dict]:
    """RAL (red) and GAL (yellow) ranges from a result's thresholds snapshot."""
    limits = (snapshot or {}).get("limits") or {}
    ranges = []
    for code, display, low_key, high_key in (
        ("RAL", "Red alarm limits", "red_low", "red_high"),
        ("GAL", "Yellow alarm limits", "yellow_low", "yellow_high"),
    ):
        low = _quantity(limits.get(low_key), measurement_type)
        high = _quantity(limits.get(high_key), measurement_type)
        if low is None and high is None:
            continue
        entry: dict[str, Any] = {
            "type": {"coding": [coding(systems.REFERENCE_RANGE_TYPE, code, display)]}
        }
        if low is not None:
            entry["low"] = low
        if high is not None:
            entry["high"] = high
        ranges.append(entry)
    return ranges


def type_codings(measurement_type: Any) -> list[dict[str, str]]:
    codings = [
        coding(
            systems.CODE_SYSTEMS[measurement_type.code_system],
            measurement_type.code,
            measurement_type.name_da,
        )
    ]
    if measurement_type.ieee_code:
        codings.append(coding(systems.IEEE, measurement_type.ieee_code))
    return codings


def observation_to_fhir(measurement: Any, result: Any = None) -> dict[str, Any]:
    """One measurement (with ``type`` and ``patient`` loaded) and its TriageResult, if any."""
    measurement_type = measurement.type
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(measurement.pk),
        "meta": {"tag": [coding(systems.SOURCE, measurement.source)]},
        "identifier": [{"system": systems.URN, "value": f"urn:uuid:{measurement.client_uuid}"}],
        # Set aside by a clinician (measurement error, duplicate, device fault): withdrawn.
        "status": "entered-in-error" if measurement.ignored_at else "final",
        "category": [
            {"coding": [coding(systems.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")]}
        ],
        "code": {"coding": type_codings(measurement_type), "text": measurement_type.name_en},
        "subject": patient_reference(measurement.patient),
        "effectiveDateTime": instant(measurement.measured_at),
        "issued": instant(measurement.received_at),
        "valueQuantity": _quantity(str(measurement.value), measurement_type),
    }
    if measurement.source == "device" and measurement.device_id:
        resource["device"] = {
            "identifier": {"value": measurement.device_id},
            "display": measurement.device_id,
        }
    elif measurement.source == "typed":
        resource["performer"] = [{"reference": f"Patient/{measurement.patient_id}"}]
    if measurement.submission_id:
        resource["derivedFrom"] = [
            {"reference": f"QuestionnaireResponse/{measurement.submission_id}"}
        ]
    severity = measurement.severity or (result.severity if result is not None else None)
    if severity in INTERPRETATION:
        code, display = INTERPRETATION[severity]
        resource["interpretation"] = [
            {
                "coding": [
                    coding(systems.INTERPRETATION, code, display),
                    coding(systems.SEVERITY, severity),
                ],
                "text": severity,
            }
        ]
    if result is not None:
        ranges = reference_ranges(result.thresholds_snapshot, measurement_type)
        if ranges:
            resource["referenceRange"] = ranges
    return resource


@dataclass(frozen=True)
class ObservationData:
    """What Telemed needs from an incoming Observation; the type is matched by the caller."""

    codes: list[tuple[str, str]]  # (system, code)
    value: Decimal
    unit: str
    measured_at: datetime
    client_uuid: uuid.UUID | None
    device_id: str
    patient_reference: str  # "Patient/<id>" or ""
    patient_cpr: str  # from the reference's identifier, or ""


def observation_from_fhir(resource: Any, path: str = "Observation") -> ObservationData:
    if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
        raise FhirError(path, "must be an Observation")
    codings = (resource.get("code") or {}).get("coding") or []
    codes = [
        (str(c.get("system", "")), str(c.get("code", "")))
        for c in codings
        if isinstance(c, dict) and c.get("code")
    ]
    if not codes:
        raise FhirError(f"{path}.code", "needs a coding (NPU, MCS or IEEE)")
    quantity = resource.get("valueQuantity")
    if not isinstance(quantity, dict) or "value" not in quantity:
        raise FhirError(f"{path}.valueQuantity", "is required")
    try:
        value = Decimal(str(quantity["value"]))
    except (InvalidOperation, ValueError) as exc:
        raise FhirError(f"{path}.valueQuantity.value", "is not a number") from exc
    if not value.is_finite():
        raise FhirError(f"{path}.valueQuantity.value", "is not a number")
    unit = str(quantity.get("code") or quantity.get("unit") or "")
    effective = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get(
        "start"
    )
    measured_at = parse_datetime(effective, f"{path}.effectiveDateTime")
    client_uuid = None
    for identifier in resource.get("identifier") or []:
        raw = str(identifier.get("value", "")) if isinstance(identifier, dict) else ""
        if raw.startswith("urn:uuid:"):
            try:
                client_uuid = uuid.UUID(raw.removeprefix("urn:uuid:"))
            except ValueError as exc:
                raise FhirError(f"{path}.identifier", f"{raw!r} is not a urn:uuid") from exc
            break
    device = resource.get("device") or {}
    device_id = ""
    if isinstance(device, dict):
        device_id = str(
            (device.get("identifier") or {}).get("value") or device.get("display") or ""
        )
    subject = resource.get("subject") or {}
    if not isinstance(subject, dict):
        subject = {}
    identifier = subject.get("identifier") or {}
    cpr = str(identifier.get("value", "")) if identifier.get("system") == systems.CPR else ""
    return ObservationData(
        codes=codes,
        value=value,
        unit=unit,
        measured_at=measured_at,
        client_uuid=client_uuid,
        device_id=device_id[:100],
        patient_reference=str(subject.get("reference", "")),
        patient_cpr=cpr,
    )
