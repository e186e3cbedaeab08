"""The citizen's own record: the one patient a citizen login may see, with the audit event.

The clinicians' counterpart is patients.access.get_patient_for_user; a citizen never reaches
another patient, so there is no pk to check, only "is this a citizen login at all".
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from patients.models import Patient
from telemed.audit import audit_record


def get_own_patient(request: HttpRequest, *, what: str, action: str = "view") -> Patient:
    """The signed-in citizen's Patient (404 for anyone else); records one audit event."""
    patient = getattr(request.user, "patient", None)
    if patient is None:
        raise Http404
    audit_record(request=request, action=action, what=what, patient_id=patient.pk)
    return patient
