"""The list of patients whose monitoring ended: the latest end of each patient of the nurse's
teams, newest first, with who ended it and why. Two queries for any number of patients."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef

from patients.access import patients_visible_to
from patients.models import MonitoringEnd, PatientState

PER_PAGE = 50
ENDED_STATES = (PatientState.DISCHARGED, PatientState.DECEASED)


def ended_page(user: User, number: str | int | None) -> Page:
    later = MonitoringEnd.objects.filter(
        patient_id=OuterRef("patient_id"), ended_at__gt=OuterRef("ended_at")
    )
    rows = (
        MonitoringEnd.objects.filter(team__group__user=user, patient__state__in=ENDED_STATES)
        .filter(~Exists(later))
        .select_related("patient", "team", "ended_by")
        # The record is linked only while the user may still read it (the organisation's
        # policy may end all access when monitoring ends).
        .annotate(can_view=Exists(patients_visible_to(user).filter(pk=OuterRef("patient_id"))))
        .order_by("-ended_at", "-pk")
    )
    return Paginator(rows, PER_PAGE).get_page(number)
