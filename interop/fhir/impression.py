"""A TriageResult as a FHIR ClinicalImpression: the nurse-facing judgement of a reading.

status completed; ``investigation.item`` points at the Observation or QuestionnaireResponse
judged; ``finding`` carries the severity (HL7 interpretation + Telemed severity); ``summary``
the reasons in Danish; ``note`` the acknowledgement (kvittering) when there is one.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from alarms import reasons as reason_text
from interop.fhir import systems
from interop.fhir.common import coding, instant, patient_reference
from interop.fhir.observation import INTERPRETATION

SEVERITY_DISPLAY = {"red": "Rød", "yellow": "Gul", "green": "Grøn", "missing": "Manglende data"}


def clinical_impression_to_fhir(result: Any) -> dict[str, Any]:
    with translation.override("da"):
        summary = "; ".join(reason_text.describe_all(result.reasons or []))
    finding_codings = [coding(systems.SEVERITY, result.severity, SEVERITY_DISPLAY[result.severity])]
    if result.severity in INTERPRETATION:
        code, display = INTERPRETATION[result.severity]
        finding_codings.insert(0, coding(systems.INTERPRETATION, code, display))
    resource: dict[str, Any] = {
        "resourceType": "ClinicalImpression",
        "id": str(result.pk),
        "status": "completed",
        "code": {"text": "Telemonitoring triage"},
        "subject": patient_reference(result.patient),
        "effectiveDateTime": instant(result.created_at),
        "date": instant(result.created_at),
        "finding": [{"itemCodeableConcept": {"coding": finding_codings}}],
    }
    if summary:
        resource["summary"] = summary
    if result.measurement_id:
        investigated = f"Observation/{result.measurement_id}"
    elif result.submission_id:
        investigated = f"QuestionnaireResponse/{result.submission_id}"
    else:
        investigated = ""
    if investigated:
        resource["investigation"] = [
            {"code": {"text": "Telemonitoring data"}, "item": [{"reference": investigated}]}
        ]
    if result.acknowledged_at is not None:
        note = {
            "time": instant(result.acknowledged_at),
            "text": result.acknowledgement_note or "Kvitteret",
        }
        resource["note"] = [note]
    return resource
