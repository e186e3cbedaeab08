"""Celery task of the quality indicators (thin: the work is in indicators.services)."""

from __future__ import annotations

from celery import shared_task

from indicators import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def rebuild_recent_days() -> int:
    return services.indicators_nightly()
