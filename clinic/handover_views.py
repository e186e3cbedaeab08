"""The shift handover page: one printable page per team."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic import handover
from telemed.audit import audit_record_many
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


@require_GET
@role_required(Role.NURSE)
def handover_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    team = request.GET.get("team", "")
    pages = handover.handover(user=request.user, team_id=int(team) if team.isdigit() else None)
    audit_record_many(
        request=request,
        action="view",
        what="Shift handover",
        patient_ids=handover.shown_patient_ids(pages),
    )
    return render(
        request,
        "clinic/handover.html",
        {
            "pages": pages,
            "now": timezone.now(),
            "missing_days": handover.MISSING_DAYS,
            "team_id": int(team) if team.isdigit() else None,
        },
    )
