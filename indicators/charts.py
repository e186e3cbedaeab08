"""Plotly figure dicts for the indicators' trends. Pure: the presenter passes the numbers and the
translated names; the page embeds the dict as JSON and static/js/patient.js draws it (the same
vendored strict Plotly bundle and drawing code as the patient charts). Severity colours come from
monitoring.charts, the one place for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitoring.charts import SEVERITY_COLOURS
from monitoring.severity import Severity

NEUTRAL = "#1f5f99"
NEUTRAL_LIGHT = "#7aa6cf"
OUTCOME_COLOURS = {
    "action": SEVERITY_COLOURS[Severity.GREEN],
    "no_action": "#8a9aa9",
    "false_alarm": SEVERITY_COLOURS[Severity.RED],
}
FONT = {
    "family": 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    "size": 12,
    "color": "#1c2127",
}


@dataclass(frozen=True)
class Line:
    name: str
    values: Sequence[float | None]
    colour: str = NEUTRAL
    dash: str = "solid"
    bars: bool = False


def _layout(*, y_title: str, decimal_comma: bool, height: int = 260) -> dict:
    return {
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 8, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": FONT,
        "hovermode": "x unified",
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": -0.2},
        "xaxis": {"type": "category", "gridcolor": "#eceff2", "linecolor": "#b9c1c9"},
        "yaxis": {
            "title": {"text": y_title, "standoff": 6},
            "gridcolor": "#eceff2",
            "zeroline": True,
            "fixedrange": True,
            "rangemode": "tozero",
        },
        "separators": ",." if decimal_comma else ".,",
        "barmode": "group",
    }


def trend(
    *, labels: Sequence[str], lines: Sequence[Line], y_title: str, decimal_comma: bool
) -> dict:
    """Lines (or grouped bars) over the period's buckets; a gap where a value is None."""
    data = []
    for line in lines:
        trace: dict = {
            "type": "bar" if line.bars else "scatter",
            "name": line.name,
            "x": list(labels),
            "y": [None if value is None else round(value, 2) for value in line.values],
        }
        if line.bars:
            trace["marker"] = {"color": line.colour}
        else:
            trace["mode"] = "lines+markers"
            trace["line"] = {"color": line.colour, "dash": line.dash, "width": 2}
            trace["connectgaps"] = False
        data.append(trace)
    return {"data": data, "layout": _layout(y_title=y_title, decimal_comma=decimal_comma)}


def outcome_bars(
    *,
    rules: Sequence[str],
    shares: Mapping[str, Sequence[float]],
    names: Mapping[str, str],
    x_title: str,
    decimal_comma: bool,
) -> dict:
    """One horizontal bar per rule, split into the shares (percent) of each outcome kind."""
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": names[kind],
            "y": list(rules),
            "x": [round(value, 1) for value in shares[kind]],
            "marker": {"color": OUTCOME_COLOURS[kind]},
        }
        for kind in ("action", "no_action", "false_alarm")
    ]
    layout = _layout(y_title="", decimal_comma=decimal_comma, height=max(160, 60 + 34 * len(rules)))
    layout["barmode"] = "stack"
    layout["hovermode"] = "y unified"
    layout["margin"]["l"] = 200
    layout["xaxis"] = {"range": [0, 100], "title": {"text": x_title}, "fixedrange": True}
    layout["yaxis"] = {"type": "category", "autorange": "reversed", "automargin": True}
    return {"data": data, "layout": layout}
