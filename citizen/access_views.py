"""The citizen's "who has access to my data" (/me/access/): the monitoring team (and its
members), the treating doctor and every clinician given access individually, with their
organisation, since when and why.

Access itself is decided by the guardian permission rows (patients/access.py); this page reads
those, so it can never list fewer people than can read the record, and takes the since-when,
by whom and why from the CareAccess history the services keep. A fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from citizen.access import get_own_patient
from patients.access import VIEW
from patients.models import (
    CareAccess,
    Patient,
    PatientGroupObjectPermission,
    PatientUserObjectPermission,
)
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required


@dataclass(frozen=True)
class AccessRow:
    """One team or person who may read the citizen's data."""

    kind: str  # shown as the row's heading: monitoring team, treating doctor, other access
    name: str
    organisation: str
    since: datetime | date | None
    reason: str
    members: list[str]


def access_rows(patient: Patient) -> list[AccessRow]:
    """Teams first, then the treating doctor, then individually granted clinicians."""
    records = list(
        CareAccess.objects.filter(patient=patient, ended_at__isnull=True).order_by("granted_at")
    )
    by_team = {r.team_id: r for r in records if r.team_id}
    by_user = {r.user_id: r for r in records if r.user_id}
    team_grants = (
        PatientGroupObjectPermission.objects.filter(
            content_object=patient, permission__codename=VIEW, group__team__isnull=False
        )
        .select_related("group__team__organisation")
        .prefetch_related(
            Prefetch(
                "group__user_set",
                queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"),
            )
        )
    )
    user_grants = (
        PatientUserObjectPermission.objects.filter(
            content_object=patient, permission__codename=VIEW
        )
        .select_related("user__clinician__organisation")
        .order_by("user__last_name", "user__first_name")
    )
    rows: list[AccessRow] = []
    for grant in team_grants:
        team = grant.group.team
        record = by_team.get(team.pk)
        rows.append(
            AccessRow(
                kind=_("Monitoring team"),
                name=team.name,
                organisation=team.organisation.name,
                since=record.granted_at if record else patient.monitoring_started_on,
                reason=record.reason if record else "",
                members=[u.get_full_name() or u.get_username() for u in grant.group.user_set.all()],
            )
        )
    people = sorted(user_grants, key=lambda g: g.user_id != patient.treating_doctor_id)
    for person in people:
        user = person.user
        record = by_user.get(user.pk)
        profile = getattr(user, "clinician", None)
        doctor = user.pk == patient.treating_doctor_id
        rows.append(
            AccessRow(
                kind=_("Treating doctor") if doctor else _("Other access"),
                name=user.get_full_name() or user.get_username(),
                organisation=profile.organisation.name if profile else "",
                since=record.granted_at if record else None,
                reason=record.reason if record else "",
                members=[],
            )
        )
    return rows


@require_GET
@role_required(Role.CITIZEN)
def citizen_access(request: AuthenticatedHttpRequest) -> HttpResponse:
    patient = get_own_patient(request, what="Citizen: who has access to my data")
    return render(request, "citizen/access.html", {"rows": access_rows(patient)})
