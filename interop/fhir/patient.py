"""Patient <-> FHIR Patient (dk-core: CPR identifier urn:oid:1.2.208.176.1.2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interop.fhir import systems
from interop.fhir.common import FhirError
from patients import cpr as cpr_rules


def patient_to_fhir(patient: Any) -> dict[str, Any]:
    """The patient as a dk-core Patient. Gender follows the CPR rule (odd last digit: male)."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": {"profile": [systems.DK_CORE_PATIENT]},
        "identifier": [{"system": systems.CPR, "value": patient.cpr}],
        "active": patient.state in ("active", "paused", "referred"),
        "name": [
            {
                "use": "official",
                "family": patient.last_name,
                "given": patient.first_name.split(),
            }
        ],
        "gender": "female" if cpr_rules.is_female(patient.cpr) else "male",
        "birthDate": patient.birth_date.isoformat(),
    }
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    if patient.address:
        resource["address"] = [{"text": patient.address, "country": "DK"}]
    if patient.state == "deceased":
        resource["deceasedBoolean"] = True
    return resource


@dataclass(frozen=True)
class PatientData:
    cpr: str
    first_name: str
    last_name: str


def patient_from_fhir(resource: dict[str, Any]) -> PatientData:
    if resource.get("resourceType") != "Patient":
        raise FhirError("Patient", "resourceType must be Patient")
    cpr = next(
        (
            i.get("value", "")
            for i in resource.get("identifier", [])
            if isinstance(i, dict) and i.get("system") == systems.CPR
        ),
        "",
    )
    if not cpr_rules.is_valid(cpr):
        raise FhirError("Patient.identifier", f"needs a valid CPR number ({systems.CPR})")
    names = resource.get("name") or [{}]
    name = names[0] if isinstance(names[0], dict) else {}
    return PatientData(
        cpr=cpr,
        first_name=" ".join(name.get("given", [])),
        last_name=name.get("family", ""),
    )
