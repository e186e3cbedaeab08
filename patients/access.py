"""Who may see which patient, in one place.

A clinician sees a patient when they hold a django-guardian object permission on the patient:
granted to the monitoring team's group and to the treating doctor by
``patients.services.patient_assign_care`` (and to anybody else an admin grants it to, e.g. a
covering doctor), and withdrawn when the relationship ends. The citizen sees only themselves.
Everyone else gets 404 (never 403: an outsider must not learn that a CPR number is monitored
here). An organisation admin manages users and templates but sees no clinical data unless
granted.

The permission rows are guardian's direct foreign-key models (PatientUserObjectPermission,
PatientGroupObjectPermission), so a list filters with two indexed EXISTS subqueries in SQL.

Every view of patient data goes through ``get_patient_for_user``, which checks the permission
and writes the audit event, so no view can forget either.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from patients.models import Patient, PatientGroupObjectPermission, PatientUserObjectPermission
from telemed.audit import audit_record

VIEW = "view_patient_data"
MONITOR = "monitor_patient"
CHANGE_THRESHOLDS = "change_thresholds"


def _permission_q(user: User, codename: str) -> Q:
    by_user = PatientUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename=codename
    )
    by_group = PatientGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        group__user=user,
        permission__codename=codename,
    )
    return Q(Exists(by_user)) | Q(Exists(by_group))


def patients_visible_to(user: User | AnonymousUser, perm: str = VIEW) -> QuerySet[Patient]:
    """Patients this clinician holds ``perm`` on (directly or through a team), filtered in SQL."""
    if not user.is_authenticated or not hasattr(user, "clinician"):
        return Patient.objects.none()
    return Patient.objects.filter(_permission_q(user, perm))


def patients_monitored_by(user: User | AnonymousUser) -> QuerySet[Patient]:
    """Patients this user may act on as monitoring nurse (their teams' patients)."""
    return patients_visible_to(user, MONITOR)


def user_has_patient_perm(user: User | AnonymousUser, patient: Patient, perm: str) -> bool:
    return patients_visible_to(user, perm).filter(pk=patient.pk).exists()


def get_patient_for_user(
    request: HttpRequest,
    pk: int,
    *,
    what: str,
    action: str = "view",
    perm: str = VIEW,
) -> Patient:
    """The patient if ``request.user`` may see them, else 404; records the access once.

    With a ``perm`` other than viewing, a clinician who may see the patient but lacks ``perm``
    gets 403 (they already know the patient); the citizen may only view their own record.
    """
    user = request.user
    own = getattr(user, "patient", None) if user.is_authenticated else None
    if own is not None and own.pk == int(pk) and not hasattr(user, "clinician"):
        if perm != VIEW:
            raise PermissionDenied
        patient = own
    else:
        try:
            patient = patients_visible_to(user).get(pk=pk)
        except (Patient.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        if perm != VIEW and not user_has_patient_perm(user, patient, perm):
            raise PermissionDenied
    audit_record(request=request, action=action, what=what, patient_id=patient.pk)
    return patient
