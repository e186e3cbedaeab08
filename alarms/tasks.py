"""Celery tasks for alarms: thin, they call one service."""

from functools import partial

from celery import shared_task
from django.db import transaction

from alarms import services


@shared_task
def raise_missing_data_alarms() -> int:
    return services.missing_data_raise()


@shared_task(acks_late=True)
def run_escalations() -> int:
    """Beat, every minute: raise what is due and queue one delivery task per escalation."""
    due = services.escalations_due()
    for pk in due:
        transaction.on_commit(partial(deliver_escalation.delay, pk))
    return len(due)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_escalation(escalation_id: int) -> bool:
    """Send one escalation. Delivered twice (a worker lost after acks_late), it sends once:
    the service claims the row conditionally."""
    return services.escalation_deliver(escalation_id=escalation_id)
