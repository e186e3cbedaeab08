"""Reads for the patient page (patientoverblik): header, charts, measurement table, answers
matrix, result history, notes and thresholds. Each is a fixed number of queries whatever the
period or the amount of history, so the page stays fast for a patient monitored for years.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alarms import reasons as reason_text
from alarms.models import (
    Escalation,
    PatientNote,
    PatientTriage,
    Threshold,
    ThresholdSet,
    TriageResult,
)
from alarms.services import ThresholdTimeline
from alarms.summary import open_q
from alarms.thresholds import LIMIT_FIELDS, patient_sets
from clinic import presenters
from clinic.contact import CARD_RELATED, ContactCard, contact_card
from clinic.forms import Period
from monitoring import charts
from monitoring import selectors as monitoring_selectors
from monitoring.models import Measurement, MeasurementType, Source, Submission
from monitoring.severity import SEVERITY_RANK, Severity
from patients.models import NextOfKin, Patient, PatientPause
from telemed import display

BP_KEYS = ("bp_systolic", "bp_diastolic")


def show_decimal(value: Decimal | None, decimals: int | None = None) -> str:
    """A number for people: no trailing zeros, a decimal comma in Danish, "–" when empty."""
    return display.number(value, decimals)


def limits_line(threshold: Threshold | None, unit: str) -> str:
    """One threshold row as "red < 85 · yellow < 88 · yellow > 110 · red > 130 %"."""
    if threshold is None:
        return _("no threshold")
    parts = []
    if threshold.red_low is not None:
        parts.append(_("red < %(v)s") % {"v": show_decimal(threshold.red_low)})
    if threshold.yellow_low is not None:
        parts.append(_("yellow < %(v)s") % {"v": show_decimal(threshold.yellow_low)})
    if threshold.yellow_high is not None:
        parts.append(_("yellow > %(v)s") % {"v": show_decimal(threshold.yellow_high)})
    if threshold.red_high is not None:
        parts.append(_("red > %(v)s") % {"v": show_decimal(threshold.red_high)})
    if not parts:
        return _("no threshold")
    return " · ".join(parts) + f" {unit}"


# Header ------------------------------------------------------------------------------------


@dataclass
class Header:
    patient: Patient
    age: int
    triage: PatientTriage | None
    pause: PatientPause | None
    thresholds: list[dict[str, Any]]
    pause_planned: bool = False
    claim: presenters.ClaimShown | None = None
    # Escalations of results still open: the red waited too long and e-mail went out.
    escalations: list[Escalation] = field(default_factory=list)
    contact: ContactCard | None = None


def patient_header(
    *,
    patient_id: int,
    current_set: ThresholdSet | bool | None = False,
    user: User | None = None,
) -> Header:
    """Who the patient is and how to reach them, open alarms with who is on them and their
    escalations, current pause and thresholds (about eight queries).

    Pass ``current_set`` when the caller already read it (the chart page has the timeline)."""
    patient = Patient.objects.select_related(
        "monitoring_team", "treating_doctor", "triage", *CARD_RELATED
    ).get(pk=patient_id)
    now = timezone.now()
    pause = (
        PatientPause.objects.filter(patient_id=patient_id, ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    current: ThresholdSet | None = (
        current_threshold_set(patient_id=patient_id)
        if isinstance(current_set, bool)
        else current_set
    )
    types = {t.pk: t for t in MeasurementType.objects.all()}
    rows = []
    if current is not None:
        for threshold in sorted(
            current.thresholds.all(), key=lambda t: types[t.type_id].sort_order
        ):
            mtype = types[threshold.type_id]
            rows.append({"type": mtype, "text": limits_line(threshold, mtype.display_unit)})
    try:
        triage = patient.triage
    except PatientTriage.DoesNotExist:
        triage = None
    escalations = list(
        Escalation.objects.filter(open_q("result__"), patient_id=patient_id).order_by(
            "created_at", "tier"
        )
    )
    return Header(
        patient,
        patient.age(),
        triage,
        pause,
        rows,
        pause is not None and pause.starts_at > now,
        claim=presenters.claims_shown([patient_id], user).get(patient_id),
        escalations=escalations,
        contact=contact_card(patient, NextOfKin.objects.filter(patient_id=patient_id)),
    )


def current_threshold_set(*, patient_id: int) -> ThresholdSet | None:
    """The patient's set in force now, with rows and types (three queries)."""
    return (
        ThresholdSet.objects.filter(
            kind=ThresholdSet.Kind.PATIENT, patient_id=patient_id, valid_from__lte=timezone.now()
        )
        .prefetch_related(
            Prefetch("thresholds", queryset=Threshold.objects.select_related("type")),
            "relative_rules__type",
        )
        .order_by("-valid_from", "-version")
        .first()
    )


# Results of measurements ------------------------------------------------------------------


@dataclass
class MeasurementRow:
    measurement: Measurement
    severity: str | None
    reasons: list[str]
    result: TriageResult | ResultView | None
    ignored_by: Any = None

    @property
    def ignored(self) -> bool:
        """Set aside by a clinician: shown struck through, no alarm colour."""
        return self.measurement.ignored_at is not None

    @property
    def ignored_text(self) -> str:
        """ "Ignored: Measurement error (Anne Nord 12.03.2026 14:05)", or empty."""
        ignored_at = self.measurement.ignored_at
        if ignored_at is None:
            return ""
        return _("Ignored: %(reason)s (%(who)s %(when)s)") % {
            "reason": self.measurement.get_ignore_reason_display(),
            "who": self.ignored_by.get_full_name() if self.ignored_by else "",
            "when": charts.show_time(ignored_at),
        }

    @property
    def acknowledged(self) -> bool:
        return self.result is not None and self.result.acknowledged_at is not None

    @property
    def open_alarm(self) -> bool:
        return (
            self.severity in (Severity.RED, Severity.YELLOW)
            and self.result is not None
            and self.result.is_open
        )

    @property
    def value_text(self) -> str:
        """The value as typed, with at least the type's decimals (87,5 % is never 88 %)."""
        return presenters.stored_number(self.measurement.value, self.measurement.type.decimals)


@dataclass
class ResultView:
    """The parts of a TriageResult a chart point or a measurement row shows."""

    measurement_id: int | None
    submission_id: int | None
    severity: str
    reasons: list[dict[str, Any]]
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None
    resolved_at: datetime | None
    ignored_at: datetime | None
    acknowledged_by: Any = None

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.resolved_at is None and self.ignored_at is None


def _with_results(measurements: Sequence[Measurement]) -> list[MeasurementRow]:
    """Each measurement with its evaluated result (one query): its own result when it stood
    alone, the submission's when it came with a questionnaire (then only the reasons about its
    type)."""
    own = [m.pk for m in measurements if m.submission_id is None]
    submissions = {m.submission_id for m in measurements if m.submission_id is not None}
    results: dict[tuple[str, int | None], ResultView] = {}
    if own or submissions:
        # Only what a chart point or table row shows, as plain rows: building model instances
        # was the cost on a year of data (the few acknowledging users are fetched once).
        found = [
            ResultView(*row)
            for row in TriageResult.objects.filter(
                Q(measurement_id__in=own) | Q(submission_id__in=submissions)
            ).values_list(
                "measurement_id",
                "submission_id",
                "severity",
                "reasons",
                "acknowledged_at",
                "acknowledged_by_id",
                "resolved_at",
                "ignored_at",
            )
        ]
    else:
        found = []
    # The acknowledging and ignoring users, few and fetched once.
    user_ids = {r.acknowledged_by_id for r in found if r.acknowledged_by_id}
    user_ids |= {m.ignored_by_id for m in measurements if m.ignored_by_id}
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    if found:
        for view in found:
            view.acknowledged_by = users.get(view.acknowledged_by_id)
            if view.measurement_id:
                results[("m", view.measurement_id)] = view
            else:
                results[("s", view.submission_id)] = view
    language = get_language() or "da"
    rows = []
    for m in measurements:
        if m.submission_id is None:
            result = results.get(("m", m.pk))
            stored = result.reasons if result else []
        else:
            result = results.get(("s", m.submission_id))
            stored = [r for r in (result.reasons if result else []) if r.get("type") == m.type.key]
        rows.append(
            MeasurementRow(
                measurement=m,
                severity=m.severity,
                reasons=[reason_text.describe(reason, language) for reason in stored],
                result=result,
                ignored_by=users.get(m.ignored_by_id) if m.ignored_by_id else None,
            )
        )
    return rows


@lru_cache(maxsize=8)
def _acknowledgement_labels(language: str) -> dict[str, str]:
    # Once per language (built in it): a year of chart points asks for these a thousand times.
    with translation.override(language):
        return _acknowledgement_table()


def _acknowledgement_table() -> dict[str, str]:
    return {
        "acknowledged": _("Acknowledged by %(who)s %(when)s"),
        "resolved": _("Resolved"),
        "open": _("Not acknowledged"),
    }


def acknowledgement_text(result: TriageResult | ResultView | None) -> str:
    if result is None:
        return ""
    labels = _acknowledgement_labels(get_language() or "da")
    if result.acknowledged_at is not None:
        who = result.acknowledged_by.get_full_name() if result.acknowledged_by else ""
        return labels["acknowledged"] % {
            "who": who,
            "when": charts.show_time(result.acknowledged_at),
        }
    if result.resolved_at is not None:
        return labels["resolved"]
    if result.severity in (Severity.RED, Severity.YELLOW):
        return labels["open"]
    return ""


# Charts -----------------------------------------------------------------------------------


@dataclass
class ChartView:
    key: str
    title: str
    figure: dict
    count: int
    alarms: int


def _labels() -> charts.Labels:
    return charts.Labels(
        severity={value: str(label) for value, label in Severity.choices},
        open_alarm=_("Not acknowledged"),
        limits=_("Limits"),
        no_data=_("No measurements in this period"),
        decimal_comma=display.decimal_separator() == ",",
    )


def _as_floats(row: Threshold) -> tuple[float | None, float | None, float | None, float | None]:
    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return (
        number(row.red_low),
        number(row.yellow_low),
        number(row.yellow_high),
        number(row.red_high),
    )


def _periods(timeline: ThresholdTimeline, type_id: int, period: Period) -> list[charts.LimitPeriod]:
    changes = []
    for threshold_set in timeline.sets:
        row = next((t for t in threshold_set.thresholds.all() if t.type_id == type_id), None)
        changes.append((threshold_set.valid_from, None if row is None else _as_floats(row)))
    return charts.periods_from_changes(changes, since=period.since, until=period.until)


def _point(row: MeasurementRow, source_labels: dict[str, str]) -> charts.Point:
    m = row.measurement
    source = source_labels.get(m.source, m.source)
    if m.device_id:
        source = f"{source} ({m.device_id})"
    return charts.Point(
        at=m.measured_at,
        value=float(m.value),
        # An ignored value keeps its place on the line, without an alarm colour.
        severity=None if row.ignored else row.severity,
        source=source,
        reasons=tuple(row.reasons),
        status=row.ignored_text or acknowledgement_text(row.result),
        open_alarm=row.open_alarm and not row.ignored,
        ignored=row.ignored,
        text=row.value_text,
    )


def patient_charts(
    *, patient_id: int, period: Period, timeline: ThresholdTimeline | None = None
) -> list[ChartView]:
    """One chart per measurement type the patient has (blood pressure: one for both), in a
    fixed number of queries: types, measurements, results, and the threshold timeline."""
    timeline = timeline or ThresholdTimeline.for_patient(patient_id)
    types = monitoring_selectors.measurement_types_of(patient_id=patient_id)
    rows = _with_results(
        monitoring_selectors.measurements_between(
            patient_id=patient_id, since=period.since, until=period.until
        )
    )
    by_type: dict[int, list[MeasurementRow]] = defaultdict(list)
    for row in rows:
        by_type[row.measurement.type_id].append(row)
    source_labels = {value: str(label) for value, label in Source.choices}
    labels = _labels()
    by_key = {t.key: t for t in types}
    views = []
    for mtype in types:
        if mtype.key == BP_KEYS[1] and BP_KEYS[0] in by_key:
            continue  # drawn with the systolic values
        members = [mtype]
        title = mtype.name
        if mtype.key == BP_KEYS[0] and BP_KEYS[1] in by_key:
            members.append(by_key[BP_KEYS[1]])
            title = _("Blood pressure")
        series = [
            charts.Series(
                member.name if len(members) > 1 else mtype.name,
                [
                    _point(row, source_labels)
                    for row in sorted(by_type[member.pk], key=lambda r: r.measurement.measured_at)
                ],
            )
            for member in members
        ]
        chart = charts.Chart(
            key=mtype.key,
            title=title,
            unit=mtype.display_unit,
            series=series,
            periods=_periods(timeline, mtype.pk, period),
            extra_periods=_periods(timeline, members[1].pk, period) if len(members) > 1 else (),
            decimals=mtype.decimals,
        )
        views.append(
            ChartView(
                key=mtype.key,
                title=title,
                figure=charts.figure(chart, since=period.since, until=period.until, labels=labels),
                count=sum(len(s.points) for s in series),
                alarms=sum(1 for s in series for p in s.points if p.is_alarm),
            )
        )
    return views


# Measurement table ------------------------------------------------------------------------


def measurement_rows(*, patient_id: int, period: Period, order: str) -> list[MeasurementRow]:
    """The measurement table: two queries (measurements with types, their results)."""
    return _with_results(
        monitoring_selectors.measurements_between(
            patient_id=patient_id, since=period.since, until=period.until, order=order
        )
    )


def severity_sorted(rows: list[MeasurementRow], descending: bool) -> list[MeasurementRow]:
    return sorted(
        rows,
        key=lambda r: (SEVERITY_RANK.get(r.severity or "", -1), r.measurement.measured_at),
        reverse=descending,
    )


# Answers matrix ---------------------------------------------------------------------------


@dataclass
class Cell:
    text: str
    severity: str | None


@dataclass
class Matrix:
    questionnaire: Any
    columns: list[Submission]
    rows: list[tuple[str, list[Cell | None]]]
    scores: list[Cell | None] = field(default_factory=list)
    score_figure: dict | None = None


def answers_matrices(*, patient_id: int, period: Period) -> list[Matrix]:
    """Questions as rows, submissions as columns (as OpenTele showed them), one matrix per
    questionnaire; cells carry the answer's severity. Scored questionnaires (CAT) get a score
    row and a trend chart. Five queries."""
    submissions = monitoring_selectors.submissions_between(
        patient_id=patient_id, since=period.since, until=period.until
    )
    matrices = []
    for questionnaire in monitoring_selectors.questionnaires_of(submissions):
        columns = [s for s in submissions if s.questionnaire_id == questionnaire.pk]
        items = list(questionnaire.items.all())
        answers = {
            (submission.pk, answer.item_id): answer
            for submission in columns
            for answer in submission.answers.all()
        }
        rows = []
        for item in items:
            cells: list[Cell | None] = []
            for submission in columns:
                answer = answers.get((submission.pk, item.pk))
                if answer is None:
                    cells.append(None)
                elif answer.option is not None:
                    cells.append(Cell(answer.option.text, answer.severity))
                elif answer.value_number is not None:
                    cells.append(Cell(show_decimal(answer.value_number), answer.severity))
                else:
                    cells.append(Cell(answer.value_text, None))
            if any(cell is not None for cell in cells):
                rows.append((item.text, cells))
        matrix = Matrix(questionnaire, columns, rows)
        if any(s.score is not None for s in columns):
            matrix.scores = [
                None if s.score is None else Cell(str(s.score), s.severity) for s in columns
            ]
            points = [
                charts.Point(at=s.submitted_at, value=float(s.score), severity=s.severity or None)
                for s in columns
                if s.score is not None
            ]
            matrix.score_figure = charts.figure(
                charts.Chart(
                    key=f"score-{questionnaire.code}",
                    title=_("Score"),
                    unit=_("points"),
                    series=[charts.Series(_("Score"), points)],
                ),
                since=period.since,
                until=period.until,
                labels=_labels(),
            )
            matrix.score_figure["layout"]["height"] = 200
        matrices.append(matrix)
    return matrices


# Result history ---------------------------------------------------------------------------


@dataclass
class ResultRow:
    result: TriageResult
    reasons: list[str]
    subject: str


def result_rows(*, patient_id: int, period: Period) -> list[ResultRow]:
    """Every evaluated result in the period, newest first, open ones on top of their day (one
    query with the measurement, submission and acknowledging user joined)."""
    results = (
        TriageResult.objects.filter(
            patient_id=patient_id, created_at__gte=period.since, created_at__lt=period.until
        )
        .select_related(
            "acknowledged_by",
            "ignored_by",
            "outcome",
            "measurement__type",
            "submission__questionnaire",
            "schedule",
        )
        .order_by("-created_at")
    )
    rows = []
    for result in results:
        if result.kind == TriageResult.Kind.MEASUREMENT and result.measurement:
            m = result.measurement
            subject = (
                f"{m.type.name} {presenters.stored_number(m.value, m.type.decimals)} "
                f"{m.type.display_unit}"
            )
        elif result.kind == TriageResult.Kind.SUBMISSION and result.submission:
            subject = result.submission.questionnaire.title
        else:
            subject = _("Missing data")
        described = reason_text.describe_all(result.reasons)
        if not described and result.severity == Severity.GREEN:
            described = [_("Everything within limits")]
        rows.append(ResultRow(result, described, subject))
    return rows


# Notes ------------------------------------------------------------------------------------


@dataclass
class NoteRow:
    note: PatientNote
    is_due: bool  # an open note whose reminder date has come


def patient_notes(*, patient_id: int) -> list[NoteRow]:
    """Open notes first (important before normal, due reminders first), then done ones."""
    notes = PatientNote.objects.filter(patient_id=patient_id).select_related("author", "done_by")
    today = timezone.localdate()
    rows = [
        NoteRow(
            note,
            is_due=note.done_at is None and note.remind_on is not None and note.remind_on <= today,
        )
        for note in notes
    ]
    rows.sort(
        key=lambda row: (
            row.note.done_at is not None,
            not row.is_due,
            row.note.importance != PatientNote.Importance.IMPORTANT,
            -row.note.created_at.timestamp(),
        )
    )
    return rows


# Thresholds -------------------------------------------------------------------------------


@dataclass
class Change:
    type: MeasurementType
    old: str
    new: str


@dataclass
class Version:
    threshold_set: ThresholdSet
    changes: list[Change]
    rules_changed: bool


def _rule_key(rule) -> tuple:
    return (
        rule.type_id,
        rule.direction,
        rule.amount,
        rule.window_days,
        rule.baseline,
        rule.severity,
    )


def threshold_history(*, patient_id: int) -> list[Version]:
    """Every version, newest first, with what changed against the one before (old -> new)."""
    sets = patient_sets(patient_id)
    versions = []
    for index, threshold_set in enumerate(sets):
        previous = sets[index + 1] if index + 1 < len(sets) else None
        new_rows = {t.type_id: t for t in threshold_set.thresholds.all()}
        old_rows = {t.type_id: t for t in previous.thresholds.all()} if previous else {}
        changes = []
        for type_id in set(new_rows) | set(old_rows):
            new, old = new_rows.get(type_id), old_rows.get(type_id)
            either = new or old
            assert either is not None  # the type came from one of the two sets
            mtype = either.type
            same = (
                new is not None
                and old is not None
                and all(getattr(new, f) == getattr(old, f) for f in LIMIT_FIELDS)
            )
            if same:
                continue
            changes.append(
                Change(
                    mtype,
                    limits_line(old, mtype.display_unit) if previous else "",
                    limits_line(new, mtype.display_unit),
                )
            )
        changes.sort(key=lambda c: c.type.sort_order)
        rules_changed = previous is not None and sorted(
            map(_rule_key, threshold_set.relative_rules.all())
        ) != sorted(map(_rule_key, previous.relative_rules.all()))
        versions.append(Version(threshold_set, changes, rules_changed))
    return versions


def template_for(*, patient: Patient) -> ThresholdSet | None:
    """The newest COPD-group template of the monitoring organisation for this patient's group."""
    team = patient.monitoring_team if patient.monitoring_team_id is not None else None
    if team is None:
        return None
    return (
        ThresholdSet.objects.filter(
            kind=ThresholdSet.Kind.TEMPLATE,
            organisation_id=team.organisation_id,
            copd_group=patient.copd_group,
        )
        .prefetch_related("thresholds")
        .order_by("-version", "-valid_from")
        .first()
    )


def threshold_rows(
    *, current: ThresholdSet | None, template: ThresholdSet | None, types: list[MeasurementType]
) -> list[dict[str, Any]]:
    """Per type: the current limits and, where they differ, the template's."""
    rows_now = {t.type_id: t for t in current.thresholds.all()} if current else {}
    rows_template = {t.type_id: t for t in template.thresholds.all()} if template else {}
    result = []
    for mtype in types:
        now, tpl = rows_now.get(mtype.pk), rows_template.get(mtype.pk)
        differs = template is not None and (
            (now is None) != (tpl is None)
            or (
                now is not None
                and tpl is not None
                and any(getattr(now, f) != getattr(tpl, f) for f in LIMIT_FIELDS)
            )
        )
        result.append(
            {
                "type": mtype,
                "limits": [show_decimal(getattr(now, f)) if now else "–" for f in LIMIT_FIELDS],
                "template": limits_line(tpl, mtype.display_unit) if differs else "",
                "differs": differs,
            }
        )
    return result


def threshold_types(current: ThresholdSet | None) -> list[MeasurementType]:
    """The types offered for editing: the usual home measurements and any with a limit."""
    usual = {
        "spo2",
        "pulse",
        "weight",
        "bp_systolic",
        "bp_diastolic",
        "temperature",
        "crp",
        "fev1",
        "cat_score",
    }
    with_rows = {t.type_id for t in current.thresholds.all()} if current else set()
    return list(
        MeasurementType.objects.filter(Q(key__in=usual) | Q(pk__in=with_rows)).order_by(
            "sort_order"
        )
    )


def in_force_since(threshold_set: ThresholdSet | None) -> datetime | None:
    return threshold_set.valid_from if threshold_set else None
