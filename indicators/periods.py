"""The period an indicators page shows: a preset or a from/to pair. Pure: the caller passes today.

Figures exist up to yesterday (a day is computed once it is over), so every period ends at
yesterday at the latest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

PRESETS = {
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "3_months": _("Last 3 months"),
    "12_months": _("Last 12 months"),
}
DEFAULT_PRESET = "3_months"
LONGEST = timedelta(days=3 * 366)


class PeriodError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    preset: str = ""  # empty for a from/to period

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _months_back(day: date, months: int) -> date:
    """The first of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def preset(name: str, *, today: date) -> Period:
    yesterday = today - timedelta(days=1)
    if name == "this_month":
        return Period(min(today.replace(day=1), yesterday), yesterday, name)
    if name == "last_month":
        first = _months_back(today, 1)
        return Period(first, today.replace(day=1) - timedelta(days=1), name)
    if name == "3_months":
        return Period(_months_back(today, 2), yesterday, name)
    if name == "12_months":
        return Period(_months_back(today, 11), yesterday, name)
    raise PeriodError("period", str(_("Choose one of the periods offered.")))


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise PeriodError(field, str(_("Enter a date such as 2026-11-30."))) from error


def choose(*, period: str, start: str, end: str, today: date) -> Period:
    """The period asked for: ``start``/``end`` (ISO dates) when given, else the preset."""
    if not start.strip() and not end.strip():
        return preset(period or DEFAULT_PRESET, today=today)
    if not start.strip():
        raise PeriodError("start", str(_("Enter the first day of the period.")))
    if not end.strip():
        raise PeriodError("end", str(_("Enter the last day of the period.")))
    first, last = _day(start, "start"), _day(end, "end")
    yesterday = today - timedelta(days=1)
    if last > yesterday:
        raise PeriodError(
            "end", str(_("Figures exist up to yesterday: choose yesterday or an earlier day."))
        )
    if first > last:
        raise PeriodError("start", str(_("The first day must be on or before the last day.")))
    if last - first > LONGEST:
        raise PeriodError("start", str(_("Choose a period of at most three years.")))
    return Period(first, last)
