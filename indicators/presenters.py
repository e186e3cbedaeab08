"""What the indicators page shows: one table per indicator (the period's buckets and a total
row), its trend chart and its CSV, built from the selectors' daily rows. No patient data: the
rows hold counts and durations only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators import charts, stats
from indicators.periods import Period
from indicators.selectors import PeriodRows
from monitoring.charts import SEVERITY_COLOURS
from monitoring.models import MeasurementType, in_language
from monitoring.severity import Severity
from telemed import display

COUNT_FIELDS = (
    "patients_active",
    "patients_started",
    "patients_ended",
    "occasions_due",
    "occasions_on_time",
    "missing_alarms",
    "alarms_red",
    "alarms_yellow",
    "escalations",
    "referrals_received",
    "referrals_accepted",
    "referrals_rejected",
)
LIST_FIELDS = (
    "ack_red_office",
    "ack_red_outside",
    "ack_yellow_office",
    "ack_yellow_outside",
    "referral_days_to_data",
)


@dataclass
class Totals:
    """Daily rows added up: counts summed, durations merged, days counted."""

    days: int = 0
    last_active: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))
    lists: dict[str, list[int]] = field(default_factory=lambda: {n: [] for n in LIST_FIELDS})

    def add(self, row: dict[str, Any]) -> None:
        self.days += 1
        self.last_active = row["patients_active"]
        for name in COUNT_FIELDS:
            self.counts[name] += row[name]
        for name in LIST_FIELDS:
            self.lists[name].extend(row[name])

    def __getitem__(self, name: str) -> int:
        return self.counts[name]

    def minutes(self, severity: str, when: str) -> list[int]:
        if when == "all":
            return self.lists[f"ack_{severity}_office"] + self.lists[f"ack_{severity}_outside"]
        return self.lists[f"ack_{severity}_{when}"]


@dataclass(frozen=True)
class Table:
    """One indicator: a table (display strings), the same numbers raw for CSV, and its chart."""

    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[str]]
    raw: list[list[object]]
    figure: dict | None = None
    chart_label: str = ""
    note: str = ""


@dataclass(frozen=True)
class IndicatorsPage:
    scope_name: str
    period: Period
    up_to: date | None
    tables: list[Table]


def _percent(value: float | None) -> str:
    return display.EMPTY if value is None else f"{display.number(value * 100, 1)} %"


def _number(value: float | None, decimals: int = 1) -> str:
    return display.number(value, decimals)


def _raw(value: float | None, decimals: int = 3) -> object:
    return "" if value is None else round(value, decimals)


def _bucket_label(start: date, unit: str) -> str:
    if unit == stats.DAY:
        return date_format(start, "SHORT_DATE_FORMAT")
    if unit == stats.WEEK:
        return _("Week %(week)s, %(year)s") % {
            "week": start.isocalendar().week,
            "year": start.isocalendar().year,
        }
    return date_format(start, "YEAR_MONTH_FORMAT")


def _group(rows: Sequence[dict[str, Any]], unit: str) -> dict[date, Totals]:
    grouped: dict[date, Totals] = defaultdict(Totals)
    for row in rows:
        grouped[stats.bucket_start(row["day"], unit)].add(row)
    return grouped


Cell = Callable[[Totals], tuple[str, object]]


def _table(
    *,
    key: str,
    title: str,
    description: str,
    columns: list[str],
    cells: list[Cell],
    labels: list[str],
    buckets: list[Totals],
    total: Totals,
    figure: dict | None,
    chart_label: str,
    note: str = "",
) -> Table:
    rows, raw = [], []
    for label, bucket in [*zip(labels, buckets, strict=True), (_("Whole period"), total)]:
        shown = [cell(bucket) for cell in cells]
        rows.append([label] + [text for text, _ in shown])
        raw.append([label] + [value for _, value in shown])
    return Table(
        key, title, description, [_("Period"), *columns], rows, raw, figure, chart_label, note
    )


def _count(name: str) -> Cell:
    return lambda t: (display.number(t[name]), t[name])


def _share_cell(part: str, whole: str) -> Cell:
    def cell(t: Totals) -> tuple[str, object]:
        value = stats.share(t[part], t[whole])
        return _percent(value), _raw(value)

    return cell


def _per_week(name: str) -> Cell:
    def cell(t: Totals) -> tuple[str, object]:
        value = stats.per_patient_week(t[name], t["patients_active"])
        return _number(value, 2), _raw(value)

    return cell


def _minutes_cell(severity: str, when: str, share: float) -> Cell:
    def cell(t: Totals) -> tuple[str, object]:
        value = stats.percentile(t.minutes(severity, when), share)
        return _number(value, 0), _raw(value, 1)

    return cell


def _days_cell(share: float) -> Cell:
    def cell(t: Totals) -> tuple[str, object]:
        value = stats.percentile(t.lists["referral_days_to_data"], share)
        return _number(value, 1), _raw(value, 1)

    return cell


def rule_label(rule: str, type_names: dict[str, str]) -> str:
    kind, _sep, code = rule.partition(":")
    if kind == "answer":
        return _("Answer: %(question)s") % {"question": code}
    codes = {
        "below_red": _("below the red limit"),
        "above_red": _("above the red limit"),
        "below_yellow": _("below the yellow limit"),
        "above_yellow": _("above the yellow limit"),
        "relative_rise": _("rise against own baseline"),
        "relative_fall": _("fall against own baseline"),
    }
    return f"{type_names.get(kind, kind)} {codes.get(code, code)}"


def type_names() -> dict[str, str]:
    """Short names of the measurement types in the reader's language (one query)."""
    return {
        key: in_language(da, en)
        for key, da, en in MeasurementType.objects.values_list(
            "key", "short_name_da", "short_name_en"
        )
    }


def build(
    *,
    scope_name: str,
    team_scope: bool,
    period: Period,
    rows: PeriodRows,
    rules: list[dict[str, Any]],
    up_to: date | None,
) -> IndicatorsPage:
    unit = stats.granularity(period.first, period.last)
    starts = stats.buckets(period.first, period.last, unit)
    labels = [_bucket_label(start, unit) for start in starts]
    comma = display.decimal_separator() == ","
    grouped = _group(rows.scope, unit)
    buckets = [grouped.get(start, Totals()) for start in starts]
    total = Totals()
    for row in rows.scope:
        total.add(row)
    whole_grouped = _group(rows.organisation, unit)
    whole_buckets = [whole_grouped.get(start, Totals()) for start in starts]
    whole_total = Totals()
    for row in rows.organisation:
        whole_total.add(row)

    def series(values: Callable[[Totals], float | None], source: list[Totals] = buckets):
        return [values(bucket) for bucket in source]

    def avg_active(t: Totals) -> float | None:
        return t["patients_active"] / t.days if t.days else None

    tables = [
        _table(
            key="patients",
            title=_("Patients"),
            description=_(
                "Patients monitored per day on average, patients on the last day, monitoring "
                "periods started and ended, and patient-weeks (the days all patients were "
                "monitored, divided by 7)."
            ),
            columns=[
                _("Average monitored"),
                _("Monitored on the last day"),
                _("Started"),
                _("Ended"),
                _("Patient-weeks"),
            ],
            cells=[
                lambda t: (_number(avg_active(t)), _raw(avg_active(t))),
                lambda t: (display.number(t.last_active), t.last_active),
                _count("patients_started"),
                _count("patients_ended"),
                lambda t: (_number(t["patients_active"] / 7), round(t["patients_active"] / 7, 3)),
            ],
            labels=labels,
            buckets=buckets,
            total=total,
            figure=charts.trend(
                labels=labels,
                lines=[
                    charts.Line(_("Average monitored"), series(avg_active)),
                    charts.Line(
                        _("Started"),
                        series(lambda t: t["patients_started"]),
                        charts.NEUTRAL_LIGHT,
                        bars=True,
                    ),
                    charts.Line(
                        _("Ended"), series(lambda t: t["patients_ended"]), "#8a9aa9", bars=True
                    ),
                ],
                y_title=_("patients"),
                decimal_comma=comma,
            ),
            chart_label=_(
                "Chart of monitored, started and ended patients; the table has the same numbers."
            ),
        ),
        _table(
            key="adherence",
            title=_("Adherence and missing data"),
            description=_(
                "Scheduled answers due (paused ones left out), those received on time, the "
                "share on time, and the missing-data alarms raised for them."
            ),
            columns=[
                _("Due"),
                _("On time"),
                _("Adherence"),
                _("Missing-data alarms"),
                _("Missing-data rate"),
            ],
            cells=[
                _count("occasions_due"),
                _count("occasions_on_time"),
                _share_cell("occasions_on_time", "occasions_due"),
                _count("missing_alarms"),
                lambda t: (
                    _percent(v := _safe_share(t["missing_alarms"], t["occasions_due"])),
                    _raw(v),
                ),
            ],
            labels=labels,
            buckets=buckets,
            total=total,
            figure=charts.trend(
                labels=labels,
                lines=[
                    charts.Line(
                        _("Adherence"),
                        series(
                            lambda t: _pct(stats.share(t["occasions_on_time"], t["occasions_due"]))
                        ),
                        SEVERITY_COLOURS[Severity.GREEN],
                    ),
                    charts.Line(
                        _("Missing-data rate"),
                        series(
                            lambda t: _pct(_safe_share(t["missing_alarms"], t["occasions_due"]))
                        ),
                        SEVERITY_COLOURS[Severity.MISSING],
                        "dot",
                    ),
                ],
                y_title="%",
                decimal_comma=comma,
            ),
            chart_label=_(
                "Chart of adherence and missing-data rate in percent; "
                "the table has the same numbers."
            ),
        ),
        _table(
            key="alarms",
            title=_("Alarms per patient-week"),
            description=_(
                "Red and yellow alarms raised by measurements and questionnaires, and the same "
                "per patient-week (7 days of one monitored patient)."
            ),
            columns=[
                _("Red"),
                _("Yellow"),
                _("Red per patient-week"),
                _("Yellow per patient-week"),
            ],
            cells=[
                _count("alarms_red"),
                _count("alarms_yellow"),
                _per_week("alarms_red"),
                _per_week("alarms_yellow"),
            ],
            labels=labels,
            buckets=buckets,
            total=total,
            figure=charts.trend(
                labels=labels,
                lines=[
                    charts.Line(
                        _("Red per patient-week"),
                        series(
                            lambda t: stats.per_patient_week(t["alarms_red"], t["patients_active"])
                        ),
                        SEVERITY_COLOURS[Severity.RED],
                    ),
                    charts.Line(
                        _("Yellow per patient-week"),
                        series(
                            lambda t: stats.per_patient_week(
                                t["alarms_yellow"], t["patients_active"]
                            )
                        ),
                        "#b08500",
                        "dash",
                    ),
                ],
                y_title=_("alarms per patient-week"),
                decimal_comma=comma,
            ),
            chart_label=_(
                "Chart of red and yellow alarms per patient-week; the table has the same numbers."
            ),
        ),
        _table(
            key="acknowledge",
            title=_("Time to acknowledge"),
            description=_(
                "Minutes from an alarm being raised to its acknowledgement: median and 90th "
                "percentile, for alarms raised in office hours (weekdays 08–16) and outside. "
                "Counted on the day of the acknowledgement."
            ),
            columns=[
                _("Red acknowledged"),
                _("Red median, office hours"),
                _("Red 90th percentile, office hours"),
                _("Red median, outside"),
                _("Red 90th percentile, outside"),
                _("Yellow acknowledged"),
                _("Yellow median, office hours"),
                _("Yellow 90th percentile, office hours"),
                _("Yellow median, outside"),
                _("Yellow 90th percentile, outside"),
            ],
            cells=[
                lambda t: (
                    display.number(len(t.minutes("red", "all"))),
                    len(t.minutes("red", "all")),
                ),
                _minutes_cell("red", "office", 0.5),
                _minutes_cell("red", "office", 0.9),
                _minutes_cell("red", "outside", 0.5),
                _minutes_cell("red", "outside", 0.9),
                lambda t: (
                    display.number(len(t.minutes("yellow", "all"))),
                    len(t.minutes("yellow", "all")),
                ),
                _minutes_cell("yellow", "office", 0.5),
                _minutes_cell("yellow", "office", 0.9),
                _minutes_cell("yellow", "outside", 0.5),
                _minutes_cell("yellow", "outside", 0.9),
            ],
            labels=labels,
            buckets=buckets,
            total=total,
            figure=charts.trend(
                labels=labels,
                lines=[
                    charts.Line(
                        _("Red median"),
                        series(lambda t: stats.median(t.minutes("red", "all"))),
                        SEVERITY_COLOURS[Severity.RED],
                    ),
                    charts.Line(
                        _("Red 90th percentile"),
                        series(lambda t: stats.p90(t.minutes("red", "all"))),
                        SEVERITY_COLOURS[Severity.RED],
                        "dot",
                    ),
                    charts.Line(
                        _("Yellow median"),
                        series(lambda t: stats.median(t.minutes("yellow", "all"))),
                        "#b08500",
                    ),
                ],
                y_title=_("minutes"),
                decimal_comma=comma,
            ),
            chart_label=_(
                "Chart of minutes to acknowledge red and yellow alarms; "
                "the table has the same numbers."
            ),
        ),
        _table(
            key="escalations",
            title=_("Escalations"),
            description=_(
                "Red alarms not acknowledged within the organisation's limit, so the team was "
                "told: the number and the share of red alarms."
            ),
            columns=[_("Red alarms"), _("Escalated"), _("Escalation rate")],
            cells=[
                _count("alarms_red"),
                _count("escalations"),
                lambda t: (_percent(v := _safe_share(t["escalations"], t["alarms_red"])), _raw(v)),
            ],
            labels=labels,
            buckets=buckets,
            total=total,
            figure=charts.trend(
                labels=labels,
                lines=[
                    charts.Line(
                        _("Escalation rate"),
                        series(lambda t: _pct(_safe_share(t["escalations"], t["alarms_red"]))),
                        SEVERITY_COLOURS[Severity.RED],
                    )
                ],
                y_title="%",
                decimal_comma=comma,
            ),
            chart_label=_(
                "Chart of the escalation rate in percent; the table has the same numbers."
            ),
        ),
        _rules_table(rules, comma),
        _table(
            key="referrals",
            title=_("Referrals"),
            description=_(
                "Referrals received, accepted and rejected, and the days from a referral to "
                "the citizen's first data (counted when the data arrived)."
            ),
            columns=[
                _("Received"),
                _("Accepted"),
                _("Rejected"),
                _("Days to first data, median"),
                _("Days to first data, 90th percentile"),
            ],
            cells=[
                _count("referrals_received"),
                _count("referrals_accepted"),
                _count("referrals_rejected"),
                _days_cell(0.5),
                _days_cell(0.9),
            ],
            labels=labels,
            buckets=whole_buckets,
            total=whole_total,
            figure=charts.trend(
                labels=labels,
                lines=[
                    charts.Line(
                        _("Received"),
                        series(lambda t: t["referrals_received"], whole_buckets),
                        charts.NEUTRAL,
                        bars=True,
                    ),
                    charts.Line(
                        _("Accepted"),
                        series(lambda t: t["referrals_accepted"], whole_buckets),
                        SEVERITY_COLOURS[Severity.GREEN],
                        bars=True,
                    ),
                    charts.Line(
                        _("Rejected"),
                        series(lambda t: t["referrals_rejected"], whole_buckets),
                        "#8a9aa9",
                        bars=True,
                    ),
                ],
                y_title=_("referrals"),
                decimal_comma=comma,
            ),
            chart_label=_(
                "Chart of referrals received, accepted and rejected;the table has the same numbers."
            ),
            note=(
                _(
                    "Referrals are received by the organisation:"
                    "these figures are for the whole organisation."
                )
                if team_scope
                else ""
            ),
        ),
    ]
    return IndicatorsPage(scope_name=scope_name, period=period, up_to=up_to, tables=tables)


def _safe_share(part: int, whole: int) -> float | None:
    """A share that may exceed 1 (a missing-data alarm of an occasion moved into a pause)."""
    return part / whole if whole else None


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


def _rules_table(rules: list[dict[str, Any]], comma: bool) -> Table:
    """Alarm yield per rule: most "no action" first (by share, then by number)."""
    names = type_names()
    ordered = []
    for row in rules:
        decided = row["action"] + row["no_action"] + row["false_alarm"] + row["no_outcome"]
        ordered.append((row, decided))
    ordered.sort(
        key=lambda item: (
            -(item[0]["no_action"] / item[1] if item[1] else 0),
            -item[0]["no_action"],
            item[0]["rule"],
        )
    )
    severities = {Severity.RED.value: _("Red"), Severity.YELLOW.value: _("Yellow")}
    rows, raw, chart_rules = [], [], []
    shares: dict[str, list[float]] = {"action": [], "no_action": [], "false_alarm": []}
    for row, decided in ordered:
        label = rule_label(row["rule"], names)
        severity = severities.get(row["severity"], row["severity"])
        values = [
            decided,
            row["action"],
            row["no_action"],
            row["false_alarm"],
            row["no_outcome"],
        ]
        yield_share = stats.share(row["action"], decided) if decided else None
        no_action_share = stats.share(row["no_action"], decided) if decided else None
        rows.append(
            [
                label,
                severity,
                *[display.number(v) for v in values],
                _percent(yield_share),
                _percent(no_action_share),
            ]
        )
        raw.append([label, row["severity"], *values, _raw(yield_share), _raw(no_action_share)])
        chart_rules.append(f"{label} ({severity.lower()})")
        for kind in shares:
            shares[kind].append(100 * row[kind] / decided if decided else 0)
    figure = (
        charts.outcome_bars(
            rules=chart_rules,
            shares=shares,
            names={
                "action": _("Action"),
                "no_action": _("No action"),
                "false_alarm": _("False alarm"),
            },
            x_title=_("% of acknowledged alarms"),
            decimal_comma=comma,
        )
        if rows
        else None
    )
    return Table(
        key="rules",
        title=_("Alarm yield per rule"),
        description=_(
            "For the alarms acknowledged in the period, per rule (measurement and limit, or the "
            "question answered): the outcome chosen. The rules that most often led to no action "
            "come first: candidates for adjusted thresholds."
        ),
        columns=[
            _("Rule"),
            _("Severity"),
            _("Acknowledged"),
            _("Action"),
            _("No action"),
            _("False alarm"),
            _("No outcome chosen"),
            _("Yield (action)"),
            _("No action share"),
        ],
        rows=rows,
        raw=raw,
        figure=figure,
        chart_label=_("Chart of the outcome shares per rule; the table has the same numbers."),
        note="" if rows else _("No alarms were acknowledged in this period."),
    )
