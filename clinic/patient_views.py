"""The patient page (patientoverblik): header and tabs for charts, measurements, answers,
results, notes and thresholds, and the writes made from it.

Every view goes through ``patients.access.get_patient_for_user`` exactly once (permission and one
audit event per request). Tabs are real links; with htmx only the panel is swapped
(``"<template>#panel"``). Writes are plain POST forms that redirect back, so the page works
without JavaScript.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alarms.models import PatientNote, TriageResult
from alarms.notes import note_add, note_mark_done
from alarms.outcomes import outcomes_for
from alarms.services import AcknowledgementError, ThresholdTimeline, result_acknowledge
from alarms.threshold_templates import rows_of
from alarms.thresholds import ThresholdChangeError, patient_thresholds_change
from clinic import patient_page as selectors
from clinic import presenters
from clinic.forms import (
    AcknowledgeForm,
    NoteForm,
    PauseForm,
    RangeForm,
    ThresholdsForm,
    clinician_organisation_id,
)
from clinic.rule_forms import rule_editor
from monitoring.models import MeasurementType, Source
from monitoring.severity import Severity
from patients.access import (
    CHANGE_THRESHOLDS,
    MONITOR,
    get_patient_for_user,
    user_has_patient_perm,
)
from patients.models import Patient
from patients.services import PauseError, patient_pause, patient_pause_end
from telemed.csv_export import csv_response, csv_text
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

CLINICIANS = (Role.NURSE, Role.DOCTOR, Role.ADMIN)

TABS = [
    ("detail", "Charts"),
    ("measurements", "Measurements"),
    ("answers", "Answers"),
    ("results", "Results"),
    ("notes", "Notes"),
    ("thresholds", "Thresholds"),
    ("schedules", "Schedules"),
    ("contact", "Contact"),
]
RANGED_TABS = {"detail", "measurements", "answers", "results"}


def _tab_labels() -> dict[str, str]:
    return {
        "detail": _("Charts"),
        "measurements": _("Measurements"),
        "answers": _("Answers"),
        "results": _("Results"),
        "notes": _("Notes"),
        "thresholds": _("Thresholds"),
        "schedules": _("Schedules"),
        "contact": _("Contact"),
    }


def tab_page(
    request: AuthenticatedHttpRequest,
    template: str,
    patient: Patient,
    tab: str,
    context: dict[str, Any],
    *,
    period=None,
    status: int = 200,
    current_set: Any = False,
) -> HttpResponse:
    """Render a tab: the whole page, or only its panel for an htmx request (the header, with
    its queries, is left out then)."""
    query = urlencode(period.query()) if period is not None else ""
    labels = _tab_labels()
    tabs = []
    for name, _label in TABS:
        url = reverse(f"patient:{name}", args=[patient.pk])
        if name in RANGED_TABS and query:
            url += f"?{query}"
        tabs.append({"name": name, "label": labels[name], "url": url, "current": name == tab})
    context = {
        "patient": patient,
        "tab": tab,
        "tabs": tabs,
        "period": period,
        "period_query": query,
        **context,
    }
    if period is not None:
        base = reverse(f"patient:{tab}", args=[patient.pk])
        context["ranges"] = [
            {"key": key, "label": label, "url": f"{base}?range={key}"}
            for key, label in (
                ("7d", _("7 days")),
                ("30d", _("30 days")),
                ("90d", _("90 days")),
                ("1y", _("1 year")),
            )
        ]
        context.setdefault("range_form", RangeForm(request.GET or None))
    if request.htmx and not request.htmx.boosted:
        return render(request, f"{template}#panel", context, status=status)
    context["header"] = selectors.patient_header(
        patient_id=patient.pk, current_set=current_set, user=request.user
    )
    context["can_monitor"] = context.get(
        "can_monitor", user_has_patient_perm(request.user, patient, MONITOR)
    )
    context.setdefault("pause_form", PauseForm())
    return render(request, template, context, status=status)


def _period(request: AuthenticatedHttpRequest):
    """The chosen period; an invalid one falls back to 30 days and the range bar says why."""
    data: QueryDict = request.GET
    if request.method == "POST":  # a refused form comes back with the period it was sent from
        data = QueryDict(mutable=True)
        for key in ("range", "from", "to"):
            if key in request.POST:
                data[key] = request.POST[key]
    form = RangeForm(data or None)
    return form, form.period()


# Tabs ---------------------------------------------------------------------------------------


@require_GET
@role_required(*CLINICIANS)
def patient_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Patient page: charts")
    form, period = _period(request)
    timeline = ThresholdTimeline.for_patient(patient.pk)
    charts = selectors.patient_charts(patient_id=patient.pk, period=period, timeline=timeline)
    return tab_page(
        request,
        "clinic/patient/charts.html",
        patient,
        "detail",
        {"charts": charts, "range_form": form},
        period=period,
        current_set=timeline.in_force(timezone.now()),
    )


SORTS = {
    "time",
    "-time",
    "type",
    "-type",
    "value",
    "-value",
    "source",
    "-source",
    "severity",
    "-severity",
}


def _measurement_rows(
    request: AuthenticatedHttpRequest, patient: Patient, period
) -> tuple[list, str]:
    sort = request.GET.get("sort", "-time")
    if sort not in SORTS:
        sort = "-time"
    if sort.lstrip("-") == "severity":
        rows = selectors.measurement_rows(patient_id=patient.pk, period=period, order="-time")
        rows = selectors.severity_sorted(rows, descending=sort.startswith("-"))
    else:
        rows = selectors.measurement_rows(patient_id=patient.pk, period=period, order=sort)
    return rows, sort


@require_GET
@role_required(*CLINICIANS)
def patient_measurements(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Patient page: measurements")
    form, period = _period(request)
    rows, sort = _measurement_rows(request, patient, period)
    base = f"{reverse('patient:measurements', args=[patient.pk])}?{urlencode(period.query())}"
    columns = []
    for key, label in (
        ("time", _("Measured")),
        ("type", _("Type")),
        ("value", _("Value")),
        ("severity", _("Severity")),
        ("source", _("Source")),
    ):
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        next_sort = key if current and descending else f"-{key}"
        columns.append(
            {
                "key": key,
                "label": label,
                "url": f"{base}&sort={next_sort}",
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    csv_url = f"{reverse('patient:measurements_csv', args=[patient.pk])}?" + urlencode(
        {**period.query(), "sort": sort}
    )
    return tab_page(
        request,
        "clinic/patient/measurements.html",
        patient,
        "measurements",
        {
            "rows": rows,
            "columns": columns,
            "sort": sort,
            "csv_url": csv_url,
            "range_form": form,
            "can_monitor": user_has_patient_perm(request.user, patient, MONITOR),
        },
        period=period,
    )


@require_GET
@role_required(*CLINICIANS)
def patient_measurements_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The measurement table as shown (period and order) as CSV; audited as an export."""
    patient = get_patient_for_user(
        request, pk, what="Patient page: measurements exported as CSV", action="export"
    )
    _form, period = _period(request)
    rows, _sort = _measurement_rows(request, patient, period)
    response, writer = csv_response(
        f"measurements-{patient.pk}-{period.first_day}-{period.last_day}.csv"
    )
    writer.writerow(
        [
            _("Measured"),
            _("Type"),
            _("Value"),
            _("Unit"),
            _("Severity"),
            _("Reasons"),
            _("Source"),
            _("Device"),
            _("Acknowledged"),
        ]
    )
    sources = dict(Source.choices)
    for row in rows:
        m = row.measurement
        writer.writerow(
            [
                timezone.localtime(m.measured_at).strftime("%Y-%m-%d %H:%M"),
                csv_text(m.type.name),
                row.value_text,
                csv_text(m.type.display_unit),
                str(Severity(row.severity).label) if row.severity else "",
                csv_text(" | ".join(row.reasons)),
                csv_text(str(sources.get(m.source, m.source))),
                csv_text(m.device_id),
                csv_text(selectors.acknowledgement_text(row.result)),
            ]
        )
    return response


@require_GET
@role_required(*CLINICIANS)
def patient_answers(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Patient page: questionnaire answers")
    form, period = _period(request)
    matrices = selectors.answers_matrices(patient_id=patient.pk, period=period)
    return tab_page(
        request,
        "clinic/patient/answers.html",
        patient,
        "answers",
        {"matrices": matrices, "range_form": form},
        period=period,
    )


@require_GET
@role_required(*CLINICIANS)
def patient_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Patient page: result history")
    return _results_page(request, patient)


def _results_page(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    *,
    refused: presenters.Refused | None = None,
) -> HttpResponse:
    form, period = _period(request)
    rows = selectors.result_rows(patient_id=patient.pk, period=period)
    can_monitor = user_has_patient_perm(request.user, patient, MONITOR)
    return tab_page(
        request,
        "clinic/patient/results.html",
        patient,
        "results",
        {
            "rows": rows,
            "range_form": form,
            "can_monitor": can_monitor,
            "outcomes": list(outcomes_for(clinician_organisation_id(request.user)))
            if can_monitor
            else [],
            "refused": refused,
            "open_count": sum(1 for row in rows if row.result.is_open),
        },
        period=period,
        status=400 if refused else 200,
    )


def _notes_context(patient: Patient, form: NoteForm | None = None) -> dict[str, Any]:
    return {
        "notes": selectors.patient_notes(patient_id=patient.pk),
        "note_form": form or NoteForm(),
    }


@require_GET
@role_required(*CLINICIANS)
def patient_notes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Patient page: notes")
    return tab_page(request, "clinic/patient/notes.html", patient, "notes", _notes_context(patient))


def _thresholds_context(
    request: AuthenticatedHttpRequest, patient: Patient, form: ThresholdsForm | None = None
) -> dict[str, Any]:
    current = selectors.current_threshold_set(patient_id=patient.pk)
    types = selectors.threshold_types(current)
    template = selectors.template_for(patient=patient)
    can_change = user_has_patient_perm(request.user, patient, CHANGE_THRESHOLDS)
    if form is None and can_change:
        form = ThresholdsForm(
            types=types,
            current={t.type_id: t for t in current.thresholds.all()} if current else {},
        )
    editor = None
    if can_change:
        editor, _rules, _problems = rule_editor(_rule_types(), rows_of(current)[1])
    return {
        "editor": editor,
        "current": current,
        "rows": selectors.threshold_rows(current=current, template=template, types=types),
        "template": template,
        "rules": list(current.relative_rules.all()) if current else [],
        "history": selectors.threshold_history(patient_id=patient.pk),
        "can_change": can_change,
        "form": form,
    }


def _rule_types() -> list[MeasurementType]:
    return list(MeasurementType.objects.order_by("sort_order", "code"))


@require_GET
@role_required(*CLINICIANS)
def patient_thresholds(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Patient page: thresholds")
    return tab_page(
        request,
        "clinic/patient/thresholds.html",
        patient,
        "thresholds",
        _thresholds_context(request, patient),
    )


# Header fragment ------------------------------------------------------------------------------


@require_POST
@role_required(*CLINICIANS)
def patient_cpr(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show the full CPR number: a deliberate act, recorded in the audit log."""
    patient = get_patient_for_user(request, pk, what="Patient page: full CPR number shown")
    context = {"patient": patient, "revealed": True}
    if request.htmx:
        return render(request, "clinic/patient/_cpr.html", context)
    return render(request, "clinic/patient/cpr.html", context)


# Writes ---------------------------------------------------------------------------------------


def _back(name: str, patient: Patient, request: AuthenticatedHttpRequest) -> HttpResponse:
    url = reverse(f"patient:{name}", args=[patient.pk])
    query = {k: v for k, v in request.POST.items() if k in ("range", "from", "to") and v}
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@require_POST
@role_required(*CLINICIANS)
def result_acknowledge_view(
    request: AuthenticatedHttpRequest, pk: int, result_pk: int
) -> HttpResponse:
    patient = get_patient_for_user(
        request, pk, what="Result acknowledged", action="update", perm=MONITOR
    )
    result = get_object_or_404(TriageResult, pk=result_pk, patient=patient)
    form = AcknowledgeForm(request.POST, organisation_id=clinician_organisation_id(request.user))
    if not form.is_valid():
        typed = {key: request.POST.get(key, "") for key in form.fields}
        return _results_page(
            request,
            patient,
            refused=presenters.Refused(result.pk, form.first_error(), typed),
        )
    try:
        result_acknowledge(
            result=result,
            user=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            receipt_to_citizen=form.cleaned_data["receipt_to_citizen"],
            note_to_citizen=form.cleaned_data["note_to_citizen"],
        )
    except AcknowledgementError:
        messages.error(request, _("This result was already acknowledged by someone else."))
    else:
        messages.success(request, _("Result acknowledged."))
    return _back("results", patient, request)


@require_POST
@role_required(*CLINICIANS)
def note_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Note added", action="create")
    form = NoteForm(request.POST)
    if not form.is_valid():
        return tab_page(
            request,
            "clinic/patient/notes.html",
            patient,
            "notes",
            _notes_context(patient, form),
            status=400,
        )
    note_add(
        patient=patient,
        author=request.user,
        text=form.cleaned_data["text"],
        importance=form.cleaned_data["importance"],
        remind_on=form.cleaned_data["remind_on"],
    )
    messages.success(request, _("Note saved."))
    return redirect("patient:notes", pk=patient.pk)


@require_POST
@role_required(*CLINICIANS)
def note_done_view(request: AuthenticatedHttpRequest, pk: int, note_pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Note marked done", action="update")
    note = get_object_or_404(PatientNote, pk=note_pk, patient=patient)
    note_mark_done(note=note, user=request.user)
    messages.success(request, _("Note marked as done."))
    return redirect("patient:notes", pk=patient.pk)


@require_POST
@role_required(*CLINICIANS)
def thresholds_change_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(
        request, pk, what="Thresholds changed", action="update", perm=CHANGE_THRESHOLDS
    )
    context = _thresholds_context(request, patient)
    current = context["current"]
    form = ThresholdsForm(
        request.POST,
        types=selectors.threshold_types(current),
        current={t.type_id: t for t in current.thresholds.all()} if current else {},
    )
    editor, rules, rule_problems = rule_editor(_rule_types(), rows_of(current)[1], request.POST)
    context["editor"] = editor
    # Both are checked before anything is saved, so all the problems show at once.
    if form.is_valid() and not rule_problems:
        try:
            patient_thresholds_change(
                patient=patient,
                user=request.user,
                limits=form.limits(),
                rules=rules,
                reason=form.cleaned_data["reason"],
            )
        except ThresholdChangeError as exc:
            for key, errors in exc.errors.items():
                for error in errors:
                    if key == "rules":
                        form.add_error(None, error)
                    elif key in ("__all__", "reason"):
                        form.add_error(None if key == "__all__" else "reason", error)
                    else:
                        form.errors.setdefault(key, form.error_class()).append(error)
        else:
            messages.success(request, _("The new thresholds are in force from now."))
            return redirect("patient:thresholds", pk=patient.pk)
    context["form"] = form
    return tab_page(
        request, "clinic/patient/thresholds.html", patient, "thresholds", context, status=400
    )


@require_POST
@role_required(*CLINICIANS)
def pause_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(
        request, pk, what="Monitoring paused", action="update", perm=MONITOR
    )
    form = PauseForm(request.POST)
    if form.is_valid():
        try:
            patient_pause(
                patient=patient,
                user=request.user,
                reason=form.cleaned_data["reason"],
                ends_at=form.ends_at(),
            )
        except PauseError as exc:
            messages.error(
                request,
                {
                    "not_monitored": _("Only a patient under monitoring can be paused."),
                    "ends_in_past": _("The last day of the pause cannot be in the past."),
                }.get(exc.code, _("Please give a reason for the pause.")),
            )
        else:
            messages.success(request, _("Monitoring is paused."))
            return redirect("patient:detail", pk=patient.pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    # Keep what was typed: the header's pause form is shown open with it.
    period = RangeForm().period()
    timeline = ThresholdTimeline.for_patient(patient.pk)
    return tab_page(
        request,
        "clinic/patient/charts.html",
        patient,
        "detail",
        {
            "charts": selectors.patient_charts(
                patient_id=patient.pk, period=period, timeline=timeline
            ),
            "pause_form": form,
            "pause_open": True,
        },
        period=period,
        status=400,
        current_set=timeline.in_force(timezone.now()),
    )


@require_POST
@role_required(*CLINICIANS)
def pause_end_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(
        request, pk, what="Monitoring resumed", action="update", perm=MONITOR
    )
    patient_pause_end(patient=patient, user=request.user)
    messages.success(request, _("Monitoring is resumed."))
    return redirect("patient:detail", pk=patient.pk)
