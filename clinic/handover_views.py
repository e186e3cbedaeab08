"""The shift handover page: one printable page per team."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic import handover
from telemed.audit import audit_record
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


@require_GET
@role_required(Role.NURSE)
def handover_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    team = request.GET.get("team", "")
    pages = handover.handover(user=request.user, team_id=int(team) if team.isdigit() else None)
    # One event per look, as the triage list records it.
    audit_record(
        request=request,
        action="view",
        what=f"Shift handover ({len(handover.shown_patient_ids(pages))} patients shown)",
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
