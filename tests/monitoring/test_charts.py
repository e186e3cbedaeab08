"""The pure chart builder: bands from the limits in force, steps at changes, severity colours,
reduction that keeps every alarm, hover in Copenhagen time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring import charts

T0 = datetime(2025, 1, 1, tzinfo=UTC)
LABELS = charts.Labels(severity={"red": "Rød", "yellow": "Gul", "green": "Grøn"})


def point(day: float, value: float, severity: str = "green", **kwargs) -> charts.Point:
    return charts.Point(at=T0 + timedelta(days=day), value=value, severity=severity, **kwargs)


def spo2_chart(points, periods) -> charts.Chart:
    return charts.Chart(
        key="spo2", title="SpO2", unit="%", series=[charts.Series("SpO2", points)], periods=periods
    )


def shapes_by_colour(shapes) -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = {}
    for shape in shapes:
        result.setdefault(shape["name"], []).append(shape)
    return result


def test_bands_follow_the_limits_red_below_yellow_between_green_above():
    period = charts.LimitPeriod(T0, T0 + timedelta(days=10), red_low=85, yellow_low=88)
    shapes = shapes_by_colour(charts.band_shapes([period], 80, 100))

    assert [(s["y0"], s["y1"]) for s in shapes["red"]] == [(80, 85)]
    assert [(s["y0"], s["y1"]) for s in shapes["yellow"]] == [(85, 88)]
    assert [(s["y0"], s["y1"]) for s in shapes["green"]] == [(88, 100)]
    assert all(s["fillcolor"] == charts.BAND_FILLS[name] for name in shapes for s in shapes[name])


def test_bands_with_high_limits_and_no_limits():
    both = charts.LimitPeriod(
        T0, T0 + timedelta(days=1), red_low=40, yellow_low=50, yellow_high=110, red_high=130
    )
    shapes = shapes_by_colour(charts.band_shapes([both], 30, 150))
    assert sorted((s["y0"], s["y1"]) for s in shapes["red"]) == [(30, 40), (130, 150)]
    assert sorted((s["y0"], s["y1"]) for s in shapes["yellow"]) == [(40, 50), (110, 130)]
    assert [(s["y0"], s["y1"]) for s in shapes["green"]] == [(50, 110)]

    assert charts.band_shapes([charts.LimitPeriod(T0, T0 + timedelta(days=1))], 0, 1) == []


def test_a_threshold_change_is_a_step_not_a_repaint():
    change = T0 + timedelta(days=5)
    periods = charts.periods_from_changes(
        [
            (T0 - timedelta(days=30), (85.0, 88.0, None, None)),
            (change, (87.0, 90.0, None, None)),
        ],
        since=T0,
        until=T0 + timedelta(days=10),
    )
    # The set in force at the start of the range starts the first period, clipped to the range.
    assert [(p.start, p.end, p.red_low) for p in periods] == [
        (T0, change, 85.0),
        (change, T0 + timedelta(days=10), 87.0),
    ]

    red_shapes = shapes_by_colour(charts.band_shapes(periods, 80, 100))["red"]
    assert [(s["x0"], s["x1"], s["y1"]) for s in red_shapes] == [
        ("2025-01-01 01:00:00", "2025-01-06 01:00:00", 85.0),
        ("2025-01-06 01:00:00", "2025-01-11 01:00:00", 87.0),
    ]

    lines = {t["meta"]["limit"]: t for t in charts.limit_lines(periods)}
    assert lines["red_low"]["line"]["shape"] == "hv"
    assert lines["red_low"]["y"] == [85.0, 85.0, 87.0, 87.0]
    assert "yellow_high" not in lines  # no such limit in either set: no line


def test_a_set_without_the_type_leaves_a_gap():
    periods = charts.periods_from_changes(
        [(T0, (85.0, 88.0, None, None)), (T0 + timedelta(days=2), None)],
        since=T0,
        until=T0 + timedelta(days=4),
    )
    assert len(periods) == 1 and periods[0].end == T0 + timedelta(days=2)


def test_points_are_coloured_by_severity_and_open_alarms_get_a_ring():
    points = [
        point(0, 95),
        point(1, 87, "yellow"),
        point(2, 83, "red", open_alarm=True),
    ]
    period = charts.LimitPeriod(T0, T0 + timedelta(days=3), red_low=85, yellow_low=88)
    fig = charts.figure(
        spo2_chart(points, [period]), since=T0, until=T0 + timedelta(days=3), labels=LABELS
    )

    values = next(t for t in fig["data"] if t["name"] == "SpO2")
    assert values["marker"]["color"] == [
        charts.SEVERITY_COLOURS["green"],
        charts.SEVERITY_COLOURS["yellow"],
        charts.SEVERITY_COLOURS["red"],
    ]
    ring = next(t for t in fig["data"] if t["name"] == LABELS.open_alarm)
    assert ring["y"] == [83] and ring["marker"]["symbol"] == "circle-open"
    # The red point lies inside the red band.
    red_band = next(s for s in fig["layout"]["shapes"] if s["name"] == "red")
    assert red_band["y0"] <= 83 < red_band["y1"]


def test_hover_shows_copenhagen_time_source_reasons_and_status():
    winter = charts.Point(
        at=datetime(2025, 1, 15, 8, 0, tzinfo=UTC),
        value=86.0,
        severity="yellow",
        source="Device (oximeter-7)",
        reasons=("SpO2 86 % under gul grænse 88 %",),
        status="Not acknowledged",
    )
    summer = charts.Point(at=datetime(2025, 7, 15, 8, 0, tzinfo=UTC), value=95.0, severity="green")
    fig = charts.figure(
        spo2_chart([winter, summer], []),
        since=datetime(2025, 1, 1, tzinfo=UTC),
        until=datetime(2025, 8, 1, tzinfo=UTC),
        labels=charts.Labels(severity={"yellow": "Gul"}, decimal_comma=True),
    )
    trace = next(t for t in fig["data"] if t["name"] == "SpO2")
    assert trace["x"] == ["2025-01-15 09:00:00", "2025-07-15 10:00:00"]
    hover = trace["text"][0]
    for expected in ("15.01.2025 09:00", "Gul", "Device (oximeter-7)", "under gul", "Not ack"):
        assert expected in hover
    assert "86 %" in hover or "86" in hover


def test_reasons_in_hover_are_escaped():
    evil = point(0, 90, reasons=("<img src=x onerror=alert(1)>",))
    fig = charts.figure(spo2_chart([evil], []), since=T0, until=T0 + timedelta(1), labels=LABELS)
    text = next(t for t in fig["data"] if t["name"] == "SpO2")["text"][0]
    assert "<img" not in text and "&lt;img" in text


def test_empty_chart_says_so():
    fig = charts.figure(spo2_chart([], []), since=T0, until=T0 + timedelta(1), labels=LABELS)
    assert fig["layout"]["annotations"][0]["text"] == LABELS.no_data


def test_reduction_keeps_every_red_and_yellow_point():
    points = [point(i / 100, 95 + (i % 7) * 0.3) for i in range(6000)]
    alarm_days = {17, 1234, 2999, 4000, 5999}
    for i in alarm_days:
        points[i] = point(i / 100, 84, "red" if i % 2 else "yellow")

    reduced = charts.reduce_points(points, limit=2000)

    assert len(reduced) <= 2000
    assert {p.at for p in reduced if p.is_alarm} == {points[i].at for i in alarm_days}
    assert [p.at for p in reduced] == sorted(p.at for p in reduced)
    # The green curve keeps its extremes.
    assert min(p.value for p in reduced if not p.is_alarm) == min(
        p.value for p in points if not p.is_alarm
    )
    assert max(p.value for p in reduced) == max(p.value for p in points)


def test_reduction_leaves_small_series_alone():
    points = [point(i, 90) for i in range(50)]
    assert charts.reduce_points(points, limit=2000) == points


@settings(max_examples=40, deadline=None)
@given(
    severities=st.lists(
        st.sampled_from(["green", "green", "green", "yellow", "red", None]),
        min_size=0,
        max_size=800,
    ),
    limit=st.integers(min_value=10, max_value=300),
)
def test_reduction_never_drops_an_alarm(severities, limit):
    points = [point(i / 24, 80 + (i * 7919) % 20, s) for i, s in enumerate(severities)]
    reduced = charts.reduce_points(points, limit=limit)
    alarms = [p for p in points if p.is_alarm]
    assert [p for p in reduced if p.is_alarm] == alarms
    assert len(reduced) <= max(limit, len(alarms))
