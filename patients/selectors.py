"""Reads for the organisation admin's pages: people, teams, care relationships, the audit log.

An organisation admin sees the organisation's users and teams and which patients its teams and
doctors are responsible for (name and masked CPR, no clinical data), and may query the audit log
for those patients and users.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from patients.models import (
    ClinicianProfile,
    Organisation,
    Patient,
    PatientUserObjectPermission,
    Team,
)
from telemed.models import AuditEvent


def clinicians_of(organisation: Organisation) -> QuerySet[ClinicianProfile]:
    return (
        ClinicianProfile.objects.filter(organisation=organisation)
        .select_related("user")
        .prefetch_related(Prefetch("user__groups__team", queryset=Team.objects.all()))
        .order_by("user__last_name", "user__first_name")
    )


def teams_of(organisation: Organisation) -> QuerySet[Team]:
    return (
        Team.objects.filter(organisation=organisation)
        .select_related("group")
        .prefetch_related("group__user_set")
    )


def patients_related_to(organisation: Organisation) -> QuerySet[Patient]:
    """Patients monitored by the organisation's teams or treated by it."""
    return (
        Patient.objects.filter(
            Q(monitoring_team__organisation=organisation) | Q(treating_organisation=organisation)
        )
        .select_related("monitoring_team", "treating_doctor", "treating_organisation")
        .prefetch_related(
            Prefetch(
                "patientuserobjectpermission_set",
                queryset=PatientUserObjectPermission.objects.select_related("user", "permission"),
                to_attr="direct_grants",
            )
        )
    )


def doctors() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(clinician__role=ClinicianProfile.Role.DOCTOR, is_active=True)
        .select_related("clinician__organisation")
        .order_by("last_name", "first_name")
    )


def audit_events(
    *,
    organisation: Organisation,
    patient: Patient | None = None,
    user=None,
    action: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's audit events, newest first: about its patients, or done by its
    clinicians and its patients' citizen logins. ``start`` inclusive, ``end`` exclusive."""
    related = Patient.objects.filter(
        Q(monitoring_team__organisation=organisation) | Q(treating_organisation=organisation)
    ).values("pk")
    events = AuditEvent.objects.filter(
        Q(patient__in=related)
        | Q(user__clinician__organisation=organisation)
        | Q(user__patient__in=related)
    )
    if patient is not None:
        events = events.filter(patient=patient)
    if user is not None:
        events = events.filter(user=user)
    if action:
        events = events.filter(action=action)
    if start is not None:
        events = events.filter(occurred_at__gte=start)
    if end is not None:
        events = events.filter(occurred_at__lt=end)
    return events.select_related("patient").order_by("-occurred_at", "-pk")
