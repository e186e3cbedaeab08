"""The monitoring nurse's triage list and the acknowledgement actions on it.

The list refreshes itself every 60 s with htmx (the ``triage-list`` partial) and keeps the
filters, the scroll position and the rows the nurse has opened; a red result that arrived since
the last refresh is marked as new. Everything also works as plain links and forms without JS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alarms import evaluation, reasons, selectors, services
from alarms.models import TriageResult
from alarms.summary import OPEN
from monitoring.models import MeasurementType
from patients.access import get_patient_for_user
from patients.models import Patient
from telemed import display
from telemed.audit import audit_record, audit_record_many
from telemed.roles import Role, role_required

NOTE_MAX_LENGTH = 2000


@dataclass
class LatestValue:
    label: str
    text: str
    unit: str
    severity: str | None
    measured_at: datetime | None


def _number(raw: str, decimals: int) -> str:
    """A stored value shown with its type's decimals, in the active language's format."""
    try:
        value = Decimal(raw)
    except (InvalidOperation, TypeError):
        return raw
    shown = Decimal(evaluation.show_value(value, decimals))
    return display.number(shown, max(decimals, -int(shown.as_tuple().exponent)))


def _latest_values(latest: dict[str, Any], types: dict[str, MeasurementType]) -> list[LatestValue]:
    values: list[LatestValue] = []
    for key in selectors.KEY_TYPES:
        if key == "bp":
            systolic, diastolic = latest.get("bp_systolic"), latest.get("bp_diastolic")
            if systolic and diastolic:
                worst = evaluation.worst(
                    s for s in (systolic["severity"], diastolic["severity"]) if s
                )
                values.append(
                    LatestValue(
                        _("BP"),
                        f"{_number(systolic['value'], 0)}/{_number(diastolic['value'], 0)}",
                        "mmHg",
                        worst,
                        parse_datetime(systolic["measured_at"]),
                    )
                )
            continue
        entry, kind = latest.get(key), types.get(key)
        if entry and kind:
            values.append(
                LatestValue(
                    kind.short_name,
                    _number(entry["value"], kind.decimals),
                    kind.display_unit,
                    entry["severity"],
                    parse_datetime(entry["measured_at"]),
                )
            )
    return values


def _patient_url(pk: int, name: str = "patient:detail") -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # that page is not installed
        return None


def _present(
    rows: list[Patient], *, since: datetime | None, open_ids: set[int], user: Any = None
) -> list[Patient]:
    """Attach what the template shows: reasons, latest values, new-red mark, open results."""
    types = {t.key: t for t in MeasurementType.objects.all()}
    expanded = [row.pk for row in rows if row.pk in open_ids]
    open_results: dict[int, list[TriageResult]] = {pk: [] for pk in expanded}
    if expanded:
        for result in (
            TriageResult.objects.filter(OPEN, patient_id__in=expanded)
            .select_related("measurement__type", "submission__questionnaire")
            .order_by("patient_id", "-created_at")
        ):
            open_results[result.patient_id].append(result)
    recent: dict[int, list[TriageResult]] = {pk: [] for pk in expanded}
    if expanded and user is not None:
        for result in TriageResult.objects.filter(
            patient_id__in=expanded,
            acknowledged_by=user,
            acknowledged_at__gte=timezone.now() - services.UNDO_WINDOW,
        ).order_by("-acknowledged_at"):
            recent[result.patient_id].append(result)
    today = timezone.localdate()
    for row in rows:
        triage = getattr(row, "triage", None)
        row.age_today = row.age(today)
        row.level = triage.level if triage else "green"
        row.url = _patient_url(row.pk)
        row.messages_url = _patient_url(row.pk, "patient_messages:thread")
        row.unread_messages = getattr(row, "unread_messages", 0)
        row.reminder = getattr(row, "reminder", None)
        row.escalated = getattr(row, "escalated", False)
        row.latest_values = _latest_values(triage.latest if triage else {}, types)
        row.last_data_at = triage.last_data_at if triage else None
        worst = triage.worst_result if triage else None
        row.worst = worst
        row.worst_reasons = reasons.describe_all(worst.reasons) if worst else []
        row.is_new = bool(
            worst and worst.severity == "red" and since is not None and worst.created_at > since
        )
        row.expanded = row.pk in open_ids
        row.open_results = open_results.get(row.pk, [])
        row.recent_acks = recent.get(row.pk, [])
        for result in row.open_results:
            result.described = reasons.describe_all(result.reasons)
    return rows


def _open_ids(request: HttpRequest) -> set[int]:
    raw = request.GET.getlist("open") + request.GET.get("open_ids", "").split(",")
    return {int(value) for value in raw if value.strip().isdigit()}


@require_GET
@role_required(Role.NURSE)
def nurse_home(request: HttpRequest) -> HttpResponse:
    """The triage list (the nurse's home page)."""
    filters = selectors.TriageFilters.from_query(request.GET)
    since = parse_datetime(request.GET.get("since", "")) if request.htmx else None
    page = selectors.triage_list(user=request.user, filters=filters)
    rows = _present(page.rows, since=since, open_ids=_open_ids(request), user=request.user)
    audit_record(
        request=request,
        action="view",
        what=f"Triage list ({len(rows)} patients shown)",
    )
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "rendered_at": timezone.now(),
        "show_team": len(page.teams) > 1,
        "levels": selectors.LEVELS,
        "refresh_seconds": settings.TRIAGE_REFRESH_SECONDS,
    }
    template = "clinic/triage.html#triage-list" if request.htmx else "clinic/triage.html"
    return render(request, template, context)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or reverse("alarms:nurse_home")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("alarms:nurse_home")
    return target


def _row_response(request: HttpRequest, patient: Patient) -> HttpResponse:
    """After an action: the patient's row again (htmx) or back to the list (no JS)."""
    if not request.htmx:
        return HttpResponseRedirect(_back(request))
    row = (
        Patient.objects.select_related("triage", "triage__worst_result", "monitoring_team")
        .filter(pk=patient.pk)
        .first()
    )
    return _render_row(request, row, expanded=True, show_team=request.POST.get("show_team") == "1")


def _render_row(
    request: HttpRequest, row: Patient, *, expanded: bool, show_team: bool
) -> HttpResponse:
    rows = _present([row], since=None, open_ids={row.pk} if expanded else set(), user=request.user)
    return render(
        request,
        "clinic/triage.html#patient-row",
        {
            "row": rows[0],
            "show_team": show_team,
            "next": _back(request),
            "filters": selectors.TriageFilters(),
        },
    )


@require_GET
@role_required(Role.NURSE)
def triage_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One patient's row of the triage list, opened (with the open results) or closed."""
    expanded = request.GET.get("open") == "1"
    patient = get_patient_for_user(
        request, pk, what="Triage list: open results" if expanded else "Triage list row"
    )
    row = Patient.objects.select_related("triage", "triage__worst_result", "monitoring_team").get(
        pk=patient.pk
    )
    return _render_row(
        request, row, expanded=expanded, show_team=request.GET.get("show_team") == "1"
    )


def _note(request: HttpRequest) -> str:
    return request.POST.get("note", "").strip()[:NOTE_MAX_LENGTH]


@require_POST
@role_required(Role.NURSE)
def result_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(TriageResult.objects.only("pk", "patient_id"), pk=pk)
    patient = get_patient_for_user(
        request, result.patient_id, what=f"Acknowledged result {result.pk}", action="update"
    )
    try:
        services.result_acknowledge(
            result=result,
            user=request.user,
            note=_note(request),
            receipt_to_citizen=request.POST.get("receipt") == "1",
        )
    except services.AcknowledgementError:
        messages.info(request, _("This result had already been acknowledged."))
    else:
        if not request.htmx:
            messages.success(request, _("Result acknowledged."))
    return _row_response(request, patient)


@require_POST
@role_required(Role.NURSE)
def result_acknowledge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(TriageResult.objects.only("pk", "patient_id"), pk=pk)
    patient = get_patient_for_user(
        request,
        result.patient_id,
        what=f"Undid acknowledgement of result {result.pk}",
        action="update",
    )
    try:
        services.result_acknowledge_undo(result=result, user=request.user)
    except services.AcknowledgementError as error:
        messages.error(request, _undo_message(error.code))
    return _row_response(request, patient)


def _undo_message(code: str) -> str:
    return {
        "other_user": _("Only the nurse who acknowledged a result can undo it."),
        "too_late": _("An acknowledgement can only be undone within five minutes."),
    }.get(code, _("This result is not acknowledged."))


@require_POST
@role_required(Role.NURSE)
def patient_acknowledge_green(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(
        request, pk, what="Acknowledged all green results", action="update"
    )
    count = services.results_acknowledge_green(
        patient_ids=[patient.pk],
        user=request.user,
        note=_note(request),
        receipt_to_citizen=request.POST.get("receipt") == "1",
    )
    if not request.htmx:
        messages.success(request, _("%(count)d green results acknowledged.") % {"count": count})
    return _row_response(request, patient)


@require_POST
@role_required(Role.NURSE)
def list_acknowledge_green(request: HttpRequest) -> HttpResponse:
    """Acknowledge every open green result of the patients the current filter shows."""
    filters = selectors.TriageFilters.from_query(request.POST)
    patient_ids = selectors.triage_patient_ids(user=request.user, filters=filters)
    count = services.results_acknowledge_green(
        patient_ids=patient_ids, user=request.user, note=_note(request)
    )
    audit_record_many(
        request=request,
        action="update",
        what="Acknowledged all green results (triage list)",
        patient_ids=patient_ids,
    )
    messages.success(request, _("%(count)d green results acknowledged.") % {"count": count})
    return HttpResponseRedirect(reverse("alarms:nurse_home") + "?" + filters.as_query(page=1))
