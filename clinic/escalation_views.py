"""The escalation list: open, sent and failed escalations of the nurse's teams."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic import escalations
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


@require_GET
@role_required(Role.NURSE)
def escalation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    if show not in escalations.FILTERS:
        show = ""
    page = escalations.escalation_page(request.user, show, request.GET.get("page"))
    # One event per look, as the triage list and the handover record it.
    patients = {escalation.patient_id for escalation in page}
    audit_record(
        request=request, action="view", what=f"Escalation list ({len(patients)} patients shown)"
    )
    return render(
        request,
        "clinic/escalations.html",
        {"page": page, "tabs": escalations.filter_tabs(request.user, show), "show": show},
    )
