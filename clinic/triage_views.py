"""The monitoring nurse's triage list and the acknowledgement actions on it.

The list refreshes itself every 60 s with htmx (the ``triage-list`` partial) and keeps the
filters, the scroll position and the rows the nurse has opened; a red result that arrived since
the last refresh is marked as new. Everything also works as plain links and forms without JS.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alarms import selectors, services
from alarms.models import Outcome, TriageResult
from alarms.outcomes import no_action_outcome, outcomes_for
from clinic import presenters
from clinic.forms import NOTE_MAX_LENGTH, AcknowledgeForm, clinician_organisation_id
from monitoring.severity import TRIAGE_LEVELS
from patients.access import get_patient_for_user
from patients.models import Patient
from telemed.audit import audit_record, audit_record_many
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


def _open_ids(request: AuthenticatedHttpRequest) -> set[int]:
    raw = request.GET.getlist("open") + request.GET.get("open_ids", "").split(",")
    return {int(value) for value in raw if value.strip().isdigit()}


@require_GET
@role_required(Role.NURSE)
def nurse_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The triage list (the nurse's home page)."""
    filters = selectors.TriageFilters.from_query(request.GET)
    since = parse_datetime(request.GET.get("since", "")) if request.htmx else None
    page = selectors.triage_list(user=request.user, filters=filters)
    rows = presenters.triage_rows(
        page.rows, since=since, open_ids=_open_ids(request), user=request.user
    )
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
        "levels": TRIAGE_LEVELS,
        "outcomes": _outcomes(request) if any(row.expanded for row in rows) else [],
        "refresh_seconds": settings.TRIAGE_REFRESH_SECONDS,
    }
    template = "clinic/triage.html#triage-list" if request.htmx else "clinic/triage.html"
    return render(request, template, context)


def _back(request: AuthenticatedHttpRequest) -> str:
    target = request.POST.get("next") or reverse("alarms:nurse_home")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("alarms:nurse_home")
    return target


def _row_response(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    *,
    refused: presenters.Refused | None = None,
    status: int = 200,
) -> HttpResponse:
    """After an action: the patient's row again (htmx) or back to the list (no JS). The row
    carries the list's counters (an out-of-band swap), so they change at once."""
    if not request.htmx:
        return HttpResponseRedirect(_back(request))
    filters = selectors.TriageFilters.from_query(QueryDict(urlsplit(_back(request)).query))
    return _render_row(
        request,
        selectors.triage_row(patient.pk),
        expanded=True,
        show_team=request.POST.get("show_team") == "1",
        refused=refused,
        status=status,
        filters=filters,
        counts=selectors.triage_counts(user=request.user, filters=filters),
    )


def _render_row(
    request: AuthenticatedHttpRequest,
    row: Patient,
    *,
    expanded: bool,
    show_team: bool,
    refused: presenters.Refused | None = None,
    status: int = 200,
    filters: selectors.TriageFilters | None = None,
    counts: dict[str, int] | None = None,
) -> HttpResponse:
    rows = presenters.triage_rows(
        [row],
        since=None,
        open_ids={row.pk} if expanded else set(),
        user=request.user,
        refused=refused,
    )
    return render(
        request,
        "clinic/triage.html#patient-row",
        {
            "row": rows[0],
            "show_team": show_team,
            "next": _back(request),
            "filters": filters or selectors.TriageFilters(),
            "counts": counts,
            "outcomes": _outcomes(request) if expanded else [],
        },
        status=status,
    )


def _outcomes(request: AuthenticatedHttpRequest) -> list[Outcome]:
    return list(outcomes_for(clinician_organisation_id(request.user)))


@require_GET
@role_required(Role.NURSE)
def triage_row(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One patient's row of the triage list, opened (with the open results) or closed."""
    expanded = request.GET.get("open") == "1"
    patient = get_patient_for_user(
        request, pk, what="Triage list: open results" if expanded else "Triage list row"
    )
    return _render_row(
        request,
        selectors.triage_row(patient.pk),
        expanded=expanded,
        show_team=request.GET.get("show_team") == "1",
    )


def _note(request: AuthenticatedHttpRequest) -> str:
    return request.POST.get("note", "").strip()[:NOTE_MAX_LENGTH]


@require_POST
@role_required(Role.NURSE)
def result_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(TriageResult.objects.only("pk", "patient_id"), pk=pk)
    patient = get_patient_for_user(
        request, result.patient_id, what=f"Acknowledged result {result.pk}", action="update"
    )
    form = AcknowledgeForm(request.POST, organisation_id=clinician_organisation_id(request.user))
    if not form.is_valid():
        refused = presenters.Refused(
            result.pk, form.first_error(), {k: request.POST.get(k, "") for k in form.fields}
        )
        if not request.htmx:
            messages.error(request, refused.error)
            return HttpResponseRedirect(_back(request))
        return _row_response(request, patient, refused=refused, status=400)
    try:
        services.result_acknowledge(
            result=result,
            user=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            receipt_to_citizen=form.cleaned_data["receipt_to_citizen"],
            note_to_citizen=form.cleaned_data["note_to_citizen"],
        )
    except services.AcknowledgementError:
        messages.info(request, _("This result had already been acknowledged."))
    else:
        if not request.htmx:
            messages.success(request, _("Result acknowledged."))
    return _row_response(request, patient)


@require_POST
@role_required(Role.NURSE)
def result_acknowledge_undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def patient_acknowledge_green(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(
        request, pk, what="Acknowledged all green results", action="update"
    )
    count = services.results_acknowledge_green(
        patient_ids=[patient.pk],
        user=request.user,
        outcome=no_action_outcome(clinician_organisation_id(request.user)),
        note=_note(request),
        receipt_to_citizen=request.POST.get("receipt_to_citizen") == "1",
    )
    if not request.htmx:
        messages.success(request, _("%(count)d green results acknowledged.") % {"count": count})
    return _row_response(request, patient)


@require_POST
@role_required(Role.NURSE)
def list_acknowledge_green(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Acknowledge every open green result of the patients the current filter shows."""
    filters = selectors.TriageFilters.from_query(request.POST)
    patient_ids = selectors.triage_patient_ids(user=request.user, filters=filters)
    count = services.results_acknowledge_green(
        patient_ids=patient_ids,
        user=request.user,
        outcome=no_action_outcome(clinician_organisation_id(request.user)),
        note=_note(request),
    )
    audit_record_many(
        request=request,
        action="update",
        what="Acknowledged all green results (triage list)",
        patient_ids=patient_ids,
    )
    messages.success(request, _("%(count)d green results acknowledged.") % {"count": count})
    return HttpResponseRedirect(reverse("alarms:nurse_home") + "?" + filters.as_query(page=1))


@require_POST
@role_required(Role.NURSE)
def patient_claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "I'm on it": claim the patient's open results (or take over a colleague's claim)."""
    take_over = request.POST.get("take_over") == "1"
    patient = get_patient_for_user(
        request,
        pk,
        what="Took over the claim on open results" if take_over else "Claimed open results",
        action="update",
    )
    try:
        services.claim_take(patient=patient, user=request.user, take_over=take_over)
    except services.ClaimError as error:
        messages.error(request, _claim_message(error))
    return _claim_response(request, patient)


@require_POST
@role_required(Role.NURSE)
def patient_claim_release(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, what="Released the claim", action="update")
    try:
        services.claim_release(patient=patient, user=request.user)
    except services.ClaimError as error:
        messages.error(request, _claim_message(error))
    return _claim_response(request, patient)


def _claim_response(request: AuthenticatedHttpRequest, patient: Patient) -> HttpResponse:
    if request.htmx and request.POST.get("from") == "triage":
        return _row_response(request, patient)
    return HttpResponseRedirect(_back(request))


def _claim_message(error: services.ClaimError) -> str:
    if error.code == "claimed" and error.claim is not None:
        return _("%(name)s is already on it (since %(time)s).") % {
            "name": error.claim.claimed_by.get_full_name() or error.claim.claimed_by.username,
            "time": date_format(timezone.localtime(error.claim.claimed_at), "TIME_FORMAT"),
        }
    return {
        "claimed": _("A colleague is already on it."),
        "nothing_open": _("There are no open results to claim."),
    }.get(error.code, _("You have no claim on this patient to release."))
