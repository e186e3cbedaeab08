"""The outbox: every stored reading, submission and result gets an outbox row per destination,
in the storing transaction (alarms.signals.readings_recorded is sent inside it), and the push is
queued only after that transaction commits."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from alarms.signals import readings_recorded
from interop import services

logger = logging.getLogger(__name__)


def _queue(destination_ids: list[int]) -> None:
    from interop import tasks

    for destination_id in destination_ids:
        try:
            tasks.outbox_deliver.delay(destination_id)
        except Exception:  # the broker is down: the beat entry sends the rows later
            logger.exception("could not queue outbox delivery to destination %s", destination_id)


@receiver(readings_recorded, dispatch_uid="interop.outbox")
def outbox_on_readings_recorded(
    sender: Any,
    *,
    patient_id: int,
    measurement_ids: list[int],
    submission_id: int | None,
    result_ids: list[int],
    **kwargs: Any,
) -> None:
    destinations = services.outbox_enqueue(
        patient_id=patient_id,
        measurement_ids=measurement_ids,
        submission_id=submission_id,
        result_ids=result_ids,
    )
    if destinations:
        transaction.on_commit(lambda: _queue(destinations))
