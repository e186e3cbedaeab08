"""The citizen's read-only pages (mobile-first web view): today, my history, who looked.

Answering and messages write, and answers are evaluated on arrival, so those pages live in
alarms/citizen_views.py. Every page here goes through citizen.access (one audit
event per request) and costs a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from citizen.access import get_own_patient
from citizen.reminders import due_banners
from monitoring import answers, schedules
from monitoring.models import Measurement, MeasurementType, Message, Schedule, Submission
from telemed.http import AuthenticatedHttpRequest
from telemed.models import AuditEvent
from telemed.roles import Role, role_required

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise, WithAnnotations

DONE_TODAY = "done"
DUE_TODAY = "due"
OVERDUE = "overdue"
NOT_DUE_TODAY = "not_due"
STATUS_LABELS = {
    DONE_TODAY: _("Done today"),
    DUE_TODAY: _("Due today"),
    OVERDUE: _("Overdue – please answer now"),
    NOT_DUE_TODAY: _("Not due today"),
}
HISTORY_DAYS = 30
CHART_KEYS = ("spo2", "pulse", "weight", "temperature", "bp_systolic", "fev1", "cat_score")
LOG_PAGE = 100


class _TodayRow(TypedDict):
    """What "Today" adds to each schedule: the query's annotation, then the display fields."""

    last_answered_at: datetime | None
    status: str
    status_label: StrPromise
    due_times: list[datetime]
    has_draft: bool


class _ShownValue(TypedDict):
    """The measurement's value as the citizen reads it, set on each row of "My measurements"."""

    shown: str


def _occasions_today(schedule: Schedule, day: date) -> list[schedules.Occasion]:
    try:
        rule = schedule.rule()
    except ValueError:
        # An incomplete rule (e.g. weekdays without times) never asks the citizen for anything.
        return []
    return schedules.occasions_on(rule, day, timezone.now())


@require_GET
@role_required(Role.CITIZEN)
def citizen_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Today": the questionnaires due today (due, done, overdue), unread messages."""
    patient = get_own_patient(request, what="Citizen home: own questionnaires")
    today = timezone.localdate()
    last_answered = (
        Submission.objects.filter(
            patient=patient, questionnaire__code=OuterRef("questionnaire__code")
        )
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    # The display fields are set on the rows below, for the template.
    rows = cast(
        "list[WithAnnotations[Schedule, _TodayRow]]",
        list(
            Schedule.objects.current()
            .filter(patient=patient, starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .select_related("questionnaire")
            .annotate(last_answered_at=Subquery(last_answered))
            .order_by("questionnaire__code", "pk")
        ),
    )
    for schedule in rows:
        occasions = _occasions_today(schedule, today)
        answered_today = (
            schedule.last_answered_at is not None
            and timezone.localdate(schedule.last_answered_at) == today
        )
        if answered_today:
            schedule.status = DONE_TODAY
        elif occasions and all(o.state == "overdue" for o in occasions):
            schedule.status = OVERDUE
        elif occasions:
            schedule.status = DUE_TODAY
        else:
            schedule.status = NOT_DUE_TODAY
        schedule.status_label = STATUS_LABELS[schedule.status]
        schedule.due_times = [o.due_at for o in occasions]
        schedule.has_draft = f"answer-draft:{schedule.pk}" in request.session
    unread = Message.objects.filter(
        patient=patient, sender_is_citizen=False, read_by_citizen_at__isnull=True
    ).count()
    return render(
        request,
        "citizen/home.html",
        {
            "patient": patient,
            "schedules": rows,
            "today": today,
            "unread_messages": unread,
            "has_due": any(s.status in (DUE_TODAY, OVERDUE) for s in rows),
            "due_banners": due_banners(rows, timezone.now()),
        },
    )


def sparkline(points: list[tuple[Any, Decimal]], width: int = 300, height: int = 80) -> str:
    """SVG polyline points for a small chart (no JavaScript needed), oldest left."""
    if len(points) < 2:
        return ""
    values = [float(v) for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    pad = 6
    return " ".join(
        f"{index * step:.1f},{pad + (height - 2 * pad) * (1 - (value - low) / span):.1f}"
        for index, value in enumerate(values)
    )


@require_GET
@role_required(Role.CITIZEN)
def citizen_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My measurements of the last 30 days: a small chart per type and a list (3 queries)."""
    patient = get_own_patient(request, what="Citizen: own measurements and answers")
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    # ``shown`` is set on the rows below, for the template.
    measurements = cast(
        "list[WithAnnotations[Measurement, _ShownValue]]",
        list(
            Measurement.objects.filter(patient=patient, measured_at__gte=since)
            .select_related("type")
            .order_by("-measured_at", "pk")[:1000]
        ),
    )
    submissions = list(
        Submission.objects.filter(patient=patient, submitted_at__gte=since)
        .select_related("questionnaire")
        .order_by("-submitted_at")[:60]
    )
    danish = (get_language() or "da").startswith("da")
    for measurement in measurements:
        measurement.shown = answers.plain(measurement.value, danish=danish)
    by_type: dict[int, list[Measurement]] = defaultdict(list)
    types: dict[int, MeasurementType] = {}
    for measurement in measurements:
        by_type[measurement.type_id].append(measurement)
        types[measurement.type_id] = measurement.type
    charts: list[dict[str, Any]] = []
    for type_id, rows in by_type.items():
        measurement_type = types[type_id]
        if measurement_type.key not in CHART_KEYS:
            continue
        series = [(m.measured_at, m.value) for m in reversed(rows)]
        values = [v for _, v in series]
        charts.append(
            {
                "type": measurement_type,
                "points": sparkline(series),
                "latest": rows[0],
                "low": answers.plain(min(values), danish=danish),
                "high": answers.plain(max(values), danish=danish),
                "count": len(values),
                "first": series[0][0],
            }
        )
    charts.sort(key=lambda chart: chart["type"].sort_order)
    days: dict[date, list[Measurement]] = defaultdict(list)
    for measurement in measurements[:200]:
        days[timezone.localdate(measurement.measured_at)].append(measurement)
    return render(
        request,
        "citizen/history.html",
        {
            "patient": patient,
            "charts": charts,
            "days": sorted(days.items(), reverse=True),
            "submissions": submissions,
            "history_days": HISTORY_DAYS,
        },
    )


@require_GET
@role_required(Role.CITIZEN)
def citizen_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Who has looked at my data" (like sundhed.dk's Min log): everyone but me."""
    patient = get_own_patient(request, what="Citizen: who has looked at my data")
    events = list(
        AuditEvent.objects.filter(patient=patient)
        .exclude(user=request.user)
        .order_by("-occurred_at")[:LOG_PAGE]
    )
    return render(
        request,
        "citizen/log.html",
        {"patient": patient, "events": events, "limit": LOG_PAGE},
    )
