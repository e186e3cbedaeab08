"""When a questionnaire is due: schedule maths in local time. Pure, no ORM, no clock.

Local time is the rule's ``zone``: the caller passes it, and by default it is the project's
time zone (``settings.TIME_ZONE``, Europe/Copenhagen).

A schedule says *local* times ("every weekday at 09:00"); a due time is the UTC instant of that
local time on that date, so 09:00 stays 09:00 on the wall clock across daylight-saving changes
(08:00 UTC in winter, 07:00 UTC in summer).

Daylight-saving edge cases (EU rules, last Sunday of March and of October):

* A local time that does not exist (02:30 on the spring-forward day) is due at the same wall
  clock offset as before the gap, i.e. 03:30 summer time: the citizen is asked an hour later
  rather than not at all.
* A local time that happens twice (02:30 on the fall-back day) is due at its first occurrence.

The grace window is a duration after the due time: a response within it is on time, and only
after it has passed does the occasion count as missed (a missing-data alarm).

A rule may hold an effective window ``[effective_from, effective_until)``: a changed schedule is
a new version in force from the moment of the change, so its occasions start at the next due
time after it, and the old version keeps the occasions due before (a missing answer to one of
them is still noticed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from django.utils import timezone

WEEKDAYS = "weekdays"
EVERY_N_DAYS = "every_n_days"
ONCE = "once"


@dataclass(frozen=True)
class Rule:
    kind: str
    starts_on: date
    times: tuple[time, ...] = ()
    weekdays: frozenset[int] = field(default_factory=frozenset)  # ISO: 1 Monday .. 7 Sunday
    interval_days: int | None = None
    once_at: datetime | None = None
    ends_on: date | None = None
    grace: timedelta = timedelta(hours=3)
    zone: tzinfo = field(default_factory=timezone.get_default_timezone)
    effective_from: datetime | None = None
    effective_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in (WEEKDAYS, EVERY_N_DAYS, ONCE):
            raise ValueError(f"unknown schedule kind {self.kind!r}")
        if self.kind == WEEKDAYS and (not self.weekdays or not self.times):
            raise ValueError("a weekday schedule needs weekdays and times")
        if self.kind == WEEKDAYS and not set(self.weekdays) <= set(range(1, 8)):
            raise ValueError("weekdays are 1 (Monday) to 7 (Sunday)")
        if self.kind == EVERY_N_DAYS and (not self.interval_days or self.interval_days < 1):
            raise ValueError("an every-n-days schedule needs an interval of at least one day")
        if self.kind == EVERY_N_DAYS and not self.times:
            raise ValueError("an every-n-days schedule needs times")
        if self.kind == ONCE and (self.once_at is None or self.once_at.tzinfo is None):
            raise ValueError("a one-time schedule needs a time zone aware moment")


def local_due(day: date, at: time, zone: tzinfo) -> datetime:
    """The UTC instant of wall-clock time ``at`` on ``day`` in ``zone`` (see module docstring)."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0)
    # A non-existent local time does not survive a round trip through UTC.
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        before_gap = first.utcoffset()
        assert before_gap is not None
        return (naive - before_gap).replace(tzinfo=UTC)
    return first.astimezone(UTC)


def _days(rule: Rule, first: date, last: date) -> Iterator[date]:
    day = max(first, rule.starts_on)
    end = min(last, rule.ends_on) if rule.ends_on else last
    while day <= end:
        if rule.kind == WEEKDAYS and day.isoweekday() in rule.weekdays:
            yield day
        elif rule.kind == EVERY_N_DAYS:
            assert rule.interval_days
            if (day - rule.starts_on).days % rule.interval_days == 0:
                yield day
        day += timedelta(days=1)


def occurrences(rule: Rule, start: datetime, end: datetime) -> list[datetime]:
    """Due times (UTC) in ``[start, end)`` and in the rule's effective window, in order."""
    if rule.effective_from is not None:
        start = max(start, rule.effective_from)
    if rule.effective_until is not None:
        end = min(end, rule.effective_until)
    if start >= end:
        return []
    if rule.kind == ONCE:
        assert rule.once_at is not None
        return [rule.once_at.astimezone(UTC)] if start <= rule.once_at < end else []
    # Local dates that can hold a due time in the interval (a day's margin for offsets).
    first = start.astimezone(rule.zone).date() - timedelta(days=1)
    last = end.astimezone(rule.zone).date() + timedelta(days=1)
    found = [
        due
        for day in _days(rule, first, last)
        for at in sorted(rule.times)
        if start <= (due := local_due(day, at, rule.zone)) < end
    ]
    return sorted(set(found))


def missed(rule: Rule, *, since: datetime, now: datetime) -> list[datetime]:
    """Due times since ``since`` whose grace window has fully passed by ``now``."""
    return occurrences(rule, since, now - rule.grace + timedelta(microseconds=1))


@dataclass(frozen=True)
class Occasion:
    due_at: datetime
    state: str  # "upcoming" | "due" | "overdue"


def occasions_on(rule: Rule, day: date, now: datetime) -> list[Occasion]:
    """Today's occasions for the citizen's "Today" page, each with its state at ``now``.

    upcoming: not yet due; due: due and inside the grace window; overdue: grace has passed.
    Whether it was answered is known only to the caller (it has the submissions).
    """
    start = local_due(day, time(0, 0), rule.zone)
    end = local_due(day + timedelta(days=1), time(0, 0), rule.zone)
    result = []
    for due in occurrences(rule, start, end):
        if now < due:
            state = "upcoming"
        elif now < due + rule.grace:
            state = "due"
        else:
            state = "overdue"
        result.append(Occasion(due, state))
    return result


def shortest_gap(rule: Rule) -> timedelta | None:
    """The shortest time between two due times of the rule (None for a one-time rule), read off
    a fortnight of wall-clock times: a grace window longer than this would overlap the next
    occasion, so one answer could count for two."""
    if rule.kind == ONCE:
        return None
    plain = Rule(
        kind=rule.kind,
        starts_on=rule.starts_on,
        times=rule.times,
        weekdays=rule.weekdays,
        interval_days=rule.interval_days,
        grace=rule.grace,
        zone=UTC,
    )
    start = datetime.combine(rule.starts_on, time(0, 0), tzinfo=UTC)
    span = timedelta(days=14 + 2 * (rule.interval_days or 1))
    due = occurrences(plain, start, start + span)
    gaps = [later - earlier for earlier, later in pairwise(due)]
    return min(gaps) if gaps else None


def describe_times(times: tuple[time, ...]) -> str:
    """ "09:00, 18:00": wall-clock times as people write them."""
    return ", ".join(at.strftime("%H:%M") for at in sorted(times))
