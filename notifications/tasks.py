"""Celery tasks for reminders: thin, they call one service."""

from functools import partial

from celery import shared_task
from django.db import transaction

from notifications import services


@shared_task(acks_late=True)
def run_reminders() -> int:
    """Beat, every minute: raise what is due and queue one delivery task per reminder."""
    due = services.reminders_due()
    for pk in due:
        transaction.on_commit(partial(deliver_reminder.delay, pk))
    return len(due)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_reminder(reminder_id: int) -> bool:
    """Send one reminder. Delivered twice (a worker lost after acks_late), it sends once: the
    service claims the row conditionally."""
    return services.reminder_deliver(reminder_id=reminder_id)
