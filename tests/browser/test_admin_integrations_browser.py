"""The organisation admin sets up integrations in a real browser: a FHIR destination, then a
system API client whose secret she sees once, then a new secret (the old one stops working)."""

from __future__ import annotations

from django.test import Client

from interop import services
from interop.models import ApiCredential, FhirDestination
from tests.browser.conftest import serious


def _fhir_status(token: str, patient_pk: int) -> int:
    return (
        Client()
        .get(f"/fhir/Patient/{patient_pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
        .status_code
    )


def test_admin_adds_a_destination_and_an_api_client_and_rotates_its_secret(
    page, org_admin, org_municipality, citizen, login_as, screenshot, axe_check
):
    login_as(page, org_admin)
    page.goto("/administration/")
    page.click("a[href='/administration/integrations/']")
    assert not serious(axe_check(page))

    # A FHIR destination with a bearer token (a plain http URL is refused: unit-tested, as a
    # 400 answer counts as a console error here).
    page.click("a[href='/administration/integrations/destinations/new/']")
    page.fill("#id_name", "Region Hovedstaden FHIR")
    page.select_option("#id_authentication", "bearer")
    assert not serious(axe_check(page))
    page.fill("#id_base_url", "https://fhir.regionh.test/fhir")
    page.fill("#id_bearer_token", "region-token-123")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/administration/integrations/destinations/*/")
    destination = FhirDestination.objects.get()
    assert destination.organisation == org_municipality
    assert destination.bearer_token == "region-token-123"
    assert "region-token-123" not in page.content()
    assert not serious(axe_check(page))

    # A system API client that may read FHIR: the secret is shown once.
    page.goto("/administration/integrations/")
    page.click("a[href='/administration/integrations/clients/new/']")
    page.fill("#id_name", "Sundhedsplatformen")
    page.check("input[name=scopes][value='fhir:read']")
    page.click("form.stack button[type=submit]")
    secret = page.inner_text("#token-value")
    client = ApiCredential.objects.get(kind="system")
    assert secret.startswith(client.prefix)
    assert client.scopes == ["fhir:read"]
    assert _fhir_status(secret, citizen.pk) == 200
    assert not serious(axe_check(page))
    screenshot(page, "admin-integrations-secret")

    # Done: the client's page shows only the first characters, never the secret again.
    page.click(f"a.button--primary[href$='/clients/{client.pk}/']")
    assert secret not in page.content() and client.prefix in page.content()
    assert not serious(axe_check(page))

    # A new secret: shown once; the old one no longer works.
    page.click(f"form[action$='/clients/{client.pk}/rotate/'] button")
    rotated = page.inner_text("#token-value")
    assert rotated != secret
    assert _fhir_status(secret, citizen.pk) == 401
    assert _fhir_status(rotated, citizen.pk) == 200
    assert not serious(axe_check(page))

    page.goto("/administration/integrations/")
    assert "Region Hovedstaden FHIR" in page.content() and "Sundhedsplatformen" in page.content()
    assert rotated not in page.content()
    assert not serious(axe_check(page))
    screenshot(page, "admin-integrations")


def test_admin_sends_failed_deliveries_again(
    page, org_admin, org_municipality, citizen, login_as, axe_check, screenshot
):
    from unittest import mock

    from interop.models import OutboxEntry
    from tests.interop.helpers import record_spo2

    destination = FhirDestination.objects.create(
        name="Region FHIR", base_url="https://fhir.region.test/fhir", organisation=org_municipality
    )
    record_spo2(citizen, [95])
    OutboxEntry.objects.update(status="failed", attempts=12, last_error="HTTP 503: unavailable")
    services.credential_issue(kind="device", name="Tablet i stuen", patient=citizen)
    login_as(page, org_admin)
    page.goto(f"/administration/integrations/destinations/{destination.pk}/")
    assert citizen.masked_cpr in page.content()
    assert not serious(axe_check(page))
    screenshot(page, "admin-integrations-failed")
    with mock.patch("interop.receivers._queue"):
        page.click(f"form[action$='/{destination.pk}/send-again/'] button")
        page.wait_for_url(f"**/destinations/{destination.pk}/")
    assert set(OutboxEntry.objects.values_list("status", flat=True)) == {"pending"}

    page.goto("/administration/integrations/devices/")
    assert "Tablet i stuen" in page.content() and citizen.masked_cpr in page.content()
    assert not serious(axe_check(page))
