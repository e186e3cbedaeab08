"""Celery tasks for alarms: thin, they call one service."""

from celery import shared_task

from alarms import services


@shared_task
def raise_missing_data_alarms() -> int:
    return services.missing_data_raise()


@shared_task
def run_escalations() -> int:
    return services.escalations_run()
