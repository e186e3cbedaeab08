"""Who may see which patient, in one place.

A clinician sees a patient when there is a care relationship: a member of the patient's
monitoring team, or the treating doctor. The citizen sees only themselves. Everyone else gets
404 (never 403: an outsider must not learn that a CPR number is monitored here).

Every view of patient data goes through ``get_patient_for_user``, which checks the
relationship and writes the audit event, so no view can forget either.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from patients.models import Patient
from telemed.audit import audit_record


def patients_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Patient]:
    """Patients this clinician has a care relationship with, filtered in SQL."""
    if not user.is_authenticated or not hasattr(user, "clinician"):
        return Patient.objects.none()
    return Patient.objects.filter(
        Q(monitoring_team__group__user=user) | Q(treating_doctor=user)
    ).distinct()


def patients_monitored_by(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Patient]:
    """Patients on the monitoring teams this user belongs to."""
    if not user.is_authenticated or not hasattr(user, "clinician"):
        return Patient.objects.none()
    return Patient.objects.filter(monitoring_team__group__user=user)


def get_patient_for_user(
    request: HttpRequest, pk: int, *, what: str, action: str = "view"
) -> Patient:
    """The patient if ``request.user`` may see them, else 404; records the access."""
    try:
        patient = patients_visible_to(request.user).get(pk=pk)
    except Patient.DoesNotExist as exc:
        raise Http404 from exc
    audit_record(request=request, action=action, what=what, patient_id=patient.pk)
    return patient
