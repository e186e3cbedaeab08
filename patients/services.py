"""Writes for patients. Keyword-only, typed, one transaction each.

Care relationships (monitoreringsansvar, behandlingsansvar) are mirrored as django-guardian
object permissions on the patient: the monitoring team's group gets TEAM_PERMISSIONS, the
treating doctor DOCTOR_PERMISSIONS. ``patient_assign_care`` is the one place that changes who is
responsible, so the permissions can never drift from the relationship.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib.auth.models import Permission, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from patients.models import (
    CareAccess,
    Organisation,
    Patient,
    PatientGroupObjectPermission,
    PatientPause,
    PatientState,
    PatientUserObjectPermission,
    Team,
)
from telemed.audit import audit_record

TEAM_PERMISSIONS = ("view_patient_data", "monitor_patient")
DOCTOR_PERMISSIONS = ("view_patient_data", "change_thresholds")
GRANTABLE_PERMISSIONS = ("view_patient_data", "monitor_patient", "change_thresholds")


class CareError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _refuse_self_access(
    *, by: User | None, user: User | None = None, team: Team | None = None
) -> None:
    """Nobody gives herself access to a patient's data by hand: not to herself, and not
    through a team she is on. Another admin must do it, so there are always two people."""
    if by is None:
        return
    if user is not None and user.pk == by.pk:
        raise CareError(
            "self_grant", "You cannot give yourself access to a patient; another admin must."
        )
    if team is not None and team.group.user_set.filter(pk=by.pk).exists():
        raise CareError(
            "own_team",
            "You are on this team, so you cannot make it responsible; another admin must.",
        )


def _care_access_end(
    *, patient: Patient, kind: str, by: User | None, now: datetime, **who: object
) -> None:
    CareAccess.objects.filter(patient=patient, kind=kind, ended_at__isnull=True, **who).update(
        ended_at=now, ended_by=by
    )


def _permissions(codenames: Iterable[str]) -> dict[str, Permission]:
    return {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="patients", codename__in=set(codenames)
        )
    }


def care_permissions_grant(*, patients: Sequence[Patient]) -> None:
    """Grant each patient's current team and treating doctor their permissions (set-based:
    two inserts however many patients; existing grants are kept)."""
    perms = _permissions(set(TEAM_PERMISSIONS) | set(DOCTOR_PERMISSIONS))
    group_rows = [
        PatientGroupObjectPermission(
            permission=perms[codename],
            group_id=patient.monitoring_team.group_id,
            content_object=patient,
        )
        for patient in patients
        if patient.monitoring_team is not None
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


@transaction.atomic
def patient_assign_care(
    *,
    patient: Patient,
    monitoring_team: Team | None,
    treating_doctor: User | None,
    treating_organisation: Organisation | None = None,
    by: User | None = None,
    reason: str = "",
) -> Patient:
    """Set the monitoring team and the treating doctor, withdrawing the permissions of the ones
    who no longer hold the responsibility and granting the new ones theirs.

    Each change is kept as a CareAccess row (who, since when, by whom, why). ``by`` is the
    person changing it by hand (an admin), who may not make herself or her own team responsible.

    Only the permissions the relationship gave are withdrawn: a grant an admin made to the same
    person by hand (``patient_access_grant``) for another reason is not touched unless it is
    one of those codenames.
    """
    if treating_doctor is not None:
        profile = getattr(treating_doctor, "clinician", None)
        if profile is None or profile.role != "doctor":
            raise CareError("not_a_doctor", "The treating doctor must be a doctor.")
        treating_organisation = treating_organisation or profile.organisation
    if monitoring_team is not None and monitoring_team.organisation.kind != "municipality":
        raise CareError("not_municipal", "The monitoring team must belong to a municipality.")

    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    old_team_id = patient.monitoring_team_id
    old_doctor_id = patient.treating_doctor_id
    new_team_id = monitoring_team.pk if monitoring_team else None
    new_doctor_id = treating_doctor.pk if treating_doctor else None
    if new_team_id != old_team_id:
        _refuse_self_access(by=by, team=monitoring_team)
    if new_doctor_id != old_doctor_id:
        _refuse_self_access(by=by, user=treating_doctor)
    now = timezone.now()
    reason = reason.strip()
    if new_team_id != old_team_id:
        _care_access_end(patient=patient, kind=CareAccess.Kind.MONITORING_TEAM, by=by, now=now)
        if monitoring_team is not None:
            CareAccess.objects.create(
                patient=patient,
                kind=CareAccess.Kind.MONITORING_TEAM,
                team=monitoring_team,
                permissions=",".join(TEAM_PERMISSIONS),
                reason=reason,
                granted_by=by,
                granted_at=now,
            )
    if new_doctor_id != old_doctor_id:
        _care_access_end(patient=patient, kind=CareAccess.Kind.TREATING_DOCTOR, by=by, now=now)
        if treating_doctor is not None:
            CareAccess.objects.create(
                patient=patient,
                kind=CareAccess.Kind.TREATING_DOCTOR,
                user=treating_doctor,
                permissions=",".join(DOCTOR_PERMISSIONS),
                reason=reason,
                granted_by=by,
                granted_at=now,
            )

    if old_team_id and old_team_id != new_team_id:
        old_group_id = Team.objects.filter(pk=old_team_id).values_list("group_id", flat=True)[0]
        PatientGroupObjectPermission.objects.filter(
            content_object=patient,
            group_id=old_group_id,
            permission__codename__in=TEAM_PERMISSIONS,
        ).delete()
    if old_doctor_id and old_doctor_id != new_doctor_id:
        PatientUserObjectPermission.objects.filter(
            content_object=patient,
            user_id=old_doctor_id,
            permission__codename__in=DOCTOR_PERMISSIONS,
        ).delete()

    patient.monitoring_team = monitoring_team
    patient.treating_doctor = treating_doctor
    if treating_doctor is not None or treating_organisation is not None:
        patient.treating_organisation = treating_organisation
    patient.save(update_fields=["monitoring_team", "treating_doctor", "treating_organisation"])
    care_permissions_grant(patients=[patient])
    if by is not None:
        audit_record(
            request=None,
            user=by,
            action="update",
            what="Care relationship changed (monitoring team / treating doctor)",
            patient_id=patient.pk,
            object_type="patient",
            object_id=patient.pk,
        )
    return patient


@transaction.atomic
def patient_care_end(
    *,
    patient: Patient,
    state: str,
    by: User | None = None,
    keep_view: bool = False,
) -> Patient:
    """Discharge (or record the death of) a patient: the care relationships end and the object
    permissions on the patient are withdrawn — all of them, or with ``keep_view`` (the
    organisation's policy) all but reading the record."""
    if state not in (PatientState.DISCHARGED, PatientState.DECEASED):
        raise CareError("bad_state", "Care ends with discharge or death.")
    ending = Q(content_object=patient)
    if keep_view:
        ending &= ~Q(permission__codename="view_patient_data")
    PatientGroupObjectPermission.objects.filter(ending).delete()
    PatientUserObjectPermission.objects.filter(ending).delete()
    if not keep_view:
        CareAccess.objects.filter(patient=patient, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_by=by
        )
    Patient.objects.filter(pk=patient.pk).update(state=state)
    patient.refresh_from_db()
    if by is not None:
        audit_record(
            request=None,
            user=by,
            action="update",
            what=f"Care ended: {state}",
            patient_id=patient.pk,
            object_type="patient",
            object_id=patient.pk,
        )
    return patient


@transaction.atomic
def patient_access_grant(
    *, patient: Patient, user: User, codenames: Sequence[str], by: User, reason: str
) -> CareAccess:
    """Give one clinician access to one patient outside the team/doctor relationship (e.g. a
    covering doctor), for a stated reason. Kept as a CareAccess row (a new grant to the same
    clinician replaces the open one) and recorded in the audit log."""
    if not hasattr(user, "clinician"):
        raise CareError("not_a_clinician", "Only clinicians can be given access to a patient.")
    unknown = set(codenames) - set(GRANTABLE_PERMISSIONS)
    if unknown or not codenames:
        raise CareError("bad_permission", "Unknown permission.")
    reason = reason.strip()
    if not reason:
        raise CareError("no_reason", "Say why this clinician needs access.")
    _refuse_self_access(by=by, user=user)
    perms = _permissions(set(codenames) | {"view_patient_data"})
    now = timezone.now()
    _care_access_end(patient=patient, kind=CareAccess.Kind.INDIVIDUAL, by=by, now=now, user=user)
    access = CareAccess.objects.create(
        patient=patient,
        kind=CareAccess.Kind.INDIVIDUAL,
        user=user,
        permissions=",".join(sorted(perms)),
        reason=reason,
        granted_by=by,
        granted_at=now,
    )
    PatientUserObjectPermission.objects.bulk_create(
        [
            PatientUserObjectPermission(permission=p, user=user, content_object=patient)
            for p in perms.values()
        ],
        ignore_conflicts=True,
    )
    audit_record(
        request=None,
        user=by,
        action="update",
        what=f"Access granted to {user.get_full_name() or user.get_username()}",
        patient_id=patient.pk,
        object_type="user",
        object_id=user.pk,
    )
    return access


@transaction.atomic
def patient_access_withdraw(*, patient: Patient, user: User, by: User) -> int:
    """Withdraw every permission one clinician holds directly on one patient. The treating
    doctor's relationship is changed with ``patient_assign_care`` instead."""
    if patient.treating_doctor_id == user.pk:
        raise CareError(
            "treating_doctor",
            "This is the treating doctor; change the treating doctor instead.",
        )
    deleted, _ = PatientUserObjectPermission.objects.filter(
        content_object=patient, user=user
    ).delete()
    _care_access_end(
        patient=patient, kind=CareAccess.Kind.INDIVIDUAL, by=by, now=timezone.now(), user=user
    )
    audit_record(
        request=None,
        user=by,
        action="update",
        what=f"Access withdrawn from {user.get_full_name() or user.get_username()}",
        patient_id=patient.pk,
        object_type="user",
        object_id=user.pk,
    )
    return deleted


@transaction.atomic
def patient_resume_ended_pauses(*, now: datetime | None = None) -> int:
    """Set paused patients back to active when no pause covers ``now``. Returns how many."""
    now = now or timezone.now()
    ended = (
        Patient.objects.filter(state=PatientState.PAUSED)
        .exclude(pauses__starts_at__lte=now, pauses__ends_at__gt=now)
        .select_for_update(skip_locked=True)
    )
    return Patient.objects.filter(pk__in=list(ended.values_list("pk", flat=True))).update(
        state=PatientState.ACTIVE
    )


# Pausing monitoring from the patient page ------------------------------------------------------


class PauseError(ValueError):
    """A pause that cannot be made; ``code`` names the rule for a translated message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@transaction.atomic
def patient_pause(
    *,
    patient: Patient,
    user: User,
    reason: str,
    ends_at: datetime,
    now: datetime | None = None,
) -> PatientPause:
    """Pause monitoring from now until ``ends_at`` (no missing-data alarms in between).

    The patient is set to paused; ``patient_resume_ended_pauses`` (a beat job) sets them back to
    active once no pause covers the moment. Only active or paused patients can be paused.
    """
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise PauseError("no_reason", "A pause needs a reason.")
    if ends_at <= now:
        raise PauseError("ends_in_past", "The pause must end in the future.")
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.state not in (PatientState.ACTIVE, PatientState.PAUSED):
        raise PauseError("not_monitored", "Only a monitored patient can be paused.")
    pause = PatientPause.objects.create(
        patient=locked, starts_at=now, ends_at=ends_at, reason=reason, created_by=user
    )
    Patient.objects.filter(pk=patient.pk).update(state=PatientState.PAUSED)
    patient.state = PatientState.PAUSED
    return pause


@transaction.atomic
def patient_pause_end(*, patient: Patient, user: User, now: datetime | None = None) -> int:
    """End the pauses covering now (they end now, history kept) and resume monitoring.

    Pauses that have not started yet are left alone. Returns how many pauses were ended.
    """
    now = now or timezone.now()
    Patient.objects.select_for_update().filter(pk=patient.pk).values("pk").first()
    ended = PatientPause.objects.filter(patient=patient, starts_at__lt=now, ends_at__gt=now).update(
        ends_at=now
    )
    if patient.state == PatientState.PAUSED or ended:
        Patient.objects.filter(pk=patient.pk, state=PatientState.PAUSED).update(
            state=PatientState.ACTIVE
        )
        patient.state = PatientState.ACTIVE
    return ended
