"""Reads for the patient page's schedules tab: each questionnaire's schedule in force, in
words, with its next occasions and its earlier versions (two queries however long the history).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from monitoring import schedules
from monitoring.models import Schedule

NEXT_SHOWN = 3


def duration_text(minutes: int) -> str:
    """180 → "3 hours", 90 → "1 hour 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if rest or not hours:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", rest) % {"n": rest})
    return " ".join(parts)


def schedule_text(schedule: Schedule) -> str:
    """The rule in words: "Monday and Thursday at 09:00", "Every 3 days at 08:00"."""
    at = schedules.describe_times(tuple(schedule.times))
    if schedule.kind == Schedule.Kind.WEEKDAYS:
        days = sorted(schedule.weekdays)
        if days == list(range(1, 8)):
            return _("Every day at %(times)s") % {"times": at}
        names = [str(WEEKDAYS[day - 1]) for day in days]
        return _("%(days)s at %(times)s") % {
            "days": get_text_list(names, _("and")),
            "times": at,
        }
    if schedule.kind == Schedule.Kind.EVERY_N_DAYS:
        n = schedule.interval_days or 1
        return ngettext("Every day at %(times)s", "Every %(n)s days at %(times)s", n) % {
            "n": n,
            "times": at,
        }
    if schedule.once_at is None:
        return _("Once")
    return _("Once, %(when)s") % {
        "when": formats.date_format(timezone.localtime(schedule.once_at), "SHORT_DATETIME_FORMAT")
    }


@dataclass(frozen=True)
class VersionShown:
    schedule: Schedule
    text: str
    grace: str


@dataclass
class ScheduleShown:
    schedule: Schedule
    text: str
    grace: str
    next_due: list[datetime]
    history: list[VersionShown] = field(default_factory=list)
    stopped: bool = False  # ended without a successor: monitoring ended


def _next_due(schedule: Schedule, now: datetime) -> list[datetime]:
    try:
        rule = schedule.rule()
    except ValueError:
        return []
    horizon = now + timedelta(days=max(21, 3 * (schedule.interval_days or 1)))
    return schedules.occurrences(rule, now, horizon)[:NEXT_SHOWN]


def patient_schedules(*, patient_id: int, now: datetime | None = None) -> list[ScheduleShown]:
    """Each questionnaire's newest schedule version (in force, or stopped when monitoring
    ended), with its earlier versions newest first."""
    now = now or timezone.now()
    versions = list(
        Schedule.objects.filter(patient_id=patient_id)
        .select_related("questionnaire", "created_by")
        .order_by("questionnaire__code", "-version", "-pk")
    )
    by_questionnaire: dict[int, list[Schedule]] = defaultdict(list)
    for version in versions:
        by_questionnaire[version.questionnaire_id].append(version)
    shown = []
    for rows in by_questionnaire.values():
        current, *history = rows
        stopped = not current.active or current.valid_until is not None
        shown.append(
            ScheduleShown(
                schedule=current,
                text=schedule_text(current),
                grace=duration_text(current.grace_minutes),
                next_due=[] if stopped else _next_due(current, now),
                history=[
                    VersionShown(s, schedule_text(s), duration_text(s.grace_minutes))
                    for s in history
                ],
                stopped=stopped,
            )
        )
    return shown
