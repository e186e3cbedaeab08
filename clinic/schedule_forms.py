"""The patient's schedule form: weekdays and times, every n days, or once; and a grace window."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from clinic.forms import DayInput
from monitoring.models import Schedule
from monitoring.schedule_versions import ScheduleError, ScheduleRule, rule_check

# ISO weekday numbers (1 Monday .. 7 Sunday) with Django's translated day names.
WEEKDAY_CHOICES = [(str(day + 1), WEEKDAYS[day]) for day in range(7)]


def parse_times(text: str) -> tuple[time, ...]:
    """ "9, 18:30" or "09.00 18.30" → (09:00, 18:30); ValueError when a part is not a time."""
    found = []
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        hours, _sep, minutes = part.replace(".", ":").partition(":")
        if not hours.isdigit() or (minutes and not minutes.isdigit()) or len(minutes) > 2:
            raise ValueError(part)
        try:
            found.append(time(int(hours), int(minutes or 0)))
        except ValueError as exc:  # past 23:59: name the part, not the hour rule
            raise ValueError(part) from exc
    return tuple(sorted(set(found)))


def weekdays_field() -> forms.MultipleChoiceField:
    """The weekdays of a schedule (a patient's or a template's), as ticks."""
    return forms.MultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def times_field() -> forms.CharField:
    """Times of day typed as "09:00, 18:00" (parse_times reads them)."""
    return forms.CharField(
        label=_("Times of day"),
        required=False,
        max_length=100,
        help_text=_("Copenhagen time, e.g. 09:00 or 09:00, 18:00."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def times_cleaned(raw: str) -> tuple[time, ...]:
    """The typed times of a times_field(), or the message that names the part that is not one."""
    try:
        return parse_times(raw)
    except ValueError as exc:
        raise forms.ValidationError(
            _("“%(part)s” is not a time of day. Write times as 09:00, separated by commas."),
            params={"part": exc.args[0] if exc.args else ""},
        ) from exc


def grace_minutes_field(**kwargs: Any) -> forms.IntegerField:
    """The grace window in minutes: up to a week."""
    return forms.IntegerField(
        label=_("Grace window (minutes)"),
        min_value=1,
        max_value=7 * 24 * 60,
        help_text=_(
            "How long after the due time an answer still counts as on time; after it, a "
            "missing answer raises a missing-data alarm."
        ),
        error_messages={"required": _("Give the grace window in minutes, e.g. 180.")},
        **kwargs,
    )


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Asked"), choices=Schedule.Kind.choices, widget=forms.RadioSelect
    )
    weekdays = weekdays_field()
    times = times_field()
    interval_days = forms.IntegerField(
        label=_("Every (days)"), required=False, min_value=1, max_value=90
    )
    once_day = forms.DateField(label=_("Day"), required=False, widget=DayInput())
    once_time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"inputmode": "numeric", "size": 5}, format="%H:%M"),
    )
    grace_minutes = grace_minutes_field()
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=255,
        error_messages={"required": _("Please give a reason for the change.")},
    )

    @classmethod
    def for_schedule(cls, schedule: Schedule) -> ScheduleForm:
        once = timezone.localtime(schedule.once_at) if schedule.once_at else None
        return cls(
            initial={
                "kind": schedule.kind,
                "weekdays": [str(day) for day in schedule.weekdays],
                "times": ", ".join(at.strftime("%H:%M") for at in sorted(schedule.times)),
                "interval_days": schedule.interval_days,
                "once_day": once.date() if once else None,
                "once_time": once.time() if once else None,
                "grace_minutes": schedule.grace_minutes,
            },
            prefix=f"s{schedule.pk}",
        )

    def clean_times(self) -> tuple[time, ...]:
        return times_cleaned(self.cleaned_data.get("times") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        once_at: datetime | None = None
        day: date | None = data.get("once_day")
        at: time | None = data.get("once_time")
        if data["kind"] == Schedule.Kind.ONCE:
            if day is None or at is None:
                self.add_error("once_day", _("Give the day and time of the one answer."))
                return data
            once_at = timezone.make_aware(
                datetime.combine(day, at), timezone.get_default_timezone()
            )
            if once_at <= timezone.now():
                self.add_error("once_day", _("The one answer must be asked in the future."))
                return data
        rule = ScheduleRule(
            kind=data["kind"],
            weekdays=tuple(int(day) for day in data.get("weekdays") or ()),
            times=data.get("times") or (),
            interval_days=data.get("interval_days"),
            once_at=once_at,
            grace_minutes=data["grace_minutes"],
        )
        try:
            rule_check(rule, starts_on=timezone.localdate())
        except ScheduleError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        data["rule"] = rule
        return data
