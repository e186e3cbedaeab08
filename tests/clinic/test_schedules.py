"""Schedules on the patient page: seen in words, changed as a new version from the next
occasion, refused with a message next to the field, and followed by missing-data alarms."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse

from alarms import services
from alarms.models import TriageResult
from clinic.schedule_forms import parse_times
from monitoring import schedules
from monitoring.models import Schedule
from monitoring.schedule_versions import ScheduleError, ScheduleRule, rule_check, schedule_change
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(citizen):
    return ScheduleFactory(patient=citizen, starts_on=date(2026, 1, 1))


MON_THU_9 = ScheduleRule(
    kind=Schedule.Kind.WEEKDAYS, weekdays=(1, 4), times=(time(9, 0),), grace_minutes=180
)


def test_the_tab_shows_the_schedule_in_words_with_its_next_occasions(client, nurse, schedule):
    response = login(client, nurse).get(
        reverse("patient:schedules", args=[schedule.patient_id]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Every day at 09:00" in page
    assert "within 3 hours" in page
    assert "Change schedule" in page
    assert AuditEvent.objects.filter(what="Patient page: schedules").count() == 1


def test_a_doctor_sees_the_schedule_but_cannot_change_it(client, doctor, schedule):
    login(client, doctor)
    page = client.get(reverse("patient:schedules", args=[schedule.patient_id])).content.decode()
    assert "Change schedule" not in page and "Ændr skema" not in page
    response = client.post(
        reverse("patient:schedule_change", args=[schedule.patient_id, schedule.pk]),
        {f"s{schedule.pk}-kind": "weekdays", f"s{schedule.pk}-reason": "x"},
    )
    assert response.status_code == 403
    assert Schedule.objects.filter(patient=schedule.patient).count() == 1


def test_others_get_404(client, other_nurse, schedule):
    response = login(client, other_nurse).get(
        reverse("patient:schedules", args=[schedule.patient_id])
    )
    assert response.status_code == 404


def _post(client, schedule, **fields):
    data = {
        "kind": "weekdays",
        "weekdays": ["1", "4"],
        "times": "09:00",
        "grace_minutes": "180",
        "reason": "Fewer answers, stable",
        **fields,
    }
    return client.post(
        reverse("patient:schedule_change", args=[schedule.patient_id, schedule.pk]),
        {f"s{schedule.pk}-{key}": value for key, value in data.items()},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_change_is_a_new_version_with_who_and_why(client, nurse, schedule):
    response = _post(login(client, nurse), schedule)
    assert response.status_code == 302
    old, new = Schedule.objects.filter(patient=schedule.patient).order_by("version")
    assert old.valid_until is not None and new.valid_from == old.valid_until
    assert new.replaces == old and new.version == 2
    assert new.weekdays == [1, 4] and new.times == [time(9, 0)]
    assert new.created_by == nurse and new.change_reason == "Fewer answers, stable"
    page = client.get(
        reverse("patient:schedules", args=[schedule.patient_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Monday and Thursday at 09:00" in page
    assert "1 earlier version" in page and "Anne Nord" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"weekdays": []}, "weekdays", "Choose at least one weekday."),
        ({"times": "9 o'clock"}, "times", "is not a time of day"),
        ({"times": "25:00"}, "times", "is not a time of day"),
        ({"reason": ""}, "reason", "Please give a reason for the change."),
        (
            {"kind": "every_n_days", "interval_days": "1", "grace_minutes": "2000"},
            "grace_minutes",
            "longer than the time between two answers",
        ),
    ],
)
def test_bad_input_is_refused_next_to_the_field_keeping_what_was_typed(
    client, nurse, schedule, fields, field, message
):
    response = _post(login(client, nurse), schedule, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    form = response.context["schedules"][0].form
    assert field in form.errors
    assert "Fewer answers" in page or fields.get("reason") == ""  # the reason typed is kept
    assert Schedule.objects.filter(patient=schedule.patient).count() == 1


def test_parse_times_accepts_how_people_write_times():
    assert parse_times("9, 18.30") == (time(9, 0), time(18, 30))
    assert parse_times("18:00 09:00 09:00") == (time(9, 0), time(18, 0))
    with pytest.raises(ValueError):
        parse_times("9am")


def test_a_grace_window_as_long_as_a_weekly_gap_is_allowed_but_not_longer():
    weekly = ScheduleRule(kind="weekdays", weekdays=(1,), times=(time(9, 0),))
    week = 7 * 24 * 60
    rule_check(
        ScheduleRule(**{**weekly.__dict__, "grace_minutes": week}), starts_on=date(2026, 1, 5)
    )
    with pytest.raises(ScheduleError) as refused:
        rule_check(
            ScheduleRule(kind="weekdays", weekdays=(1, 2), times=(time(9, 0),), grace_minutes=1500),
            starts_on=date(2026, 1, 5),
        )
    assert refused.value.field == "grace_minutes"


def test_a_schedule_changed_by_someone_else_meanwhile_is_not_changed_twice(nurse, schedule):
    schedule_change(schedule=schedule, rule=MON_THU_9, user=nurse, reason="first")
    with pytest.raises(ScheduleError):
        schedule_change(schedule=schedule, rule=MON_THU_9, user=nurse, reason="second")
    assert Schedule.objects.filter(patient=schedule.patient).count() == 2


# Missing-data alarms follow the schedule in force -------------------------------------------

# Wednesday 7 January 2026 12:00 Copenhagen (11:00 UTC): the change to Monday/Thursday 09:00.
CHANGED = datetime(2026, 1, 7, 11, 0, tzinfo=UTC)


def _missing_due_times(schedule) -> list[datetime]:
    return sorted(
        TriageResult.objects.filter(patient=schedule.patient, kind="missing").values_list(
            "due_at", flat=True
        )
    )


def test_missing_data_alarms_follow_the_new_schedule_from_the_next_occasion(nurse, schedule):
    """Daily 09:00 until Wednesday noon, then Monday and Thursday 09:00: Wednesday's own
    occasion (due before the change) is still missed; Friday to Sunday ask nothing; Thursday and
    Monday do."""
    services.missing_data_raise(now=datetime(2026, 1, 6, 23, 0, tzinfo=UTC))  # Mon 5, Tue 6
    schedule_change(schedule=schedule, rule=MON_THU_9, user=nurse, reason="r", now=CHANGED)
    for day in range(7, 14):  # run the job every evening until Tuesday 13 January
        services.missing_data_raise(now=datetime(2026, 1, day, 23, 0, tzinfo=UTC))
    assert _missing_due_times(schedule) == [
        datetime(2026, 1, d, 8, 0, tzinfo=UTC) for d in (5, 6, 7, 8, 12)
    ]


def test_the_new_version_is_not_asked_before_the_change(nurse, schedule):
    """A change at 08:00 to a 07:00 schedule asks from tomorrow, not one hour ago."""
    new = schedule_change(
        schedule=schedule,
        rule=ScheduleRule(kind="weekdays", weekdays=tuple(range(1, 8)), times=(time(7, 0),)),
        user=nurse,
        reason="earlier",
        now=datetime(2026, 1, 7, 7, 0, tzinfo=UTC),
    )
    due = schedules.occurrences(
        new.rule(), datetime(2026, 1, 7, tzinfo=UTC), datetime(2026, 1, 9, tzinfo=UTC)
    )
    assert due == [datetime(2026, 1, 8, 6, 0, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("change_day", "dst_day", "before_utc", "after_utc"),
    [
        # Spring forward on Sunday 29 March 2026: 09:00 is 08:00 UTC before, 07:00 UTC after.
        (date(2026, 3, 26), date(2026, 3, 29), 8, 7),
        # Fall back on Sunday 25 October 2026: 09:00 is 07:00 UTC before, 08:00 UTC after.
        (date(2026, 10, 22), date(2026, 10, 25), 7, 8),
    ],
)
def test_a_changed_schedule_keeps_09_00_on_the_wall_clock_across_daylight_saving(
    nurse, schedule, change_day, dst_day, before_utc, after_utc
):
    new = schedule_change(
        schedule=schedule,
        rule=ScheduleRule(kind="weekdays", weekdays=(6, 1), times=(time(9, 0),)),
        user=nurse,
        reason="weekend",
        now=datetime.combine(change_day, time(12, 0), tzinfo=UTC),
    )
    saturday = dst_day - timedelta(days=1)
    monday = dst_day + timedelta(days=1)
    due = schedules.occurrences(
        new.rule(),
        datetime.combine(saturday, time(0, 0), tzinfo=UTC),
        datetime.combine(monday + timedelta(days=1), time(0, 0), tzinfo=UTC),
    )
    assert due == [
        datetime.combine(saturday, time(before_utc, 0), tzinfo=UTC),
        datetime.combine(monday, time(after_utc, 0), tzinfo=UTC),
    ]
