"""The statistics of the quality indicators. Pure: no ORM, no clock.

Percentiles are the linear interpolation between the two nearest ranks (Hyndman & Fan type 7,
the default of numpy, R and ``statistics.quantiles(method="inclusive")``): for the sorted
values x[0..n-1] the p-th percentile sits at position h = p·(n-1) and is
x[⌊h⌋] + (h-⌊h⌋)·(x[⌊h⌋+1]-x[⌊h⌋]).
So 10, 20, 30, 40 minutes have the median 25 and the 90th percentile 37. No values: None
(shown as "–"), never 0, which would read as "instant".

Office hours are weekdays 08:00–16:00 Europe/Copenhagen (public holidays are not known here and
count as office hours).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
OFFICE_START = time(8, 0)
OFFICE_END = time(16, 0)


def percentile(values: Iterable[float], share: float) -> float | None:
    """The ``share`` (0–1) percentile of ``values`` by linear interpolation; None when empty."""
    if not 0 <= share <= 1:
        raise ValueError("share is between 0 and 1")
    ordered = sorted(values)
    if not ordered:
        return None
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 0.5)


def p90(values: Iterable[float]) -> float | None:
    return percentile(values, 0.9)


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a fraction (0.75 for 15 of 20); None when nothing was due."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError("part must be between 0 and whole")
    return part / whole if whole else None


def per_patient_week(count: int, patient_days: int) -> float | None:
    """Events per patient-week: ``count`` / (``patient_days`` / 7); None without patient-days."""
    return count * 7 / patient_days if patient_days else None


def in_office_hours(moment: datetime, zone: tzinfo = COPENHAGEN) -> bool:
    """True for Monday–Friday, 08:00 up to (not including) 16:00 local time."""
    local = moment.astimezone(zone)
    return local.isoweekday() <= 5 and OFFICE_START <= local.time() < OFFICE_END


def whole_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes from ``start`` to ``end`` (never negative: clocks of two workers)."""
    return max(0, int((end - start).total_seconds() // 60))


# Trend buckets --------------------------------------------------------------------------------

DAY, WEEK, MONTH = "day", "week", "month"


def granularity(first: date, last: date) -> str:
    """Days for up to six weeks, weeks up to half a year, months beyond."""
    days = (last - first).days + 1
    if days <= 42:
        return DAY
    if days <= 183:
        return WEEK
    return MONTH


def bucket_start(day: date, unit: str) -> date:
    if unit == DAY:
        return day
    if unit == WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def buckets(first: date, last: date, unit: str) -> list[date]:
    """The start of every bucket that holds a day of ``[first, last]``, in order."""
    starts: list[date] = []
    day = first
    while day <= last:
        start = bucket_start(day, unit)
        if not starts or starts[-1] != start:
            starts.append(start)
        day += timedelta(days=1)
    return starts


def merged(lists: Iterable[Sequence[int]]) -> list[int]:
    """One list of all the values (the stored per-day minutes of a period)."""
    return [value for values in lists for value in values]
