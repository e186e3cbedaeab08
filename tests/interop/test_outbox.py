"""The outbox: rows written with the data, pushed once, retried with backoff."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import requests
from django.db import transaction
from django.utils import timezone

from interop import services, tasks
from interop.models import FhirDestination, OutboxEntry
from monitoring.models import Measurement
from tests.interop.helpers import record_kol_submission, record_spo2


@pytest.fixture
def destination(db):
    return FhirDestination.objects.create(
        name="Region FHIR", base_url="https://fhir.example.test/fhir", bearer_token="secret"
    )


def ok(*args, **kwargs):
    response = requests.Response()
    response.status_code = 200
    response._content = b'{"resourceType": "Bundle", "type": "transaction-response"}'
    return response


def test_new_readings_write_outbox_rows_in_the_same_transaction(citizen, destination):
    record_spo2(citizen, [95, 96])
    record_kol_submission(citizen)
    kinds = sorted(OutboxEntry.objects.values_list("resource_type", flat=True))
    # 2 standalone + 1 embedded pulse; 1 response; 2 + 1 results.
    assert kinds.count("Observation") == 3
    assert kinds.count("QuestionnaireResponse") == 1
    assert kinds.count("ClinicalImpression") == 3

    with pytest.raises(RuntimeError), transaction.atomic():
        record_spo2(citizen, [90])
        raise RuntimeError("the storing transaction fails")
    assert OutboxEntry.objects.count() == 7  # rolled back with the reading


def test_a_destination_for_another_organisation_gets_nothing(citizen, destination, outsider):
    destination.organisation = outsider.clinician.organisation
    destination.save()
    record_spo2(citizen, [95])
    assert not OutboxEntry.objects.exists()


def test_delivery_sends_a_valid_transaction_bundle_once(citizen, destination):
    record_spo2(citizen, [95, 96])
    with mock.patch("interop.services.requests.post", side_effect=ok) as post:
        report = services.outbox_deliver(destination_id=destination.pk)
        again = services.outbox_deliver(destination_id=destination.pk)

    assert report.sent == 4 and again.claimed == 0
    assert post.call_count == 1
    bundle = post.call_args.kwargs["json"]
    assert post.call_args.kwargs["headers"]["Authorization"] == "Bearer secret"
    from interop.fhir.validate import errors

    assert errors(bundle) == []
    assert {e["request"]["method"] for e in bundle["entry"]} == {"POST", "PUT"}
    assert set(OutboxEntry.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failure_waits_with_backoff_then_succeeds(citizen, destination):
    record_spo2(citizen, [95])
    down = requests.ConnectionError("connection refused")
    with mock.patch("interop.services.requests.post", side_effect=down):
        report = services.outbox_deliver(destination_id=destination.pk)
    assert report.failed and report.retry_in == timedelta(minutes=1)
    entry = OutboxEntry.objects.first()
    assert entry.status == "pending" and entry.attempts == 1 and "refused" in entry.last_error

    with mock.patch("interop.services.requests.post", side_effect=ok) as post:
        assert services.outbox_deliver(destination_id=destination.pk).claimed == 0  # not yet due
        later = timezone.now() + timedelta(minutes=2)
        assert services.outbox_deliver(destination_id=destination.pk, now=later).sent == 2
    assert post.call_count == 1


def test_a_row_claimed_by_a_worker_that_died_is_sent_later_but_a_sent_row_never(
    citizen, destination
):
    record_spo2(citizen, [95])
    now = timezone.now()
    claimed = services.outbox_claim(destination_id=destination.pk, now=now)
    assert len(claimed) == 2
    # A second worker at the same moment finds nothing to claim.
    assert services.outbox_claim(destination_id=destination.pk, now=now) == []
    # The first worker died; after the claim timeout the rows are claimable again.
    later = now + services.CLAIM_TIMEOUT + timedelta(seconds=1)
    assert sorted(services.outbox_claim(destination_id=destination.pk, now=later)) == sorted(
        claimed
    )
    OutboxEntry.objects.update(status="sent")
    much_later = later + timedelta(days=1)
    assert services.outbox_claim(destination_id=destination.pk, now=much_later) == []


def test_the_push_is_queued_after_commit(citizen, destination, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.outbox_deliver, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            record_spo2(citizen, [95])
            assert not delay.called  # not before the data is committed
        assert callbacks
    delay.assert_called_once_with(destination.pk)


def test_the_task_retries_a_failed_push(citizen, destination):
    record_spo2(citizen, [95])
    down = requests.ConnectionError("down")
    with (
        mock.patch("interop.services.requests.post", side_effect=down),
        mock.patch.object(tasks.outbox_deliver, "retry", side_effect=RuntimeError) as retry,
        pytest.raises(RuntimeError),
    ):
        tasks.outbox_deliver.run(destination.pk)
    assert retry.call_args.kwargs["countdown"] == 60
    assert tasks.outbox_deliver.acks_late


def test_readings_are_stored_even_without_destinations(citizen):
    record_spo2(citizen, [95])
    assert Measurement.objects.count() == 1 and not OutboxEntry.objects.exists()
