"""Devices page, outbox page and API docs in a real browser."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from interop.models import ApiCredential, FhirDestination, OutboxEntry
from tests.browser.conftest import serious


def test_nurse_issues_and_revokes_a_device_token(
    page, nurse, citizen, login_as, screenshot, axe_check
):
    login_as(page, nurse)
    page.goto(f"/patients/{citizen.pk}/devices/")
    page.fill("input[name=name]", "Tablet i stuen")
    page.click("button:has-text('Udsted token')")
    token = page.inner_text("#token-value")
    assert token.startswith("tlm_")
    assert ApiCredential.objects.get(patient=citizen).prefix == token[:12]
    assert not serious(axe_check(page))
    screenshot(page, "interop-devices")

    page.reload()
    assert page.locator("#token-value").count() == 0  # shown only once
    page.click("button:has-text('Tilbagekald')")
    page.wait_for_selector("text=tilbagekaldt")
    assert ApiCredential.objects.get(patient=citizen).revoked_at is not None


def test_admin_sees_the_outbox_per_destination(
    page, org_admin, citizen, login_as, screenshot, axe_check
):
    FhirDestination.objects.create(name="Region Midt FHIR", base_url="https://fhir.rm.test/fhir")
    failing = FhirDestination.objects.create(
        name="Hospitalets EPJ", base_url="https://epj.test/fhir"
    )
    # Outbox rows only name what to send, so a few ids stand in for stored readings here.
    sent = FhirDestination.objects.get(name="Region Midt FHIR")
    for object_id in range(1, 7):
        OutboxEntry.objects.create(
            destination=sent,
            patient=citizen,
            resource_type="Observation",
            object_id=object_id,
            status="sent",
            attempts=1,
            sent_at=timezone.now(),
        )
        OutboxEntry.objects.create(
            destination=failing,
            patient=citizen,
            resource_type="Observation",
            object_id=object_id,
            status="pending",
            attempts=3,
            last_error="HTTP 503: Service Unavailable",
            created_at=timezone.now() - timedelta(minutes=42),
        )
    login_as(page, org_admin)
    page.goto("/administration/outbox/")
    assert page.locator("text=HTTP 503: Service Unavailable").count() == 1
    assert not serious(axe_check(page))
    screenshot(page, "interop-outbox")


def test_api_docs_load_from_our_own_static_files(page, screenshot):
    page.goto("/api/docs/")
    page.wait_for_selector("text=/api/v1/measurements/")
    screenshot(page, "interop-api-docs")
