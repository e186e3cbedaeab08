"""Trend charts as Plotly figure dicts. Pure: no ORM, no clock, no translation lookups (numbers
and local times go through telemed.display, in the active language and settings.TIME_ZONE).

The caller (clinic.patient_page) reads the data and passes translated labels; the view only
serialises the dict into the page (``<script type="application/json">``) and static/js/patient.js
draws it with the vendored strict Plotly bundle.

What a chart shows (issue 4):

* the values of one measurement type (blood pressure: systolic and diastolic in one chart), the
  points coloured by the severity they were judged with;
* green/yellow/red bands from the limits *in force at each moment*: a threshold change is a step
  at the moment the new set came into force, never a repaint of the history;
* a ring around every yellow or red value nobody has acknowledged yet;
* hover: value, local time (settings.TIME_ZONE), source, reasons and who acknowledged.

Severity colours and band fills live here, in one place; they match static/css/telemed.css.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from monitoring.severity import ALARM_SEVERITIES, Severity
from telemed import display

# The same colours as the severity badges (static/css/telemed.css: --red, --yellow, --green).
SEVERITY_COLOURS: dict[str, str] = {
    Severity.RED: "#b3261e",
    Severity.YELLOW: "#e8b100",
    Severity.GREEN: "#2d7a45",
    Severity.MISSING: "#6b7580",
}
NO_SEVERITY_COLOUR = "#56606b"
BAND_FILLS: dict[str, str] = {
    Severity.RED: "rgba(179, 38, 30, 0.12)",
    Severity.YELLOW: "rgba(232, 177, 0, 0.16)",
    Severity.GREEN: "rgba(45, 122, 69, 0.07)",
}
LIMIT_LINE_COLOURS: dict[str, str] = {
    Severity.RED: "rgba(179, 38, 30, 0.55)",
    Severity.YELLOW: "rgba(176, 133, 0, 0.6)",
}
OUTLINE = "#1c2127"
SERIES_LINE_COLOURS = ("#5b6b7a", "#8a9aa9")
SERIES_SYMBOLS = ("circle", "diamond")
# A value a clinician set aside (measurement error, duplicate, device fault).
IGNORED_SYMBOL = "x"

# A year of five daily types fits; more than this is reduced on the server (``reduce_points``).
MAX_POINTS = 2000


@dataclass(frozen=True)
class Point:
    """One value as the chart shows it. ``reasons`` and ``status`` are already in the reader's
    language; ``open_alarm`` is a yellow or red value nobody has acknowledged."""

    at: datetime
    value: float
    severity: str | None
    source: str = ""
    reasons: tuple[str, ...] = ()
    status: str = ""
    open_alarm: bool = False
    text: str = ""  # the value as written (SpO2 87,5 stays 87,5); empty: format ``value``
    ignored: bool = False  # set aside by a clinician: a grey cross, never an alarm colour

    @property
    def is_alarm(self) -> bool:
        return not self.ignored and self.severity in ALARM_SEVERITIES


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


@dataclass(frozen=True)
class LimitPeriod:
    """The limits of one type from ``start`` to ``end`` (one threshold set's time in force)."""

    start: datetime
    end: datetime
    red_low: float | None = None
    yellow_low: float | None = None
    yellow_high: float | None = None
    red_high: float | None = None

    @property
    def values(self) -> list[float]:
        return [
            v
            for v in (self.red_low, self.yellow_low, self.yellow_high, self.red_high)
            if v is not None
        ]


@dataclass(frozen=True)
class Labels:
    """Translated words the chart needs (the caller passes them in the reader's language)."""

    severity: Mapping[str, str] = field(default_factory=dict)
    open_alarm: str = "Not acknowledged"
    limits: str = "Limits"
    no_data: str = "No measurements in this period"
    decimal_comma: bool = False


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    unit: str
    series: Sequence[Series]
    periods: Sequence[LimitPeriod] = ()
    extra_periods: Sequence[LimitPeriod] = ()  # BP: the diastolic limits, drawn as lines only
    decimals: int = 0


def local_text(moment: datetime) -> str:
    """A moment as Plotly's x value: local wall-clock time (settings.TIME_ZONE) without an
    offset, so the axis and hover read in local time whatever the browser's zone."""
    return display.local(moment).strftime("%Y-%m-%d %H:%M:%S")


def show_time(moment: datetime) -> str:
    return display.local(moment).strftime("%d.%m.%Y %H:%M")


def show_number(value: float, decimals: int) -> str:
    """A value in the active language's number format (telemed.display.number)."""
    return display.number(value, decimals)


def reduce_points(points: Sequence[Point], limit: int = MAX_POINTS) -> list[Point]:
    """At most about ``limit`` points, never dropping a yellow or red one.

    Every alarm point is kept. The green (and unjudged) points share what is left of the budget:
    they are cut into equal time-ordered buckets and each bucket keeps its lowest and highest
    value, so the shape of the curve (and any dip towards a limit) survives. When the alarms
    alone exceed the limit, all of them are still returned.
    """
    if len(points) <= limit:
        return list(points)
    ordered = sorted(points, key=lambda p: p.at)
    alarms = [p for p in ordered if p.is_alarm or p.open_alarm]
    others = [p for p in ordered if not (p.is_alarm or p.open_alarm)]
    budget = limit - len(alarms)
    kept: list[Point] = list(alarms)
    if budget >= 2 and others:
        buckets = max(1, budget // 2)
        size = len(others) / buckets
        for index in range(buckets):
            bucket = others[int(index * size) : int((index + 1) * size)]
            if not bucket:
                continue
            low = min(bucket, key=lambda p: p.value)
            high = max(bucket, key=lambda p: p.value)
            kept.extend({id(low): low, id(high): high}.values())
    return sorted(kept, key=lambda p: p.at)


def _y_range(chart: Chart) -> tuple[float, float]:
    values = [p.value for s in chart.series for p in s.points]
    values += [v for period in (*chart.periods, *chart.extra_periods) for v in period.values]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    pad = max((high - low) * 0.12, abs(high) * 0.02, 0.5 * 10 ** (-chart.decimals), 0.1)
    return low - pad, high + pad


def band_shapes(periods: Sequence[LimitPeriod], y_low: float, y_high: float) -> list[dict]:
    """Rectangles per period: red below red_low, yellow up to yellow_low, green between, yellow
    from yellow_high, red above red_high. A period without limits draws nothing."""
    shapes = []
    for period in periods:
        if not period.values:
            continue
        edges: list[tuple[float | None, float | None, str]] = [
            (y_low, period.red_low, Severity.RED),
            (
                period.red_low if period.red_low is not None else y_low,
                period.yellow_low,
                Severity.YELLOW,
            ),
        ]
        green_low = next((v for v in (period.yellow_low, period.red_low) if v is not None), y_low)
        green_high = next(
            (v for v in (period.yellow_high, period.red_high) if v is not None), y_high
        )
        edges.append((green_low, green_high, Severity.GREEN))
        edges.append(
            (
                period.yellow_high,
                period.red_high if period.red_high is not None else y_high,
                Severity.YELLOW,
            )
        )
        edges.append((period.red_high, y_high, Severity.RED))
        for bottom, top, colour in edges:
            if bottom is None or top is None or top <= bottom:
                continue
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "y",
                    "x0": local_text(period.start),
                    "x1": local_text(period.end),
                    "y0": max(bottom, y_low),
                    "y1": min(top, y_high),
                    "fillcolor": BAND_FILLS[colour],
                    "line": {"width": 0},
                    "layer": "below",
                    "name": colour,
                }
            )
    return shapes


def limit_lines(
    periods: Sequence[LimitPeriod], *, dash: str = "dot", name: str = "", legend: bool = False
) -> list[dict]:
    """Each limit as a step line (Plotly ``hv``): flat while a set is in force, a vertical step
    where the next one starts, a gap where a set has no such limit."""
    traces: list[dict] = []
    for attribute, colour in (
        ("red_low", Severity.RED),
        ("yellow_low", Severity.YELLOW),
        ("yellow_high", Severity.YELLOW),
        ("red_high", Severity.RED),
    ):
        xs: list[str | None] = []
        ys: list[float | None] = []
        for period in periods:
            value = getattr(period, attribute)
            xs += [local_text(period.start), local_text(period.end)]
            ys += [value, value]
        if all(y is None for y in ys):
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "line": {
                    "shape": "hv",
                    "color": LIMIT_LINE_COLOURS[colour],
                    "width": 1.2,
                    "dash": dash,
                },
                "hoverinfo": "skip",
                "connectgaps": False,
                "showlegend": legend and not traces,
                "legendgroup": f"limits-{name}",
                "name": name,
                "meta": {"limit": attribute},
            }
        )
    return traces


def _hover(point: Point, series: str, unit: str, decimals: int, labels: Labels) -> str:
    lines = [
        f"<b>{escape(series)}: {escape(point.text or show_number(point.value, decimals))} "
        f"{escape(unit)}</b>",
        show_time(point.at),
    ]
    if point.severity:
        lines.append(escape(labels.severity.get(point.severity, point.severity)))
    if point.source:
        lines.append(escape(point.source))
    lines += [escape(reason) for reason in point.reasons]
    if point.status:
        lines.append(escape(point.status))
    return "<br>".join(lines)


def figure(chart: Chart, *, since: datetime, until: datetime, labels: Labels) -> dict:
    """The Plotly figure (``{"data": [...], "layout": {...}}``) for one chart."""
    y_low, y_high = _y_range(chart)
    data: list[dict] = []
    data += limit_lines(chart.periods, dash="dot", name=labels.limits)
    data += limit_lines(chart.extra_periods, dash="dashdot", name=labels.limits)
    open_x: list[str] = []
    open_y: list[float] = []
    open_text: list[str] = []
    for index, series in enumerate(chart.series):
        points = reduce_points(series.points)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": series.name,
                "x": [local_text(p.at) for p in points],
                "y": [p.value for p in points],
                "text": [
                    _hover(p, series.name, chart.unit, chart.decimals, labels) for p in points
                ],
                "hovertemplate": "%{text}<extra></extra>",
                "line": {
                    "color": SERIES_LINE_COLOURS[index % len(SERIES_LINE_COLOURS)],
                    "width": 1.3,
                },
                "marker": {
                    "color": [
                        NO_SEVERITY_COLOUR
                        if p.ignored
                        else SEVERITY_COLOURS.get(p.severity or "", NO_SEVERITY_COLOUR)
                        for p in points
                    ],
                    "size": [10 if p.is_alarm else 7 for p in points],
                    "symbol": [
                        IGNORED_SYMBOL if p.ignored else SERIES_SYMBOLS[index % len(SERIES_SYMBOLS)]
                        for p in points
                    ],
                    "line": {"color": OUTLINE, "width": [1 if p.is_alarm else 0 for p in points]},
                },
                "meta": {
                    "severities": [None if p.ignored else p.severity for p in points],
                    "ignored": [p.ignored for p in points],
                },
            }
        )
        for p in points:
            if p.open_alarm:
                open_x.append(local_text(p.at))
                open_y.append(p.value)
                open_text.append(_hover(p, series.name, chart.unit, chart.decimals, labels))
    if open_x:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": labels.open_alarm,
                "x": open_x,
                "y": open_y,
                "text": open_text,
                "hovertemplate": "%{text}<extra></extra>",
                "marker": {
                    "symbol": "circle-open",
                    "size": 19,
                    "color": OUTLINE,
                    "line": {"width": 2, "color": OUTLINE},
                },
            }
        )
    has_points = any(s.points for s in chart.series)
    layout: dict = {
        "height": 280,
        "margin": {"l": 56, "r": 16, "t": 8, "b": 36},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {
            "family": 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
            "size": 12,
            "color": "#1c2127",
        },
        "hovermode": "closest",
        "hoverlabel": {"bgcolor": "#ffffff", "bordercolor": "#b9c1c9", "align": "left"},
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "font": {"size": 12}},
        "xaxis": {
            "type": "date",
            "range": [local_text(since), local_text(until)],
            "tickformat": "%d.%m",
            "hoverformat": "%d.%m.%Y %H:%M",
            "gridcolor": "#eceff2",
            "showline": True,
            "linecolor": "#b9c1c9",
        },
        "yaxis": {
            "range": [y_low, y_high],
            "title": {"text": chart.unit, "standoff": 6},
            "gridcolor": "#eceff2",
            "zeroline": False,
            "fixedrange": True,
            "separatethousands": False,
        },
        "shapes": band_shapes(chart.periods, y_low, y_high),
        "separators": ",." if labels.decimal_comma else ".,",
    }
    if not has_points:
        layout["annotations"] = [
            {
                "text": labels.no_data,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"color": "#56606b", "size": 13},
            }
        ]
    return {"data": data, "layout": layout}


def periods_from_changes(
    changes: Sequence[
        tuple[datetime, tuple[float | None, float | None, float | None, float | None] | None]
    ],
    *,
    since: datetime,
    until: datetime,
) -> list[LimitPeriod]:
    """Limit periods clipped to ``[since, until]`` from ``(valid_from, limits)`` changes in time
    order; ``limits`` None means the type had no threshold in that set. The set in force at
    ``since`` (the last change before it) starts the first period."""
    periods: list[LimitPeriod] = []
    ordered = sorted(changes, key=lambda change: change[0])
    for index, (start, limits) in enumerate(ordered):
        end = ordered[index + 1][0] if index + 1 < len(ordered) else until
        start, end = max(start, since), min(end, until)
        if end <= start or limits is None:
            continue
        periods.append(LimitPeriod(start, end, *limits))
    return periods
