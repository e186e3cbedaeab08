"""Object permissions (django-guardian) for the people responsible for a patient.

The monitoring team's group gets ``view_patient_data`` and ``monitor_patient``; the treating
doctor gets ``view_patient_data`` and ``change_thresholds``. Set-based, so the demo seed grants
them for 200 patients in two inserts.

TODO(lead): this belongs in a patients service (e.g. ``patient_assign_care``) that referral
acceptance and team changes call; the demo and the factories should then call that.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import Permission

from patients.models import Patient, PatientGroupObjectPermission, PatientUserObjectPermission

TEAM_PERMISSIONS = ("view_patient_data", "monitor_patient")
DOCTOR_PERMISSIONS = ("view_patient_data", "change_thresholds")


def grant_care_permissions(patients: Sequence[Patient]) -> None:
    perms = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="patients",
            codename__in=set(TEAM_PERMISSIONS) | set(DOCTOR_PERMISSIONS),
        )
    }
    group_rows = [
        PatientGroupObjectPermission(
            permission=perms[codename],
            group_id=patient.monitoring_team.group_id,
            content_object=patient,
        )
        for patient in patients
        if patient.monitoring_team_id
        for codename in TEAM_PERMISSIONS
    ]
    user_rows = [
        PatientUserObjectPermission(
            permission=perms[codename], user_id=patient.treating_doctor_id, content_object=patient
        )
        for patient in patients
        if patient.treating_doctor_id
        for codename in DOCTOR_PERMISSIONS
    ]
    PatientGroupObjectPermission.objects.bulk_create(group_rows, ignore_conflicts=True)
    PatientUserObjectPermission.objects.bulk_create(user_rows, ignore_conflicts=True)
