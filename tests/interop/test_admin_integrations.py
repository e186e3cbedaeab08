"""The organisation admin's Integrations area: FHIR destinations, system API clients, device
tokens, failed deliveries and the e-mail when deliveries start failing."""

from __future__ import annotations

from unittest import mock

import pytest
import requests
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interop import services
from interop.models import ApiCredential, FhirDestination, OutboxEntry
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import OrgAdminFactory, PatientFactory
from tests.interop.conftest import bearer
from tests.interop.helpers import record_spo2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """These tests read the pages' English texts (the Danish ones are the translations)."""
    client.cookies["django_language"] = "en"


START = "/administration/integrations/"
NEW_DESTINATION = "/administration/integrations/destinations/new/"
NEW_CLIENT = "/administration/integrations/clients/new/"
DEVICES = "/administration/integrations/devices/"
QUERIES_DEVICES = 6


def destination_url(destination, tail=""):
    return f"/administration/integrations/destinations/{destination.pk}/{tail}"


def client_url(credential, tail=""):
    return f"/administration/integrations/clients/{credential.pk}/{tail}"


def _destination(organisation, **kwargs):
    values = {"name": "Region FHIR", "base_url": "https://fhir.region.test/fhir"}
    values.update(kwargs)
    return FhirDestination.objects.create(organisation=organisation, **values)


def _form(**overrides):
    data = {
        "name": "Region FHIR",
        "base_url": "https://fhir.region.test/fhir",
        "authentication": "none",
        "bearer_token": "",
        "active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def other_admin(outsider):
    return OrgAdminFactory(organisation=outsider.clinician.organisation).user


def _events(what):
    return AuditEvent.objects.filter(what=what).count()


# Access -----------------------------------------------------------------------------------------


def test_only_admins_reach_the_area(client, nurse, doctor, citizen):
    for user in (nurse, doctor, citizen.citizen_user):
        login(client, user)
        for url in (START, NEW_DESTINATION, NEW_CLIENT, DEVICES):
            assert client.get(url).status_code == 403, (user, url)
        client.logout()
    assert client.get(START).status_code == 302  # to the login page


def test_the_start_page_lists_only_the_admins_organisation(
    client, org_admin, org_municipality, other_admin, outsider
):
    _destination(org_municipality, name="Our region")
    _destination(outsider.clinician.organisation, name="Their region")
    services.credential_issue(
        kind="system", name="Our EPJ", organisation=org_municipality, scopes=["fhir:read"]
    )
    services.credential_issue(
        kind="system", name="Their EPJ", organisation=outsider.clinician.organisation
    )
    login(client, org_admin)
    page = client.get(START).content.decode()
    assert "Our region" in page and "Our EPJ" in page
    assert "Their region" not in page and "Their EPJ" not in page
    assert 'href="/admin/' not in page
    assert "/administration/integrations/devices/" in page


def test_the_admin_home_and_nav_link_to_the_area(client, org_admin):
    login(client, org_admin)
    assert START in client.get("/administration/").content.decode()
    assert START in client.get("/administration/users/").content.decode()


def test_another_organisations_things_are_404(client, org_admin, outsider):
    theirs = _destination(outsider.clinician.organisation)
    their_client, _ = services.credential_issue(
        kind="system", name="Their EPJ", organisation=outsider.clinician.organisation
    )
    login(client, org_admin)
    for url in (destination_url(theirs), destination_url(theirs, "edit/")):
        assert client.get(url).status_code == 404
    for url in (
        destination_url(theirs, "active/"),
        destination_url(theirs, "delete/"),
        destination_url(theirs, "send-again/"),
        client_url(their_client, "rotate/"),
        client_url(their_client, "revoke/"),
    ):
        assert client.post(url).status_code == 404
    assert client.get(client_url(their_client)).status_code == 404
    their_client.refresh_from_db()
    assert their_client.is_active
    assert FhirDestination.objects.filter(pk=theirs.pk).exists()


# FHIR destinations ------------------------------------------------------------------------------


def test_admin_adds_a_destination_for_her_organisation(client, org_admin, org_municipality):
    login(client, org_admin)
    response = client.post(
        NEW_DESTINATION, _form(authentication="bearer", bearer_token="s3cret-token")
    )
    destination = FhirDestination.objects.get()
    assert response.status_code == 302
    assert response["Location"] == destination_url(destination)
    assert destination.organisation == org_municipality
    assert destination.bearer_token == "s3cret-token" and destination.active
    assert _events("Integrations: FHIR destination added") == 1


def test_in_production_the_url_must_be_https(client, org_admin, settings):
    settings.DEBUG = False
    login(client, org_admin)
    response = client.post(NEW_DESTINATION, _form(base_url="http://fhir.region.test/fhir"))
    assert response.status_code == 400
    assert "must start with https://" in response.content.decode()
    assert 'value="Region FHIR"' in response.content.decode()  # nothing typed is lost
    assert not FhirDestination.objects.exists()
    assert _events("Integrations: FHIR destination added") == 0


def test_in_development_http_is_accepted(client, org_admin, settings):
    settings.DEBUG = True
    login(client, org_admin)
    response = client.post(NEW_DESTINATION, _form(base_url="http://localhost:8080/fhir"))
    assert response.status_code == 302
    assert FhirDestination.objects.get().base_url == "http://localhost:8080/fhir"


def test_bad_input_gets_a_message_next_to_the_field(client, org_admin):
    login(client, org_admin)
    response = client.post(
        NEW_DESTINATION, _form(name="", base_url="not a url", authentication="bearer")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count('class="field__error"') >= 3
    assert "Enter the token the FHIR server gave you" in page
    assert not FhirDestination.objects.exists()


def test_the_token_is_write_only_and_kept_when_left_empty(client, org_admin, org_municipality):
    destination = _destination(org_municipality, bearer_token="very-secret-token")
    login(client, org_admin)
    for url in (destination_url(destination), destination_url(destination, "edit/"), START):
        assert "very-secret-token" not in client.get(url).content.decode()
    response = client.post(
        destination_url(destination, "edit/"),
        _form(name="Region FHIR 2", authentication="bearer", bearer_token=""),
    )
    assert response.status_code == 302
    destination.refresh_from_db()
    assert destination.name == "Region FHIR 2"
    assert destination.bearer_token == "very-secret-token"
    client.post(
        destination_url(destination, "edit/"), _form(authentication="bearer", bearer_token="new")
    )
    destination.refresh_from_db()
    assert destination.bearer_token == "new"
    client.post(destination_url(destination, "edit/"), _form(authentication="none"))
    destination.refresh_from_db()
    assert destination.bearer_token == ""
    assert _events("Integrations: FHIR destination changed") == 3


def test_pause_and_enable(client, org_admin, org_municipality, citizen):
    destination = _destination(org_municipality)
    login(client, org_admin)
    client.post(destination_url(destination, "active/"), {"active": "0"})
    destination.refresh_from_db()
    assert not destination.active
    record_spo2(citizen, [95])
    assert not OutboxEntry.objects.exists()  # paused: new data is not queued for it
    with mock.patch("interop.receivers._queue"):
        client.post(destination_url(destination, "active/"), {"active": "1"})
    destination.refresh_from_db()
    assert destination.active
    assert _events("Integrations: FHIR destination paused") == 1
    assert _events("Integrations: FHIR destination enabled") == 1


def test_a_destination_with_outbox_entries_cannot_be_deleted(
    client, org_admin, org_municipality, citizen
):
    used = _destination(org_municipality, name="Used")
    record_spo2(citizen, [95])
    unused = _destination(org_municipality, name="Unused")
    login(client, org_admin)
    response = client.post(destination_url(used, "delete/"), follow=True)
    assert "Pause it instead" in response.content.decode()
    assert FhirDestination.objects.filter(pk=used.pk).exists()
    client.post(destination_url(unused, "delete/"))
    assert not FhirDestination.objects.filter(pk=unused.pk).exists()
    assert _events("Integrations: FHIR destination deleted") == 1


# Failed deliveries ------------------------------------------------------------------------------


def _fail_all(destination, error="HTTP 503: unavailable"):
    OutboxEntry.objects.filter(destination=destination).update(
        status="failed", attempts=12, last_error=error
    )


def test_failed_deliveries_are_listed_with_a_fixed_number_of_queries(
    client, org_admin, org_municipality, team
):
    destination = _destination(org_municipality)
    login(client, org_admin)

    def page_for(patients: int) -> tuple[str, int]:
        people = [PatientFactory(monitoring_team=team) for _ in range(patients)]
        for person in people:
            record_spo2(person, [95, 96])
        _fail_all(destination)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(destination_url(destination))
        assert response.status_code == 200
        page = response.content.decode()
        for person in people:
            assert person.masked_cpr in page and person.cpr not in page
        return page, len(queries)

    small, few = page_for(1)
    large, many = page_for(6)
    per_patient = small.count("Send again<span")
    assert per_patient >= 2  # the two measurements (and their results)
    assert large.count("Send again<span") == 7 * per_patient
    assert "HTTP 503: unavailable" in large
    assert few == many, "the failed list must not cost a query per entry"


def test_the_failed_list_is_audited_once_and_shows_no_clinical_data(
    client, org_admin, org_municipality, citizen
):
    destination = _destination(org_municipality)
    record_spo2(citizen, [87])
    _fail_all(destination)
    login(client, org_admin)
    page = client.get(destination_url(destination)).content.decode()
    assert _events("Admin: failed deliveries of a FHIR destination") == 1
    assert "Observation" in page and "87" not in page.split("Failed deliveries", 1)[1]


def test_send_again_one_entry_and_all(client, org_admin, org_municipality, citizen):
    destination = _destination(org_municipality)
    record_spo2(citizen, [95, 96, 97])
    _fail_all(destination)
    first, *_rest = OutboxEntry.objects.order_by("pk")
    login(client, org_admin)
    assert client.get(destination_url(destination, "send-again/")).status_code == 405
    with mock.patch("interop.receivers._queue") as queue:
        with_commit = client.post(destination_url(destination, f"entries/{first.pk}/send-again/"))
    assert with_commit.status_code == 302
    first.refresh_from_db()
    assert first.status == "pending"
    assert {e.status for e in OutboxEntry.objects.exclude(pk=first.pk)} == {"failed"}
    with mock.patch("interop.receivers._queue") as queue:
        client.post(destination_url(destination, "send-again/"))
    assert set(OutboxEntry.objects.values_list("status", flat=True)) == {"pending"}
    assert _events("Integrations: a failed delivery sent again") == 1
    assert _events("Integrations: failed deliveries sent again") == 1
    del queue


def test_send_again_needs_csrf(org_admin, org_municipality, citizen):
    from django.test import Client

    destination = _destination(org_municipality)
    record_spo2(citizen, [95])
    _fail_all(destination)
    strict = Client(enforce_csrf_checks=True)
    login(strict, org_admin)
    assert strict.post(destination_url(destination, "send-again/")).status_code == 403
    assert set(OutboxEntry.objects.values_list("status", flat=True)) == {"failed"}


# The e-mail when deliveries start failing -------------------------------------------------------


def _down(*args, **kwargs):
    raise requests.ConnectionError("connection refused")


def _ok(*args, **kwargs):
    response = requests.Response()
    response.status_code = 200
    response._content = b"{}"
    return response


def test_the_admins_get_one_email_when_deliveries_start_failing(
    org_admin, org_municipality, citizen, nurse
):
    english = OrgAdminFactory(organisation=org_municipality, language="en").user
    destination = _destination(org_municipality)
    record_spo2(citizen, [95])
    with mock.patch("interop.services.requests.post", side_effect=_down):
        services.outbox_deliver(destination_id=destination.pk)
        OutboxEntry.objects.update(next_attempt_at=OutboxEntry.objects.first().created_at)
        record_spo2(citizen, [96])
        services.outbox_deliver(destination_id=destination.pk)
    # Two failed deliveries, one e-mail per admin (not the nurse), each in her language.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org_admin.email, english.email])
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Region FHIR" in by_address[org_admin.email].subject
    assert "fejler" in by_address[org_admin.email].subject or "Region FHIR" in (
        by_address[org_admin.email].body
    )
    assert by_address[english.email].subject == "Telemed: deliveries to Region FHIR are failing"
    assert f"/administration/integrations/destinations/{destination.pk}/" in (
        by_address[english.email].body
    )
    assert citizen.cpr not in by_address[english.email].body
    assert citizen.last_name not in by_address[english.email].body
    destination.refresh_from_db()
    assert destination.failing_since is not None


def test_after_recovery_a_new_failure_emails_again(org_admin, org_municipality, citizen):
    destination = _destination(org_municipality)
    record_spo2(citizen, [95])
    with mock.patch("interop.services.requests.post", side_effect=_down):
        services.outbox_deliver(destination_id=destination.pk)
    assert len(mail.outbox) == 1
    OutboxEntry.objects.update(next_attempt_at=OutboxEntry.objects.first().created_at)
    with mock.patch("interop.services.requests.post", side_effect=_ok):
        assert services.outbox_deliver(destination_id=destination.pk).sent >= 1
    destination.refresh_from_db()
    assert destination.failing_since is None
    record_spo2(citizen, [96])
    with mock.patch("interop.services.requests.post", side_effect=_down):
        services.outbox_deliver(destination_id=destination.pk)
    assert len(mail.outbox) == 2


def test_a_destination_of_another_organisation_does_not_email_our_admins(
    org_admin, outsider, citizen
):
    from tests.factories import TeamFactory

    elsewhere = outsider.clinician.organisation
    their_admin = OrgAdminFactory(organisation=elsewhere).user
    theirs = _destination(elsewhere)
    stranger = PatientFactory(monitoring_team=TeamFactory(organisation=elsewhere))
    record_spo2(stranger, [95])
    with mock.patch("interop.services.requests.post", side_effect=_down):
        services.outbox_deliver(destination_id=theirs.pk)
    assert [m.to for m in mail.outbox] == [[their_admin.email]]


# System API clients -----------------------------------------------------------------------------


def test_the_secret_is_shown_once_and_only_its_prefix_is_kept(
    client, org_admin, org_municipality, citizen
):
    login(client, org_admin)
    response = client.post(NEW_CLIENT, {"name": "Region EPJ", "scopes": ["fhir:read"]})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"]
    credential = ApiCredential.objects.get(kind="system")
    page = response.content.decode()
    token = page.split('id="token-value">', 1)[1].split("<", 1)[0]
    assert token.startswith(credential.prefix) and len(token) > 30
    assert credential.token_hash == services.token_hash(token)
    assert credential.organisation == org_municipality and credential.scopes == ["fhir:read"]
    assert token not in str(dict(client.session)) and token not in str(client.cookies)
    # Never again: not on the client's page, the start page, nor in a message.
    for url in (client_url(credential), START):
        later = client.get(url).content.decode()
        assert token not in later and credential.prefix in later
    # It works, with its scope.
    assert client.get(f"/fhir/Patient/{citizen.pk}", **bearer(token)).status_code == 200
    assert _events("Integrations: API client created") == 1


def test_a_client_needs_a_name_and_a_scope(client, org_admin):
    login(client, org_admin)
    response = client.post(NEW_CLIENT, {"name": "  "})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Tick at least one thing the system may do." in page
    assert not ApiCredential.objects.exists()


def test_rotating_shows_a_new_secret_and_the_old_one_stops_at_once(
    client, org_admin, org_municipality, citizen
):
    credential, old = services.credential_issue(
        kind="system", name="Region EPJ", organisation=org_municipality, scopes=["fhir:read"]
    )
    login(client, org_admin)
    response = client.post(client_url(credential, "rotate/"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    new = response.content.decode().split('id="token-value">', 1)[1].split("<", 1)[0]
    assert new != old
    assert client.get(f"/fhir/Patient/{citizen.pk}", **bearer(old)).status_code == 401
    assert client.get(f"/fhir/Patient/{citizen.pk}", **bearer(new)).status_code == 200
    credential.refresh_from_db()
    assert credential.prefix == new[:12] and credential.rotated_at is not None
    assert _events("Integrations: API client secret rotated") == 1
    assert client.get(client_url(credential, "rotate/")).status_code == 405


def test_revoking_a_client(client, org_admin, org_municipality, citizen):
    credential, token = services.credential_issue(
        kind="system", name="Region EPJ", organisation=org_municipality
    )
    login(client, org_admin)
    client.post(client_url(credential, "revoke/"))
    assert client.get(f"/fhir/Patient/{citizen.pk}", **bearer(token)).status_code == 401
    assert client.post(client_url(credential, "rotate/"), follow=True).status_code == 200
    credential.refresh_from_db()
    assert credential.revoked_by == org_admin
    assert _events("Integrations: API client revoked") == 1
    assert _events("Integrations: API client secret rotated") == 0


# Device tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize("patients", [1, 6])
def test_device_tokens_of_the_organisation_with_fixed_queries(
    client, org_admin, team, outsider, patients, django_assert_num_queries
):
    from tests.factories import TeamFactory

    ours = [PatientFactory(monitoring_team=team) for _ in range(patients)]
    for person in ours:
        services.credential_issue(kind="device", name="Tablet", patient=person)
    stranger = PatientFactory(
        monitoring_team=TeamFactory(organisation=outsider.clinician.organisation),
        first_name="Fremmed",
    )
    services.credential_issue(kind="device", name="Their tablet", patient=stranger)
    login(client, org_admin)
    # Session, user, profile and organisation, the tokens with their patients, the audit
    # event: the same for one patient as for six.
    with django_assert_num_queries(QUERIES_DEVICES):
        page = client.get(DEVICES).content.decode()
    for person in ours:
        assert person.masked_cpr in page and person.cpr not in page
    assert "Fremmed" not in page and "Their tablet" not in page
    assert _events("Admin: device tokens list") == 1


def test_admin_revokes_a_device_token(client, org_admin, citizen, device_token, outsider):
    from tests.factories import TeamFactory

    credential = ApiCredential.objects.get(kind="device", patient=citizen)
    stranger = PatientFactory(
        monitoring_team=TeamFactory(organisation=outsider.clinician.organisation)
    )
    theirs, _ = services.credential_issue(kind="device", name="Tablet", patient=stranger)
    login(client, org_admin)
    assert client.post(f"{DEVICES}{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"{DEVICES}{credential.pk}/revoke/").status_code == 302
    upload = client.post(
        "/api/v1/measurements/", {}, content_type="application/json", **bearer(device_token)
    )
    assert upload.status_code == 401
    event = AuditEvent.objects.get(what="Admin: device token revoked")
    assert event.patient_id == citizen.pk


def test_the_outbox_page_links_to_the_area_not_to_django_admin(client, org_admin):
    login(client, org_admin)
    page = client.get("/administration/outbox/").content.decode()
    assert START in page and 'href="/admin/' not in page


def test_the_outbox_page_hides_other_organisations_destinations(client, org_admin, outsider):
    theirs = _destination(outsider.clinician.organisation, name="Their region")
    login(client, org_admin)
    assert "Their region" not in client.get("/administration/outbox/").content.decode()
    assert client.post(f"/administration/outbox/{theirs.pk}/retry/").status_code == 404


def test_a_destination_for_every_patient_tells_the_operators(settings, org_admin, citizen):
    settings.ADMINS = [("Drift", "drift@example.org")]
    shared = FhirDestination.objects.create(name="National", base_url="https://n.test/fhir")
    record_spo2(citizen, [95])
    with mock.patch("interop.services.requests.post", side_effect=_down):
        services.outbox_deliver(destination_id=shared.pk)
    assert [m.to for m in mail.outbox] == [["drift@example.org"]]
    assert "/administration/outbox/" in mail.outbox[0].body
