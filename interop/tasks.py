"""Thin Celery tasks for the outbox: take ids, call one service, retry with backoff."""

from __future__ import annotations

from celery import shared_task

from interop import services
from interop.models import OutboxEntry


@shared_task(bind=True, acks_late=True, max_retries=8)
def outbox_deliver(self, destination_id: int) -> int:
    """Push one destination's due outbox rows. Rows are claimed with a conditional update, so
    a re-delivered task (acks_late after a worker crash) never sends a sent row again."""
    report = services.outbox_deliver(destination_id=destination_id)
    if report.failed and report.retry_in is not None:
        raise self.retry(countdown=report.retry_in.total_seconds())
    if report.claimed == services.OUTBOX_BATCH:
        outbox_deliver.delay(destination_id)  # more waiting: next batch
    return report.sent


@shared_task(acks_late=True)
def outbox_deliver_all() -> int:
    """Beat: queue a delivery for each destination with rows due (after a broker outage, or
    rows whose backoff has passed)."""
    ids = list(
        OutboxEntry.objects.filter(status__in=["pending", "sending"], destination__active=True)
        .values_list("destination_id", flat=True)
        .distinct()
    )
    for destination_id in ids:
        outbox_deliver.delay(destination_id)
    return len(ids)
