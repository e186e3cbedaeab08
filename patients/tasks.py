"""Celery tasks for patients: thin, they call one service."""

from celery import shared_task

from patients import services


@shared_task
def resume_ended_pauses() -> int:
    return services.patient_resume_ended_pauses()
