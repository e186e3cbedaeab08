"""FHIR resources produced from Telemed data validate (fhir.resources R4B) and match the
FUT/MedCom-shaped examples in tests/interop/examples on what the profiles require."""

from __future__ import annotations

import json
from pathlib import Path

from alarms.models import TriageResult
from alarms.services.ignoring import ignore
from interop.fhir import systems
from interop.fhir.impression import clinical_impression_to_fhir
from interop.fhir.observation import observation_from_fhir, observation_to_fhir
from interop.fhir.patient import patient_from_fhir, patient_to_fhir
from interop.fhir.questionnaire import questionnaire_response_to_fhir, questionnaire_to_fhir
from interop.fhir.validate import errors
from monitoring.models import Measurement
from tests.factories import questionnaire
from tests.interop.helpers import record_kol_submission, record_spo2, with_spo2_limits

EXAMPLES = Path(__file__).parent / "examples"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def test_examples_themselves_are_valid_fhir():
    for path in EXAMPLES.glob("*.json"):
        assert errors(json.loads(path.read_text())) == [], path.name


def test_patient_has_the_dk_core_cpr_identifier(citizen):
    resource = patient_to_fhir(citizen)
    assert errors(resource) == []
    reference = example("patient-dk-core.json")
    assert resource["meta"] == reference["meta"]
    assert resource["identifier"] == [{"system": systems.CPR, "value": citizen.cpr}]
    assert resource["birthDate"] == citizen.birth_date.isoformat()
    assert patient_from_fhir(resource).cpr == citizen.cpr


def test_observation_codes_units_ranges_and_interpretation(citizen):
    with_spo2_limits(citizen)
    record_spo2(citizen, [86])
    measurement = Measurement.objects.select_related("type", "patient").get(patient=citizen)
    resource = observation_to_fhir(measurement, measurement.triage_result)

    assert errors(resource) == []
    reference = example("observation-spo2.json")
    assert resource["code"]["coding"][0]["system"] == reference["code"]["coding"][0]["system"]
    assert [c["code"] for c in resource["code"]["coding"]] == ["NPU03011", "150456"]
    assert resource["valueQuantity"] == reference["valueQuantity"]
    ranges = [
        (r["type"]["coding"][0]["system"], r["type"]["coding"][0]["code"], r["low"])
        for r in resource["referenceRange"]
    ]
    assert ranges == [
        (r["type"]["coding"][0]["system"], r["type"]["coding"][0]["code"], r["low"])
        for r in reference["referenceRange"]
    ]
    assert resource["interpretation"][0]["coding"][0]["code"] == "A"  # yellow
    assert resource["subject"]["identifier"] == reference["subject"]["identifier"] | {
        "value": citizen.cpr
    }
    assert resource["device"]["identifier"]["value"] == "gw-1"


def test_the_reference_range_is_the_thresholds_in_force_then_not_now(citizen):
    thresholds = with_spo2_limits(citizen)
    record_spo2(citizen, [86])
    thresholds.thresholds.update(red_low=80, yellow_low=82)  # a later edit (test shortcut)
    measurement = Measurement.objects.select_related("type", "patient").get(patient=citizen)
    resource = observation_to_fhir(measurement, measurement.triage_result)
    assert [r["low"]["value"] for r in resource["referenceRange"]] == [85, 88]


def test_observation_round_trip(citizen):
    record_spo2(citizen, [93.5])
    measurement = Measurement.objects.select_related("type", "patient").get(patient=citizen)
    data = observation_from_fhir(observation_to_fhir(measurement))
    assert data.value == measurement.value
    assert data.client_uuid == measurement.client_uuid
    assert data.measured_at == measurement.measured_at.replace(microsecond=0)
    assert data.patient_cpr == citizen.cpr
    assert ("urn:oid:1.2.208.176.2.1", "NPU03011") in data.codes


def test_questionnaire_response_and_questionnaire(citizen):
    submission = record_kol_submission(citizen)
    response = questionnaire_response_to_fhir(submission)
    assert errors(response) == []
    assert response["questionnaire"].startswith(f"{systems.QUESTIONNAIRE}/kol|")
    assert any(i["linkId"] == "measurement-pulse" for i in response["item"])
    assert errors(questionnaire_to_fhir(questionnaire("kol"))) == []
    assert errors(questionnaire_to_fhir(questionnaire("cat"))) == []


def test_clinical_impression_for_a_triage_result(citizen):
    with_spo2_limits(citizen)
    record_spo2(citizen, [80])
    result = TriageResult.objects.get(patient=citizen)
    resource = clinical_impression_to_fhir(result)
    assert errors(resource) == []
    codes = [c["code"] for c in resource["finding"][0]["itemCodeableConcept"]["coding"]]
    assert codes == ["AA", "red"]
    assert "80" in resource["summary"]
    assert resource["investigation"][0]["item"][0]["reference"] == (
        f"Observation/{result.measurement_id}"
    )


def test_an_ignored_measurement_is_entered_in_error(citizen, nurse):
    with_spo2_limits(citizen)
    record_spo2(citizen, [62])
    measurement = Measurement.objects.get(patient=citizen)
    assert observation_to_fhir(measurement)["status"] == "final"
    ignore(target=measurement, user=nurse, reason="measurement_error")
    measurement.refresh_from_db()
    resource = observation_to_fhir(measurement, measurement.triage_result)
    assert resource["status"] == "entered-in-error"
    assert not errors(resource)
