"""Ending monitoring (afslutning): the patient leaves the triage list, nothing more is asked or
accepted, and every record stays.

One transaction, with the patient locked: open results are closed with the reason, claims
end, upload tokens are revoked, current schedules stop, pauses end, and the care permissions
end as the organisation's policy says (all of them, or all but reading). A later referral
starts monitoring anew on the same patient row, so the history stays in one place.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alarms.models import TriageResult
from alarms.services.claims import claims_end_when_handled
from alarms.services.triage import lock_patients, triage_refresh
from alarms.summary import OPEN
from interop.models import ApiCredential
from monitoring.schedule_versions import schedules_stop
from patients.models import (
    EndReason,
    MonitoringEnd,
    Organisation,
    Patient,
    PatientPause,
    PatientState,
)
from patients.services import patient_care_end

NOTE_MAX = 2000


class DischargeError(ValueError):
    """Monitoring that cannot be ended; ``field`` names the form field, ``message`` is
    translated for the nurse."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@transaction.atomic
def monitoring_end(
    *,
    patient: Patient,
    by: User,
    reason: str,
    note: str = "",
    now: datetime | None = None,
) -> MonitoringEnd:
    """End the patient's monitoring with ``reason`` (an EndReason) and an optional note."""
    now = now or timezone.now()
    note = note.strip()
    if reason not in EndReason.values:
        raise DischargeError("reason", _("Choose why monitoring ends."))
    if len(note) > NOTE_MAX:
        raise DischargeError("note", _("The note is too long."))
    lock_patients([patient.pk])
    patient = Patient.objects.select_related("monitoring_team__organisation").get(pk=patient.pk)
    if patient.state not in (PatientState.ACTIVE, PatientState.PAUSED):
        raise DischargeError(None, _("Monitoring of this patient has already ended."))

    label = str(EndReason(reason).label)
    closing = _("Monitoring ended: %(reason)s") % {"reason": label}
    closed = TriageResult.objects.filter(OPEN, patient_id=patient.pk).update(
        acknowledged_at=now,
        acknowledged_by=by,
        outcome=None,
        acknowledgement_note=f"{closing}. {note}" if note else closing,
    )
    triage_refresh(patient_ids=[patient.pk])
    claims_end_when_handled(patient_ids=[patient.pk], user=by, now=now)
    revoked = ApiCredential.objects.filter(patient=patient, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by
    )
    schedules_stop(patient=patient, now=now)
    PatientPause.objects.filter(patient=patient, starts_at__gte=now).delete()
    PatientPause.objects.filter(patient=patient, starts_at__lt=now, ends_at__gt=now).update(
        ends_at=now
    )
    team = patient.monitoring_team
    policy = team.organisation.discharge_access if team else Organisation.DischargeAccess.END
    patient_care_end(
        patient=patient,
        state=PatientState.DECEASED if reason == EndReason.DECEASED else PatientState.DISCHARGED,
        keep_view=policy == Organisation.DischargeAccess.KEEP_VIEW,
    )
    return MonitoringEnd.objects.create(
        patient=patient,
        team=team,
        reason=reason,
        note=note,
        ended_at=now,
        ended_by=by,
        results_closed=closed,
        tokens_revoked=revoked,
    )
