"""The pure statistics of the indicators (indicators/stats.py, indicators/periods.py)."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators import periods, stats


def test_median_and_90th_percentile_of_four_acknowledgements():
    minutes = [40, 10, 30, 20]
    assert stats.median(minutes) == 25
    assert stats.p90(minutes) == pytest.approx(37)


def test_no_values_is_no_figure_not_zero():
    assert stats.median([]) is None
    assert stats.share(0, 0) is None
    assert stats.per_patient_week(3, 0) is None


def test_one_value_is_every_percentile():
    assert stats.median([7]) == 7
    assert stats.p90([7]) == 7


def test_adherence_share_and_rate_per_patient_week():
    assert stats.share(15, 20) == 0.75
    # 4 alarms in 70 patient-days (10 patient-weeks): 0.4 per patient-week.
    assert stats.per_patient_week(4, 70) == pytest.approx(0.4)
    with pytest.raises(ValueError):
        stats.share(21, 20)


@pytest.mark.parametrize(
    ("moment", "office"),
    [
        (datetime(2026, 11, 16, 7, 0, tzinfo=UTC), True),  # Monday 08:00 Copenhagen
        (datetime(2026, 11, 16, 6, 59, tzinfo=UTC), False),  # Monday 07:59
        (datetime(2026, 11, 16, 15, 0, tzinfo=UTC), False),  # Monday 16:00: closed
        (datetime(2026, 7, 6, 13, 59, tzinfo=UTC), True),  # summer Monday 15:59 local
        (datetime(2026, 11, 21, 10, 0, tzinfo=UTC), False),  # Saturday
    ],
)
def test_office_hours_are_weekdays_8_to_16_in_copenhagen(moment, office):
    assert stats.in_office_hours(moment) is office


@given(st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=200))
def test_percentiles_match_the_inclusive_method_and_are_ordered(values):
    assert stats.median(values) == pytest.approx(statistics.median(values))
    deciles = statistics.quantiles(values, n=10, method="inclusive") if len(values) > 1 else []
    if deciles:
        assert stats.p90(values) == pytest.approx(deciles[8])
    low, mid, high = (stats.percentile(values, p) for p in (0.1, 0.5, 0.9))
    assert min(values) <= low <= mid <= high <= max(values)  # type: ignore[operator]


@given(
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=50),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=50),
)
def test_merging_days_keeps_every_value(first, second):
    """A period's percentile is that of all its values, whatever the split into days."""
    assert stats.median(stats.merged([first, second])) == pytest.approx(
        statistics.median(first + second)
    )


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 400))
def test_buckets_cover_every_day_once(first, length):
    last = date.fromordinal(first.toordinal() + length)
    unit = stats.granularity(first, last)
    starts = stats.buckets(first, last, unit)
    assert starts == sorted(set(starts))
    day = first
    while day <= last:
        assert stats.bucket_start(day, unit) in starts
        day = date.fromordinal(day.toordinal() + 1)


def test_month_presets_end_yesterday():
    today = date(2026, 12, 7)
    assert periods.preset("last_month", today=today) == periods.Period(
        date(2026, 11, 1), date(2026, 11, 30), "last_month"
    )
    assert periods.preset("this_month", today=today).last == date(2026, 12, 6)
    assert periods.preset("3_months", today=today).first == date(2026, 10, 1)
    assert periods.preset("12_months", today=date(2026, 1, 15)).first == date(2025, 2, 1)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-11-01", "", "end"),
        ("", "2026-11-01", "start"),
        ("1.11.2026", "2026-11-30", "start"),
        ("2026-11-30", "2026-11-01", "start"),
        ("2026-11-01", "2026-12-07", "end"),  # today is not over
    ],
)
def test_bad_periods_name_their_field(start, end, field):
    with pytest.raises(periods.PeriodError) as error:
        periods.choose(period="", start=start, end=end, today=date(2026, 12, 7))
    assert error.value.field == field
