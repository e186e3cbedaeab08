"""Checking uploaded measurement items before anything is stored (device API and FHIR write).

Every item is checked and every problem reported with the item's index, so a collection point
can fix its batch in one go: unknown type, unit mismatch, implausible value, time in the
future, a client UUID given twice in one batch. Pure: the measurement types are passed in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from alarms.services import Reading

# A device clock may run a little ahead; the storing service allows the same.
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class ItemInput:
    code: str  # NPU/MCS/DNK code (NPU03011), IEEE code (150456) or Telemed key (spo2)
    value: Decimal
    unit: str
    measured_at: datetime
    client_uuid: uuid.UUID | None


@dataclass(frozen=True)
class ItemError:
    index: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "code": self.code, "detail": self.message}


class TypeIndex:
    """Measurement types findable by national code, IEEE code or key."""

    def __init__(self, types: Iterable[Any]) -> None:
        self.by_code: dict[str, Any] = {}
        for measurement_type in types:
            self.by_code[measurement_type.code.upper()] = measurement_type
            self.by_code[measurement_type.key.upper()] = measurement_type
            if measurement_type.ieee_code:
                self.by_code[measurement_type.ieee_code.upper()] = measurement_type

    def find(self, code: str) -> Any | None:
        return self.by_code.get(code.strip().upper())


# Units a device may send for a type besides the UCUM code itself (the shown unit, and the
# spellings devices commonly use).
def _unit_accepted(measurement_type: Any, unit: str) -> bool:
    accepted = {
        measurement_type.unit,
        measurement_type.display_unit_da,
        measurement_type.display_unit_en,
    } - {""}
    if measurement_type.unit == "mm[Hg]":
        accepted.add("mmHg")
    if measurement_type.unit == "Cel":
        accepted.update({"°C", "C"})
    if measurement_type.unit == "/min":
        accepted.update({"bpm", "{beats}/min", "{breaths}/min"})
    return unit.strip() in accepted


def _plain(value: Decimal) -> str:
    """120.000 -> "120", 0.100 -> "0.1" (never "1E+2")."""
    return format(value.normalize(), "f")


def check_items(
    items: Iterable[ItemInput], types: TypeIndex, *, now: datetime
) -> tuple[list[Reading], list[ItemError]]:
    """Readings for the storing service, or every item's problems (then nothing is stored)."""
    readings: list[Reading] = []
    errors: list[ItemError] = []
    seen: dict[uuid.UUID, int] = {}
    for index, item in enumerate(items):
        measurement_type = types.find(item.code)
        if measurement_type is None:
            errors.append(
                ItemError(
                    index,
                    "type",
                    "unknown_type",
                    _("Unknown measurement type %(code)s.") % {"code": item.code},
                )
            )
            continue
        problem = False
        if not _unit_accepted(measurement_type, item.unit):
            errors.append(
                ItemError(
                    index,
                    "unit",
                    "unit_mismatch",
                    _("%(name)s is measured in %(expected)s, not %(unit)s.")
                    % {
                        "name": measurement_type.short_name,
                        "expected": measurement_type.unit,
                        "unit": item.unit or "–",
                    },
                )
            )
            problem = True
        if not measurement_type.is_plausible(item.value):
            errors.append(
                ItemError(
                    index,
                    "value",
                    "implausible",
                    _("%(name)s %(value)s is outside the plausible range %(low)s–%(high)s.")
                    % {
                        "name": measurement_type.short_name,
                        "value": _plain(item.value),
                        "low": _plain(measurement_type.plausible_min),
                        "high": _plain(measurement_type.plausible_max),
                    },
                )
            )
            problem = True
        if item.measured_at > now + FUTURE_TOLERANCE:
            errors.append(
                ItemError(
                    index, "measured_at", "future", _("The measurement time is in the future.")
                )
            )
            problem = True
        if item.client_uuid is not None:
            if item.client_uuid in seen:
                errors.append(
                    ItemError(
                        index,
                        "uuid",
                        "duplicate_in_batch",
                        _("The same UUID is used by item %(other)s in this batch.")
                        % {"other": seen[item.client_uuid]},
                    )
                )
                problem = True
            seen.setdefault(item.client_uuid, index)
        if not problem:
            readings.append(
                Reading(
                    type=measurement_type,
                    value=item.value,
                    measured_at=item.measured_at,
                    client_uuid=item.client_uuid,
                )
            )
    return (readings if not errors else []), errors


def type_for_codes(codes: Iterable[tuple[str, str]], types: TypeIndex) -> str:
    """The first of an Observation's (system, code) pairs Telemed knows, as a lookup code."""
    codes = list(codes)
    for _system, code in codes:
        if types.find(code) is not None:
            return code
    return codes[0][1] if codes else ""


def measurement_types_index(types: Mapping[str, Any] | Iterable[Any]) -> TypeIndex:
    return TypeIndex(types.values() if isinstance(types, Mapping) else types)
