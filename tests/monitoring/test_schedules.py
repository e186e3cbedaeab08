"""Schedule maths in Copenhagen local time, with the daylight-saving days spelled out."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring import schedules
from monitoring.schedules import Rule

# The project's time zone (settings.TIME_ZONE), spelled out so the expectations are readable.
LOCAL = ZoneInfo("Europe/Copenhagen")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def daily(*times, **kwargs):
    kwargs.setdefault("starts_on", date(2026, 1, 1))
    return Rule(schedules.WEEKDAYS, times=times, weekdays=frozenset(range(1, 8)), **kwargs)


def test_nine_oclock_is_eight_utc_in_winter_and_seven_in_summer():
    rule = daily(time(9, 0))
    assert schedules.occurrences(rule, utc(2026, 1, 5), utc(2026, 1, 6)) == [utc(2026, 1, 5, 8)]
    assert schedules.occurrences(rule, utc(2026, 7, 6), utc(2026, 7, 7)) == [utc(2026, 7, 6, 7)]


def test_spring_forward_day_keeps_the_wall_clock_time():
    # 29 March 2026: clocks go from 02:00 CET to 03:00 CEST.
    rule = daily(time(9, 0))
    day = schedules.occurrences(rule, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12))
    assert day == [utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]
    assert [d.astimezone(LOCAL).hour for d in day] == [9, 9]


def test_a_time_in_the_spring_gap_is_due_an_hour_later_not_skipped():
    rule = daily(time(2, 30))
    due = schedules.occurrences(rule, utc(2026, 3, 29, 0), utc(2026, 3, 29, 12))
    assert due == [utc(2026, 3, 29, 1, 30)]
    assert due[0].astimezone(LOCAL).time() == time(3, 30)


def test_a_time_that_happens_twice_in_autumn_is_due_once_at_the_first():
    # 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
    rule = daily(time(2, 30))
    due = schedules.occurrences(rule, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12))
    assert due == [utc(2026, 10, 25, 0, 30)]


def test_fall_back_day_has_25_hours_and_still_one_occasion():
    rule = daily(time(9, 0))
    due = schedules.occurrences(rule, utc(2026, 10, 24, 12), utc(2026, 10, 26, 12))
    assert due == [utc(2026, 10, 25, 8), utc(2026, 10, 26, 8)]


def test_weekdays_only():
    rule = Rule(
        schedules.WEEKDAYS,
        starts_on=date(2026, 1, 1),
        times=(time(10, 0),),
        weekdays=frozenset({1, 3, 5}),
    )
    due = schedules.occurrences(rule, utc(2026, 1, 5), utc(2026, 1, 12))  # Mon 5 .. Sun 11
    assert [d.astimezone(LOCAL).strftime("%a") for d in due] == ["Mon", "Wed", "Fri"]


def test_every_n_days_counts_from_the_start_date():
    rule = Rule(
        schedules.EVERY_N_DAYS, starts_on=date(2026, 3, 1), times=(time(8, 0),), interval_days=3
    )
    due = schedules.occurrences(rule, utc(2026, 3, 1), utc(2026, 3, 11))
    assert [d.astimezone(LOCAL).day for d in due] == [1, 4, 7, 10]


def test_every_n_days_across_dst_keeps_local_time():
    rule = Rule(
        schedules.EVERY_N_DAYS, starts_on=date(2026, 3, 27), times=(time(8, 0),), interval_days=2
    )
    due = schedules.occurrences(rule, utc(2026, 3, 26), utc(2026, 4, 1))
    assert [(d.astimezone(LOCAL).day, d.astimezone(LOCAL).hour) for d in due] == [
        (27, 8),
        (29, 8),
        (31, 8),
    ]


def test_once():
    at = utc(2026, 5, 1, 10)
    rule = Rule(schedules.ONCE, starts_on=date(2026, 5, 1), once_at=at)
    assert schedules.occurrences(rule, utc(2026, 5, 1), utc(2026, 5, 2)) == [at]
    assert schedules.occurrences(rule, utc(2026, 5, 2), utc(2026, 5, 3)) == []


def test_start_and_end_dates_bound_the_schedule():
    rule = daily(time(9, 0), starts_on=date(2026, 2, 3), ends_on=date(2026, 2, 4))
    due = schedules.occurrences(rule, utc(2026, 2, 1), utc(2026, 2, 10))
    assert [d.astimezone(LOCAL).day for d in due] == [3, 4]


def test_missed_only_after_the_grace_window():
    rule = daily(time(9, 0), grace=timedelta(hours=3))
    since = utc(2026, 1, 5)
    assert schedules.missed(rule, since=since, now=utc(2026, 1, 5, 10, 59)) == []
    assert schedules.missed(rule, since=since, now=utc(2026, 1, 5, 11)) == [utc(2026, 1, 5, 8)]


def test_occasions_today_have_a_state():
    rule = daily(time(9, 0), time(18, 0), grace=timedelta(hours=2))
    now = utc(2026, 1, 5, 9)  # 10:00 local
    states = [o.state for o in schedules.occasions_on(rule, date(2026, 1, 5), now)]
    assert states == ["due", "upcoming"]
    later = utc(2026, 1, 5, 12)
    assert [o.state for o in schedules.occasions_on(rule, date(2026, 1, 5), later)] == [
        "overdue",
        "upcoming",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "weekdays", "times": (), "weekdays": frozenset({1})},
        {"kind": "weekdays", "times": (time(9),), "weekdays": frozenset({0})},
        {"kind": "every_n_days", "times": (time(9),), "interval_days": 0},
        {"kind": "once", "once_at": datetime(2026, 1, 1, 9)},
        {"kind": "hourly"},
    ],
)
def test_invalid_rules_are_refused(bad):
    with pytest.raises(ValueError):
        Rule(starts_on=date(2026, 1, 1), **bad)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_every_day_has_exactly_one_occasion_at_about_the_local_time(day, at):
    rule = daily(at, starts_on=date(2019, 1, 1))
    start = schedules.local_due(day, time(0, 0), LOCAL)
    end = schedules.local_due(day + timedelta(days=1), time(0, 0), LOCAL)
    due = schedules.occurrences(rule, start, end)
    assert len(due) == 1
    shown = due[0].astimezone(LOCAL)
    assert shown.date() == day
    # The wall clock shows the asked time, or an hour later inside the spring gap.
    asked = datetime.combine(day, at)
    assert shown.replace(tzinfo=None) - asked in (timedelta(0), timedelta(hours=1))


def test_rules_use_the_project_time_zone_unless_given_another():
    assert daily(time(9, 0)).zone == LOCAL
    london = daily(time(9, 0), zone=ZoneInfo("Europe/London"))
    assert schedules.occurrences(london, utc(2026, 1, 5), utc(2026, 1, 6)) == [utc(2026, 1, 5, 9)]
