"""Missing-data alarms: a scheduled occasion not answered by the end of its grace window."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from alarms.models import (
    TriageResult,
)
from alarms.services.triage import lock_patients, triage_refresh
from monitoring import schedules
from monitoring.models import Schedule
from monitoring.occasions import OccasionFacts
from monitoring.severity import Severity
from patients.models import PatientState

MISSING_LOOKBACK = timedelta(days=2)


@transaction.atomic
def missing_data_raise(*, now: datetime | None = None) -> int:
    """Raise a missing-data alarm for every scheduled occasion not answered by the end of its
    grace window, for monitored patients who are not paused. Returns how many were raised.

    An occasion counts as answered by a submission of the same questionnaire sent from one
    grace window before it was due until the end of its grace window (an early answer counts;
    the rule lives in monitoring.occasions, shared with the reminders).
    Looks back ``MISSING_LOOKBACK``; safe to run twice or in two workers at once: the unique
    constraint on (schedule, due_at) keeps one alarm per occasion.
    """
    now = now or timezone.now()
    since = now - MISSING_LOOKBACK
    active = (
        Schedule.objects.in_force(since)
        .filter(patient__state=PatientState.ACTIVE)
        .select_related("questionnaire")
    )
    occasions: list[tuple[Schedule, datetime]] = []
    for schedule in active:
        try:
            rule = schedule.rule()
        except ValueError:
            continue  # an incomplete rule asks for nothing, so nothing can be missing
        occasions += [(schedule, due) for due in schedules.missed(rule, since=since, now=now)]
    if not occasions:
        return 0

    patient_ids = {schedule.patient_id for schedule, _ in occasions}
    earliest = min(due for _, due in occasions) - max(
        timedelta(minutes=s.grace_minutes) for s, _ in occasions
    )
    facts = OccasionFacts.load(patient_ids=patient_ids, since=earliest)

    alarms = []
    for schedule, due in occasions:
        grace = timedelta(minutes=schedule.grace_minutes)
        if facts.answered(
            patient_id=schedule.patient_id,
            questionnaire_id=schedule.questionnaire_id,
            due=due,
            grace=grace,
        ):
            continue
        if facts.paused(patient_id=schedule.patient_id, due=due):
            continue
        alarms.append(
            TriageResult(
                patient_id=schedule.patient_id,
                kind=TriageResult.Kind.MISSING,
                schedule=schedule,
                due_at=due,
                severity=Severity.MISSING,
                reasons=[
                    {
                        "severity": Severity.MISSING,
                        "code": "missing",
                        "extra": {
                            "due_at": due.isoformat(),
                            "questionnaire_da": schedule.questionnaire.title_da,
                            "questionnaire_en": schedule.questionnaire.title_en,
                        },
                    }
                ],
                created_at=due + grace,
            )
        )
    raised = {
        (schedule_id, due_at)
        for schedule_id, due_at in TriageResult.objects.filter(
            kind=TriageResult.Kind.MISSING,
            schedule_id__in={alarm.schedule_id for alarm in alarms},
            due_at__gte=since,
        ).values_list("schedule_id", "due_at")
    }
    new = [alarm for alarm in alarms if (alarm.schedule_id, alarm.due_at) not in raised]
    if not new:
        return 0
    affected = {alarm.patient_id for alarm in new}
    lock_patients(affected)
    # A worker running at the same moment may have raised some of these; the unique
    # constraint keeps one per occasion and ignore_conflicts skips the rest.
    TriageResult.objects.bulk_create(new, ignore_conflicts=True)
    triage_refresh(patient_ids=affected)
    return len(new)
