"""Object permissions for the people responsible for a patient (kept for the demo seed and the
factories; the rule lives in ``patients.services``)."""

from __future__ import annotations

from collections.abc import Sequence

from patients.models import Patient
from patients.services import DOCTOR_PERMISSIONS, TEAM_PERMISSIONS, care_permissions_grant

__all__ = ["DOCTOR_PERMISSIONS", "TEAM_PERMISSIONS", "grant_care_permissions"]


def grant_care_permissions(patients: Sequence[Patient]) -> None:
    care_permissions_grant(patients=patients)
