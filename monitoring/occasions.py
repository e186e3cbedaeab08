"""Was a scheduled occasion answered, or paused? The one rule that missing-data alarms
(alarms.services.missing_data) and reminders to citizens (notifications.services) share.

An occasion (a schedule's due time) counts as answered by a submission of the same
questionnaire sent from one grace window before it was due until the end of its grace window:
an early answer counts, and one answer never counts for two occasions when the grace window is
shorter than the gap between them (the schedule form refuses longer ones). An occasion is paused
when a monitoring pause covers its due time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitoring.models import Submission
from patients.models import PatientPause


def answered_by(due: datetime, grace: timedelta, submitted: Iterable[datetime]) -> bool:
    """True when one of the ``submitted`` times answers the occasion due at ``due``."""
    return any(due - grace <= at <= due + grace for at in submitted)


def paused_at(due: datetime, pauses: Iterable[tuple[datetime, datetime]]) -> bool:
    """True when one of the ``[start, end)`` pauses covers ``due``."""
    return any(start <= due < end for start, end in pauses)


@dataclass
class OccasionFacts:
    """The submissions and pauses of some patients since a moment, loaded in two queries, to
    judge many occasions without a query each."""

    submitted: dict[tuple[int, int], list[datetime]] = field(
        default_factory=lambda: defaultdict(list)
    )
    pauses: dict[int, list[tuple[datetime, datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def load(
        cls, *, patient_ids: Iterable[int], since: datetime, until: datetime | None = None
    ) -> OccasionFacts:
        """Facts for occasions due from ``since`` + one grace window on (pass the earliest due
        time minus the longest grace window); with ``until``, only the submissions and pauses up
        to it (pass the latest due time plus the longest grace window: the quality indicators
        judge a past day without reading everything sent since)."""
        ids = set(patient_ids)
        facts = cls()
        submissions = Submission.objects.filter(patient_id__in=ids, submitted_at__gte=since)
        pauses = PatientPause.objects.filter(patient_id__in=ids, ends_at__gt=since)
        if until is not None:
            submissions = submissions.filter(submitted_at__lte=until)
            pauses = pauses.filter(starts_at__lte=until)
        for patient_id, questionnaire_id, at in submissions.values_list(
            "patient_id", "questionnaire_id", "submitted_at"
        ):
            facts.submitted[(patient_id, questionnaire_id)].append(at)
        for patient_id, starts_at, ends_at in pauses.values_list(
            "patient_id", "starts_at", "ends_at"
        ):
            facts.pauses[patient_id].append((starts_at, ends_at))
        return facts

    def answered(
        self, *, patient_id: int, questionnaire_id: int, due: datetime, grace: timedelta
    ) -> bool:
        return answered_by(due, grace, self.submitted.get((patient_id, questionnaire_id), ()))

    def paused(self, *, patient_id: int, due: datetime) -> bool:
        return paused_at(due, self.pauses.get(patient_id, ()))
