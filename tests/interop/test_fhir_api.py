"""The FHIR read and write API as an external system (a region's EPJ) uses it."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest

from interop.fhir.validate import errors
from monitoring.models import Measurement
from telemed.models import AuditEvent
from tests.interop.conftest import bearer
from tests.interop.helpers import record_kol_submission, record_spo2, with_spo2_limits

EXAMPLES = Path(__file__).parent / "examples"


def get(client, token, url, **params):
    return client.get(url, params, **bearer(token))


def test_patient_read_and_search_by_cpr(client, citizen, system_token):
    response = get(client, system_token, f"/fhir/Patient/{citizen.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert errors(response.json()) == []
    found = get(
        client, system_token, "/fhir/Patient", identifier=f"urn:oid:1.2.208.176.1.2|{citizen.cpr}"
    )
    assert found.json()["total"] == 1
    assert found.json()["entry"][0]["resource"]["id"] == str(citizen.pk)


def test_an_outside_system_cannot_tell_a_patient_exists(
    client, citizen, outsider_system_token, device_token
):
    known = get(client, outsider_system_token, f"/fhir/Patient/{citizen.pk}")
    unknown = get(client, outsider_system_token, "/fhir/Patient/999999")
    assert known.status_code == unknown.status_code == 404
    assert known.json()["resourceType"] == "OperationOutcome"
    assert known.json()["issue"][0]["code"] == unknown.json()["issue"][0]["code"]
    search = get(client, outsider_system_token, "/fhir/Observation", patient=citizen.pk)
    assert search.json()["total"] == 0
    assert not AuditEvent.objects.filter(patient=citizen).exists()
    # Without a token, or with a device token: 401 / 403, whatever the patient.
    assert client.get(f"/fhir/Patient/{citizen.pk}").status_code == 401
    assert get(client, device_token, f"/fhir/Patient/{citizen.pk}").status_code == 403


def test_observations_validate_with_codes_units_and_reference_ranges(client, citizen, system_token):
    with_spo2_limits(citizen)
    record_spo2(citizen, [96, 87, 84])

    response = get(client, system_token, "/fhir/Observation", patient=citizen.pk)

    bundle = response.json()
    assert response.status_code == 200 and bundle["total"] == 3
    assert errors(bundle) == []
    for entry in bundle["entry"]:
        observation = entry["resource"]
        assert errors(observation) == []
        assert observation["code"]["coding"][0] == {
            "system": "urn:oid:1.2.208.176.2.1",
            "code": "NPU03011",
            "display": "Iltmætning (SpO2)",
        }
        assert observation["valueQuantity"]["system"] == "http://unitsofmeasure.org"
        assert observation["valueQuantity"]["code"] == "%"
        assert {r["type"]["coding"][0]["code"] for r in observation["referenceRange"]} == {
            "RAL",
            "GAL",
        }
    by_value = {
        e["resource"]["valueQuantity"]["value"]: e["resource"]["interpretation"][0]["text"]
        for e in bundle["entry"]
    }
    assert by_value == {96: "green", 87: "yellow", 84: "red"}
    events = AuditEvent.objects.filter(patient=citizen)
    assert events.count() == 1 and "Region EPJ" in events.get().what


def test_observation_search_by_code_date_and_paging(client, citizen, system_token):
    record_spo2(citizen, [95, 94, 93], days_ago=10)
    record_spo2(citizen, [92], days_ago=1)
    from datetime import timedelta

    from django.utils import timezone

    since = (timezone.localdate() - timedelta(days=3)).isoformat()
    recent = get(client, system_token, "/fhir/Observation", patient=citizen.pk, date=f"ge{since}")
    assert recent.json()["total"] == 1
    by_code = get(
        client,
        system_token,
        "/fhir/Observation",
        patient=citizen.pk,
        code="urn:oid:1.2.208.176.2.1|NPU21692",
    )
    assert by_code.json()["total"] == 0
    page = get(client, system_token, "/fhir/Observation", patient=citizen.pk, _count=2)
    assert len(page.json()["entry"]) == 2
    assert any(link["relation"] == "next" for link in page.json()["link"])
    bad = get(client, system_token, "/fhir/Observation", patient=citizen.pk, date="yesterday")
    assert bad.status_code == 400 and bad.json()["resourceType"] == "OperationOutcome"
    assert get(client, system_token, "/fhir/Observation").status_code == 400


@pytest.mark.parametrize("size", [3, 60])
def test_observation_search_takes_a_fixed_number_of_queries(
    client, citizen, system_token, size, django_assert_max_num_queries
):
    with_spo2_limits(citizen)
    record_spo2(citizen, [90] * size)
    with django_assert_max_num_queries(8):
        response = get(client, system_token, "/fhir/Observation", patient=citizen.pk)
    assert response.json()["total"] == size


def test_questionnaire_responses(client, citizen, system_token):
    record_kol_submission(citizen)
    response = get(client, system_token, "/fhir/QuestionnaireResponse", patient=citizen.pk)
    assert response.json()["total"] == 1
    assert errors(response.json()["entry"][0]["resource"]) == []


def _bundle(citizen) -> dict:
    bundle = json.loads((EXAMPLES / "bundle-transaction.json").read_text())
    bundle["entry"][0]["resource"]["subject"]["identifier"]["value"] = citizen.cpr
    return bundle


def test_transaction_bundle_is_a_conditional_create(client, citizen, system_token):
    bundle = _bundle(citizen)
    first = client.post(
        "/fhir/", bundle, content_type="application/fhir+json", **bearer(system_token)
    )
    again = client.post(
        "/fhir/", bundle, content_type="application/fhir+json", **bearer(system_token)
    )
    assert first.status_code == 200, first.json()
    assert first.json()["entry"][0]["response"]["status"] == "201 Created"
    assert again.json()["entry"][0]["response"]["status"] == "200 OK"
    assert (
        again.json()["entry"][0]["response"]["location"]
        == (first.json()["entry"][0]["response"]["location"])
    )
    stored = Measurement.objects.get(patient=citizen)
    assert stored.type.code == "NPU21692" and stored.value == 82
    assert stored.triage_result.severity == "green"  # evaluated like any reading


def test_a_bad_entry_rejects_the_whole_bundle(client, citizen, system_token):
    bundle = _bundle(citizen)
    second = copy.deepcopy(bundle["entry"][0])
    second["resource"]["identifier"][0]["value"] = f"urn:uuid:{uuid.uuid4()}"
    second["resource"]["valueQuantity"]["value"] = 400
    bundle["entry"].append(second)
    response = client.post(
        "/fhir/", bundle, content_type="application/fhir+json", **bearer(system_token)
    )
    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert issue["expression"] == ["Bundle.entry[1]"] and "400" in issue["diagnostics"]
    assert "20–250" in issue["diagnostics"]  # the plausible range, in the caller's language
    assert not Measurement.objects.exists()


def test_a_bundle_for_a_patient_out_of_scope_stores_nothing(client, citizen, outsider_system_token):
    response = client.post(
        "/fhir/",
        _bundle(citizen),
        content_type="application/fhir+json",
        **bearer(outsider_system_token),
    )
    assert response.status_code == 400
    assert "unknown patient" in response.json()["issue"][0]["diagnostics"]
    assert not Measurement.objects.exists()


def test_capability_statement_is_public_and_valid(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200 and errors(response.json()) == []
