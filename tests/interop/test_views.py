"""The nurse's Devices page and the admin's outbox page."""

from __future__ import annotations

import pytest

from interop.models import ApiCredential, FhirDestination, OutboxEntry
from telemed.models import AuditEvent
from tests.conftest import login
from tests.interop.conftest import batch, bearer


def devices_url(patient) -> str:
    return f"/patients/{patient.pk}/devices/"


def test_nurse_issues_a_token_that_is_shown_once_and_works(client, nurse, citizen):
    login(client, nurse)
    response = client.post(f"{devices_url(citizen)}issue/", {"name": "Tablet i stuen"})
    assert response.status_code == 302

    page = client.get(devices_url(citizen))
    token = page.context["new_token"]["token"]
    assert token in page.content.decode()
    assert token not in client.get(devices_url(citizen)).content.decode()  # only once
    credential = ApiCredential.objects.get(patient=citizen)
    assert credential.token_hash != token and token.startswith(credential.prefix)

    upload = client.post(
        "/api/v1/measurements/",
        {"device_id": "tab", "measurements": batch(1)},
        content_type="application/json",
        **bearer(token),
    )
    assert upload.status_code == 201


def test_revoking_stops_the_device(client, nurse, citizen):
    login(client, nurse)
    client.post(f"{devices_url(citizen)}issue/", {"name": "Tablet"})
    token = client.get(devices_url(citizen)).context["new_token"]["token"]
    credential = ApiCredential.objects.get(patient=citizen)

    response = client.post(f"{devices_url(citizen)}{credential.pk}/revoke/", follow=True)

    assert "revoked" in response.content.decode() or "tilbagekaldt" in response.content.decode()
    upload = client.post(
        "/api/v1/measurements/",
        {"device_id": "tab", "measurements": batch(1)},
        content_type="application/json",
        **bearer(token),
    )
    assert upload.status_code == 401


def test_an_empty_name_is_refused_with_a_message(client, nurse, citizen):
    login(client, nurse)
    response = client.post(f"{devices_url(citizen)}issue/", {"name": "  "})
    assert response.status_code == 400
    assert response.context["name_error"]
    assert not ApiCredential.objects.exists()


@pytest.mark.parametrize("persona", ["other_nurse", "outsider"])
def test_nurses_without_the_patient_get_404(client, request, citizen, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get(devices_url(citizen)).status_code == 404
    assert client.post(f"{devices_url(citizen)}issue/", {"name": "x"}).status_code == 404
    assert not ApiCredential.objects.exists()


def test_the_doctor_and_the_citizen_cannot_issue_tokens(client, doctor, citizen):
    login(client, doctor)
    assert client.get(devices_url(citizen)).status_code == 403
    client.logout()
    client.force_login(citizen.citizen_user)
    assert client.post(f"{devices_url(citizen)}issue/", {"name": "x"}).status_code == 403


def test_one_audit_event_per_page_view(client, nurse, citizen):
    login(client, nurse)
    client.get(devices_url(citizen))
    assert AuditEvent.objects.filter(patient=citizen).count() == 1


@pytest.mark.parametrize("count", [1, 12])
def test_devices_page_queries_are_fixed(
    client, nurse, citizen, count, django_assert_max_num_queries
):
    from interop import services

    for i in range(count):
        services.credential_issue(kind="device", name=f"D{i}", patient=citizen, created_by=nurse)
    login(client, nurse)
    with django_assert_max_num_queries(14):
        assert client.get(devices_url(citizen)).status_code == 200


@pytest.mark.parametrize("destinations", [1, 8])
def test_outbox_page_shows_state_per_destination(
    client, org_admin, citizen, destinations, django_assert_max_num_queries
):
    from tests.interop.helpers import record_spo2

    for i in range(destinations):
        FhirDestination.objects.create(name=f"Server {i}", base_url=f"https://s{i}.test/fhir")
    record_spo2(citizen, [95])
    OutboxEntry.objects.filter(destination__name="Server 0").update(
        status="failed", last_error="HTTP 503: unavailable"
    )
    login(client, org_admin)
    with django_assert_max_num_queries(12):
        response = client.get("/administration/outbox/")
    page = response.content.decode()
    assert "Server 0" in page and "HTTP 503: unavailable" in page
    partial = client.get("/administration/outbox/", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "Server 0" in partial.content.decode()


def test_outbox_retry_now(client, org_admin, citizen):
    from unittest import mock

    from tests.interop.helpers import record_spo2

    destination = FhirDestination.objects.create(name="S", base_url="https://s.test/fhir")
    record_spo2(citizen, [95])
    OutboxEntry.objects.update(status="failed")
    login(client, org_admin)
    with mock.patch("interop.receivers._queue") as queue:
        client.post(f"/administration/outbox/{destination.pk}/retry/")
    queue.assert_called_once_with([destination.pk])
    assert set(OutboxEntry.objects.values_list("status", flat=True)) == {"pending"}


def test_nurses_cannot_see_the_outbox(client, nurse):
    login(client, nurse)
    assert client.get("/administration/outbox/").status_code == 403
