"""Scopes of system API clients: reading FHIR needs fhir:read, writing (the transaction
Bundle) needs measurements:submit; without the scope the answer is a 403 OperationOutcome."""

from __future__ import annotations

import pytest

from interop import services
from interop.models import ApiCredential
from monitoring.models import Measurement
from tests.interop.conftest import batch, bearer
from tests.interop.test_fhir_api import _bundle

pytestmark = pytest.mark.django_db

READ = ApiCredential.Scope.FHIR_READ
SUBMIT = ApiCredential.Scope.MEASUREMENTS_SUBMIT


def _token(organisation, scopes) -> str:
    return services.credential_issue(
        kind=ApiCredential.Kind.SYSTEM, name="EPJ", organisation=organisation, scopes=scopes
    )[1]


def _forbidden(response) -> None:
    assert response.status_code == 403
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "forbidden"


def test_a_read_only_client_reads_but_cannot_submit(client, citizen, org_municipality):
    token = _token(org_municipality, [READ])
    read = client.get(f"/fhir/Patient/{citizen.pk}", **bearer(token))
    assert read.status_code == 200
    observations = client.get("/fhir/Observation", {"patient": citizen.pk}, **bearer(token))
    assert observations.status_code == 200
    write = client.post(
        "/fhir/", _bundle(citizen), content_type="application/fhir+json", **bearer(token)
    )
    _forbidden(write)
    assert "measurements:submit" in write.json()["issue"][0]["diagnostics"]
    assert not Measurement.objects.filter(patient=citizen).exists()


def test_a_submit_only_client_submits_but_cannot_read(client, citizen, org_municipality):
    token = _token(org_municipality, [SUBMIT])
    for url, params in [
        (f"/fhir/Patient/{citizen.pk}", {}),
        ("/fhir/Patient", {"identifier": f"urn:oid:1.2.208.176.1.2|{citizen.cpr}"}),
        ("/fhir/Observation", {"patient": citizen.pk}),
        ("/fhir/QuestionnaireResponse", {"patient": citizen.pk}),
    ]:
        response = client.get(url, params, **bearer(token))
        _forbidden(response)
        assert citizen.first_name not in response.content.decode()
    write = client.post(
        "/fhir/", _bundle(citizen), content_type="application/fhir+json", **bearer(token)
    )
    assert write.status_code == 200, write.json()
    assert Measurement.objects.filter(patient=citizen).count() == 1


def test_a_system_credential_needs_a_known_scope():
    from patients.models import Organisation

    organisation = Organisation.objects.create(name="X", kind="municipality", sor_code="91")
    with pytest.raises(services.CredentialError):
        _token(organisation, [])
    with pytest.raises(services.CredentialError):
        _token(organisation, ["fhir:write-everything"])


def test_tokens_issued_without_scopes_keep_the_access_systems_had(org_municipality):
    credential, _ = services.credential_issue(
        kind=ApiCredential.Kind.SYSTEM, name="EPJ", organisation=org_municipality
    )
    assert credential.scopes == [READ, SUBMIT]


def test_device_tokens_upload_and_read_the_catalogue(client, device_token):
    catalogue = client.get("/api/v1/measurement-types/", **bearer(device_token))
    assert catalogue.status_code == 200
    upload = client.post(
        "/api/v1/measurements/",
        {"device_id": "gw-1", "measurements": batch(2)},
        content_type="application/json",
        **bearer(device_token),
    )
    assert upload.status_code == 201, upload.json()


def test_a_system_client_with_the_submit_scope_is_still_not_a_device(client, org_municipality):
    token = _token(org_municipality, [SUBMIT])
    upload = client.post(
        "/api/v1/measurements/",
        {"device_id": "gw-1", "measurements": batch(1)},
        content_type="application/json",
        **bearer(token),
    )
    assert upload.status_code == 403
    assert "detail" in upload.json()
