"""Writes for schedules: change one (a new version from now on) or stop them all (discharge).

A change never edits the row in force: it ends that version at the moment of the change and
starts a new one at the same moment, so occasions due before keep the old rule (a missing
answer to one of them is still noticed) and the next occurrence follows the new rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring import schedules
from monitoring.models import Schedule
from patients.models import Patient


class ScheduleError(ValueError):
    """A schedule that cannot be saved; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ScheduleRule:
    """What a clinician chose: the rule part of a schedule version."""

    kind: str
    weekdays: tuple[int, ...] = ()
    times: tuple[time, ...] = ()
    interval_days: int | None = None
    once_at: datetime | None = None
    grace_minutes: int = 180


def rule_check(rule: ScheduleRule, *, starts_on: date) -> None:
    """Refuse a rule that asks for nothing or whose grace window reaches the next occasion."""
    if rule.kind == Schedule.Kind.WEEKDAYS and not rule.weekdays:
        raise ScheduleError("weekdays", _("Choose at least one weekday."))
    if rule.kind in (Schedule.Kind.WEEKDAYS, Schedule.Kind.EVERY_N_DAYS) and not rule.times:
        raise ScheduleError("times", _("Give at least one time of day, such as 09:00."))
    if rule.kind == Schedule.Kind.EVERY_N_DAYS and not rule.interval_days:
        raise ScheduleError("interval_days", _("Give the number of days between answers."))
    if rule.kind == Schedule.Kind.ONCE and rule.once_at is None:
        raise ScheduleError("once_at", _("Give the day and time of the one answer."))
    if rule.grace_minutes < 1:
        raise ScheduleError("grace_minutes", _("The grace window must be at least a minute."))
    pure = schedules.Rule(
        kind=rule.kind,
        starts_on=starts_on,
        times=rule.times,
        weekdays=frozenset(rule.weekdays),
        interval_days=rule.interval_days,
        once_at=rule.once_at,
        grace=timedelta(minutes=rule.grace_minutes),
    )
    gap = schedules.shortest_gap(pure)
    if gap is not None and timedelta(minutes=rule.grace_minutes) > gap:
        raise ScheduleError(
            "grace_minutes",
            _(
                "The grace window (%(grace)s minutes) is longer than the time between two "
                "answers (%(gap)s minutes): one answer would count for two."
            )
            % {"grace": rule.grace_minutes, "gap": int(gap.total_seconds() // 60)},
        )


@transaction.atomic
def schedule_change(
    *,
    schedule: Schedule,
    rule: ScheduleRule,
    user: User,
    reason: str,
    now: datetime | None = None,
) -> Schedule:
    """End the version in force and start ``rule`` as the next version, from ``now``."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ScheduleError("reason", _("Please give a reason for the change."))
    current = (
        Schedule.objects.select_for_update()
        .filter(pk=schedule.pk, active=True, valid_until__isnull=True)
        .first()
    )
    if current is None:
        raise ScheduleError(None, _("This schedule was changed or stopped by someone else."))
    starts_on = max(current.starts_on, timezone.localdate(now))
    rule_check(rule, starts_on=starts_on)
    current.valid_until = now
    current.save(update_fields=["valid_until"])
    return Schedule.objects.create(
        patient_id=current.patient_id,
        questionnaire_id=current.questionnaire_id,
        kind=rule.kind,
        weekdays=sorted(set(rule.weekdays)),
        times=sorted(set(rule.times)),
        interval_days=rule.interval_days if rule.kind == Schedule.Kind.EVERY_N_DAYS else None,
        once_at=rule.once_at if rule.kind == Schedule.Kind.ONCE else None,
        grace_minutes=rule.grace_minutes,
        starts_on=starts_on,
        ends_on=current.ends_on if current.ends_on and current.ends_on >= starts_on else None,
        version=current.version + 1,
        valid_from=now,
        replaces=current,
        created_by=user,
        change_reason=reason,
    )


def schedules_stop(*, patient: Patient, now: datetime) -> int:
    """End every current schedule of the patient at ``now`` (no successor); the caller holds
    the transaction. Returns how many were stopped."""
    return Schedule.objects.filter(patient=patient).current().update(valid_until=now)
