"""The device upload API as a collection point uses it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.test import override_settings
from django.utils import timezone

from alarms import services as alarm_services
from alarms.models import TriageResult
from interop import services
from interop.models import ApiCredential
from monitoring.models import Measurement
from telemed.models import AuditEvent
from tests.factories import PatientFactory, ThresholdFactory, ThresholdSetFactory, measurement_type
from tests.interop.conftest import batch, bearer

URL = "/api/v1/measurements/"


def post(client, token, body):
    return client.post(URL, body, content_type="application/json", **bearer(token))


def test_500_measurements_retried_are_stored_once_with_the_same_answer(
    client, citizen, device_token
):
    body = {"device_id": "gw-17", "measurements": batch(500)}

    first = post(client, device_token, body)
    again = post(client, device_token, body)

    assert first.status_code == 201, first.json()
    assert first.json()["created"] == 500
    assert again.status_code == 200
    assert again.json()["created"] == 0 and again.json()["duplicates"] == 500
    assert again.json()["measurements"] == first.json()["measurements"]
    assert Measurement.objects.filter(patient=citizen).count() == 500
    assert TriageResult.objects.filter(patient=citizen).count() == 500
    stored = Measurement.objects.filter(patient=citizen).first()
    assert stored.source == "device" and stored.device_id == "gw-17"


def test_each_reading_is_evaluated_against_the_patients_thresholds(client, citizen, device_token):
    thresholds = ThresholdSetFactory(kind="patient", patient=citizen)
    ThresholdFactory(
        threshold_set=thresholds, type=measurement_type("spo2"), red_low=85, yellow_low=90
    )
    items = batch(3)
    items[0]["value"], items[1]["value"], items[2]["value"] = "96", "88", "80"

    response = post(client, device_token, {"device_id": "gw", "measurements": items})

    assert [m["severity"] for m in response.json()["measurements"]] == ["green", "yellow", "red"]
    assert citizen.triage.level == "red"


def test_a_bad_item_rejects_the_batch_naming_the_item_and_why(client, citizen, device_token):
    items = batch(6)
    items[1]["type"] = "NPU99999"
    items[2]["unit"] = "kg"
    items[3]["value"] = "120"
    items[4]["measured_at"] = (timezone.now() + timedelta(days=1)).isoformat()
    items[5]["value"] = "not a number"

    response = post(client, device_token, {"device_id": "gw", "measurements": items})

    assert response.status_code == 400
    errors = {(e["index"], e["code"]) for e in response.json()["errors"]}
    assert (5, "invalid") in errors  # caught by the serializer, before the rules
    assert Measurement.objects.filter(patient=citizen).count() == 0

    items[5]["value"] = "95"
    response = post(client, device_token, {"device_id": "gw", "measurements": items})
    errors = {(e["index"], e["code"]) for e in response.json()["errors"]}
    assert errors == {
        (1, "unknown_type"),
        (2, "unit_mismatch"),
        (3, "implausible"),
        (4, "future"),
    }
    implausible = next(e for e in response.json()["errors"] if e["index"] == 3)
    assert "120" in implausible["detail"] and "100" in implausible["detail"]
    assert Measurement.objects.filter(patient=citizen).count() == 0


def test_errors_are_in_the_clients_language(client, device_token):
    items = batch(1, code="XYZ")
    response = client.post(
        URL,
        {"device_id": "gw", "measurements": items},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="da",
        **bearer(device_token),
    )
    assert response.json()["errors"][0]["detail"] == "Ukendt målingstype XYZ."


def test_batch_size_limits(client, device_token):
    assert post(client, device_token, {"device_id": "gw", "measurements": []}).status_code == 400
    too_many = post(client, device_token, {"device_id": "gw", "measurements": batch(1001)})
    assert too_many.status_code == 400


def test_codes_keys_and_ieee_codes_are_accepted(client, citizen, device_token):
    items = batch(3)
    items[1]["type"], items[2]["type"] = "spo2", "150456"
    assert post(client, device_token, {"device_id": "gw", "measurements": items}).status_code == 201
    assert Measurement.objects.filter(patient=citizen, type__key="spo2").count() == 3


def test_without_a_token_401_and_a_revoked_token_401(client, citizen, nurse, device_token):
    body = {"device_id": "gw", "measurements": batch(1)}
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert post(client, "tlm_wrong", body).status_code == 401

    credential = ApiCredential.objects.get(patient=citizen)
    services.credential_revoke(credential=credential, user=nurse)
    assert post(client, device_token, body).status_code == 401
    assert not Measurement.objects.exists()


def test_a_system_token_cannot_upload_as_a_device(client, system_token):
    body = {"device_id": "gw", "measurements": batch(1)}
    assert post(client, system_token, body).status_code == 403


def test_another_patient_and_an_unknown_cpr_look_the_same(
    client, citizen, other_team, org_municipality
):
    elsewhere = PatientFactory(monitoring_team=other_team)
    _, org_token = services.credential_issue(
        kind="device", name="Collection point", organisation=org_municipality
    )
    _, patient_token = services.credential_issue(kind="device", name="Tablet", patient=citizen)
    body = {"device_id": "gw", "measurements": batch(1)}

    other = post(client, patient_token, {**body, "patient": elsewhere.cpr})
    unknown = post(client, patient_token, {**body, "patient": "0101010000"})
    assert other.status_code == unknown.status_code == 403
    assert other.json() == unknown.json()

    # The organisation's collection point may upload for any of its patients, by CPR.
    assert post(client, org_token, {**body, "patient": elsewhere.cpr}).status_code == 201
    assert post(client, org_token, {**body, "patient": "0101010000"}).status_code == 403
    assert Measurement.objects.filter(patient=elsewhere).count() == 1


def test_one_audit_event_per_upload(client, citizen, device_token):
    post(client, device_token, {"device_id": "gw", "measurements": batch(20)})
    events = AuditEvent.objects.filter(patient=citizen)
    assert events.count() == 1
    assert events.get().action == "create" and "Tablet" in events.get().what


@override_settings(INTEROP_API_RATE="3/min")
def test_rate_limit_per_credential(client, citizen, device_token, org_municipality):
    body = {"device_id": "gw", "measurements": batch(1)}
    statuses = [post(client, device_token, body).status_code for _ in range(4)]
    assert statuses[-1] == 429
    # Another credential has its own budget.
    _, other = services.credential_issue(kind="device", name="Other", patient=citizen)
    assert post(client, other, body).status_code in (200, 201)


def test_a_concurrent_duplicate_is_retried_and_reported(client, citizen, device_token, monkeypatch):
    """Another request stored the same UUIDs between our pre-check and our insert: the unique
    constraint raises, the service retries once and reports them as duplicates."""
    body = {"device_id": "gw", "measurements": batch(5)}
    real = alarm_services.measurements_record
    calls = []

    def racing(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            real(**kwargs)  # the other request wins the race ...
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(services, "measurements_record", racing)
    response = post(client, device_token, body)

    assert response.status_code == 200
    assert response.json()["duplicates"] == 5
    assert all(m["status"] == "stored" for m in response.json()["measurements"])
    assert Measurement.objects.filter(patient=citizen).count() == 5


@pytest.mark.parametrize("size", [10, 300])
def test_upload_takes_a_fixed_number_of_queries(
    client, citizen, device_token, size, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = post(client, device_token, {"device_id": "gw", "measurements": batch(size)})
    assert response.status_code == 201


def test_measurement_types_list(client, device_token):
    response = client.get("/api/v1/measurement-types/", **bearer(device_token))
    assert response.status_code == 200
    spo2 = next(t for t in response.json() if t["code"] == "NPU03011")
    assert spo2["unit"] == "%" and spo2["ieee_code"] == "150456"
