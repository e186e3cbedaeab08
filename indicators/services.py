"""Writes of the daily indicator rows: recompute days from the source rows and replace them.

Idempotent: a day's rows are deleted and written again in one transaction, so running a day
twice, or a rebuild next to the nightly task, leaves the same rows (the unique keys refuse a
second row for a team or organisation and day).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from indicators import daily
from indicators.models import IndicatorDay, IndicatorRuleDay

# The nightly run recomputes this many days before today: an answer inside a long grace window,
# an acknowledgement after midnight or an alarm set aside later still lands in the right day.
NIGHTLY_DAYS = 3


def indicators_store(result: daily.Day, *, now: datetime | None = None) -> int:
    """Replace the stored rows of ``result.day`` with ``result``. Returns the rows written."""
    now = now or timezone.now()
    rows = [
        IndicatorDay(
            organisation_id=organisation_id,
            team_id=team_id,
            day=result.day,
            computed_at=now,
            **figures.as_dict(),
        )
        for (organisation_id, team_id), figures in sorted(
            result.figures.items(), key=lambda item: (item[0][0], item[0][1] or 0)
        )
    ]
    rule_rows = [
        IndicatorRuleDay(
            organisation_id=organisation_id,
            team_id=team_id,
            day=result.day,
            rule=rule,
            severity=severity,
            action=counts.action,
            no_action=counts.no_action,
            false_alarm=counts.false_alarm,
            no_outcome=counts.no_outcome,
        )
        for (organisation_id, team_id, rule, severity), counts in result.rules.items()
    ]
    with transaction.atomic():
        IndicatorDay.objects.filter(day=result.day).delete()
        IndicatorRuleDay.objects.filter(day=result.day).delete()
        IndicatorDay.objects.bulk_create(rows)
        IndicatorRuleDay.objects.bulk_create(rule_rows)
    return len(rows)


def indicators_rebuild(*, first: date, last: date, now: datetime | None = None) -> int:
    """Recompute and store every day from ``first`` to ``last``; returns the days written.

    Days after yesterday are refused: a day is computed once it is over.
    """
    now = now or timezone.now()
    yesterday = timezone.localtime(now).date() - timedelta(days=1)
    last = min(last, yesterday)
    if first > last:
        return 0
    periods = daily.Periods.load()
    written = 0
    for day in daily.days(first, last):
        indicators_store(daily.compute(day, periods, now=now), now=now)
        written += 1
    return written


def indicators_nightly(*, now: datetime | None = None) -> int:
    """The nightly task's work: the last ``NIGHTLY_DAYS`` days up to yesterday."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return indicators_rebuild(first=today - timedelta(days=NIGHTLY_DAYS), last=today, now=now)
