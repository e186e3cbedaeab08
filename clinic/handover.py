"""The shift handover: what the next shift of each of the nurse's teams must pick up.

Read in a fixed number of queries (one per section, for all her teams at once) and grouped per
team in Python, so the page costs the same for 10 patients as for 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from alarms import reasons
from alarms.models import Escalation, PatientNote
from alarms.selectors import TRIAGE_STATES, user_teams
from alarms.summary import open_q
from clinic.presenters import ClaimShown, claims_shown
from monitoring.models import Message
from monitoring.severity import Severity
from patients.models import Patient, PatientPause, PatientState, Team

# Patients who sent nothing for this long are listed (a few days: a new routine, a broken
# device, or a citizen who is unwell).
MISSING_DAYS = 3
# Pauses that end within this time (the next shift must expect data again).
PAUSE_HORIZON = timedelta(hours=48)


@dataclass
class OpenAlarm:
    patient: Patient
    level: str
    reasons: list[str]
    waiting_since: datetime | None
    claim: ClaimShown | None


@dataclass
class HandoverTeam:
    team: Team
    alarms: list[OpenAlarm] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    notes: list[PatientNote] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    pauses: list[PatientPause] = field(default_factory=list)
    silent: list[Patient] = field(default_factory=list)

    @property
    def patient_ids(self) -> set[int]:
        ids = {alarm.patient.pk for alarm in self.alarms}
        ids |= {escalation.patient_id for escalation in self.escalations}
        ids |= {note.patient_id for note in self.notes}
        ids |= {message.patient_id for message in self.messages}
        ids |= {pause.patient_id for pause in self.pauses}
        return ids | {patient.pk for patient in self.silent}

    @property
    def is_empty(self) -> bool:
        return not self.patient_ids


def handover(
    *, user: User, team_id: int | None = None, now: datetime | None = None
) -> list[HandoverTeam]:
    """One section per team of the nurse (or only ``team_id`` when it is one of them)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    teams = user_teams(user)
    if team_id is not None and any(team.pk == team_id for team in teams):
        teams = [team for team in teams if team.pk == team_id]
    pages = {team.pk: HandoverTeam(team) for team in teams}

    def page_of(patient: Patient) -> HandoverTeam:
        # Every query below is limited to patients of these teams.
        assert patient.monitoring_team_id is not None
        return pages[patient.monitoring_team_id]

    in_teams = Q(patient__monitoring_team__in=teams, patient__state__in=TRIAGE_STATES)

    alarmed = list(
        Patient.objects.filter(
            monitoring_team__in=teams,
            state__in=TRIAGE_STATES,
            triage__level__in=[Severity.RED, Severity.YELLOW],
        )
        .select_related("triage", "triage__worst_result")
        .order_by("-triage__level_rank", "triage__waiting_since", "last_name", "pk")
    )
    claims = claims_shown([patient.pk for patient in alarmed], user)
    for patient in alarmed:
        worst = patient.triage.worst_result
        page_of(patient).alarms.append(
            OpenAlarm(
                patient=patient,
                level=patient.triage.level,
                reasons=reasons.describe_all(worst.reasons) if worst else [],
                waiting_since=patient.triage.waiting_since,
                claim=claims.get(patient.pk),
            )
        )

    for escalation in (
        Escalation.objects.filter(in_teams, open_q("result__"))
        .select_related("patient", "result")
        .order_by("created_at")
    ):
        page_of(escalation.patient).escalations.append(escalation)

    for note in (
        PatientNote.objects.filter(in_teams, done_at__isnull=True)
        .filter(Q(importance=PatientNote.Importance.IMPORTANT) | Q(remind_on__lte=today))
        .select_related("patient", "author")
        .order_by("remind_on", "-created_at")
    ):
        page_of(note.patient).notes.append(note)

    answered = Message.objects.filter(
        patient=OuterRef("patient"), sender_is_citizen=False, created_at__gt=OuterRef("created_at")
    )
    for message in (
        Message.objects.filter(in_teams, sender_is_citizen=True)
        .exclude(Exists(answered))
        .select_related("patient")
        .order_by("patient_id", "-created_at")
        .distinct("patient_id")
    ):
        page_of(message.patient).messages.append(message)

    for pause in (
        PatientPause.objects.filter(
            in_teams, starts_at__lte=now, ends_at__gt=now, ends_at__lte=now + PAUSE_HORIZON
        )
        .select_related("patient")
        .order_by("ends_at")
    ):
        page_of(pause.patient).pauses.append(pause)

    cutoff = now - timedelta(days=MISSING_DAYS)
    for patient in (
        Patient.objects.filter(monitoring_team__in=teams, state=PatientState.ACTIVE)
        .filter(
            Q(triage__last_data_at__lt=cutoff)
            | Q(triage__last_data_at__isnull=True, created_at__lt=cutoff)
        )
        .select_related("triage")
        .order_by("triage__last_data_at", "last_name", "pk")
    ):
        page_of(patient).silent.append(patient)

    for page in pages.values():
        page.messages.sort(key=lambda message: message.created_at)
    return list(pages.values())


def shown_patient_ids(pages: list[HandoverTeam]) -> list[int]:
    """Every patient the handover shows (for the audit log)."""
    return sorted(set().union(*(page.patient_ids for page in pages)))
