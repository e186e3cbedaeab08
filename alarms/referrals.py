"""Referrals (henvisninger): a doctor refers a citizen with COPD to municipal telemonitoring with
the alarm thresholds for the patient; the municipality accepts or rejects.

Accepting creates (or re-activates) the patient, makes the referral's thresholds the patient's
threshold set, hands monitoring to a team and treatment to the referring doctor (which grants
their object permissions), schedules the questionnaires and can create the citizen's login.
Lives in alarms because of the threshold sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alarms.models import ThresholdSet
from alarms.threshold_templates import (
    LimitRow,
    RuleRow,
    ThresholdError,
    limits_problems,
    next_patient_version,
    rows_copy,
    rows_store,
    rules_problems,
    template_current,
)
from monitoring.models import Questionnaire, Schedule, ScheduleTemplate
from monitoring.schedule_templates import published_questionnaires
from patients import cpr as cpr_rules
from patients.models import (
    CopdGroup,
    Organisation,
    Patient,
    PatientState,
    Referral,
    Team,
)
from patients.services import patient_assign_care
from telemed.audit import audit_record
from telemed.login import first_login_password_issue


class ReferralError(ValueError):
    """A referral action that cannot be done; ``problems`` are sentences for the user."""

    def __init__(self, code: str, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.code = code
        self.problems = list(problems)


@dataclass
class Acceptance:
    patient: Patient
    threshold_set: ThresholdSet
    username: str = ""
    password: str = ""  # shown once to the nurse, never stored in clear


def cpr_message(code: str) -> str:
    """The reader's-language sentence for a patients.cpr.InvalidCpr code."""
    return {
        "date": _("The first six digits of a CPR number must be a real date (DDMMYY)."),
        "future": _("The birth date in the CPR number is in the future."),
    }.get(code, _("A CPR number has 10 digits (DDMMYY-XXXX)."))


def _role(user: User) -> str:
    profile = getattr(user, "clinician", None)
    return profile.role if profile is not None else ""


@transaction.atomic
def referral_create(
    *,
    doctor: User,
    cpr: str,
    first_name: str,
    last_name: str,
    copd_group: str,
    receiving_organisation: Organisation,
    limits: Sequence[LimitRow],
    rules: Sequence[RuleRow] = (),
    diagnosis_code: str = "DJ449",
    note: str = "",
) -> Referral:
    """Send a referral with its thresholds (a ThresholdSet kind=referral, based on the
    municipality's current template for the group)."""
    problems = []
    if _role(doctor) != "doctor":
        raise ReferralError("not_a_doctor", [_("Only doctors can refer patients.")])
    try:
        cpr = cpr_rules.validate(cpr, today=timezone.localdate())
    except cpr_rules.InvalidCpr as exc:
        problems.append(cpr_message(exc.code))
    if not first_name.strip() or not last_name.strip():
        problems.append(_("Enter the patient's first and last name."))
    if copd_group not in CopdGroup.values:
        problems.append(_("Choose a COPD group."))
    if receiving_organisation.kind != Organisation.Kind.MUNICIPALITY:
        problems.append(_("A referral goes to a municipality."))
    problems += limits_problems(limits) + rules_problems(rules)
    if (
        not problems
        and Referral.objects.filter(
            cpr=cpr, receiving_organisation=receiving_organisation, status=Referral.Status.SENT
        ).exists()
    ):
        problems.append(_("This municipality already has an open referral for this CPR number."))
    if problems:
        raise ReferralError("invalid", problems)

    referral = Referral.objects.create(
        cpr=cpr,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        patient=Patient.objects.filter(cpr=cpr).first(),
        copd_group=copd_group,
        diagnosis_code=diagnosis_code.strip().upper() or "DJ449",
        note=note.strip(),
        referring_doctor=doctor,
        referring_organisation=doctor.clinician.organisation,
        receiving_organisation=receiving_organisation,
    )
    threshold_set = ThresholdSet.objects.create(
        kind=ThresholdSet.Kind.REFERRAL,
        referral=referral,
        copd_group=copd_group,
        based_on=template_current(organisation=receiving_organisation, copd_group=copd_group),
        valid_from=referral.created_at,
        created_by=doctor,
        reason=_("Thresholds set in the referral"),
    )
    rows_store(threshold_set, limits, rules)
    if referral.patient_id:
        audit_record(
            request=None,
            user=doctor,
            action="create",
            what="Referral sent",
            patient_id=referral.patient_id,
            object_type="referral",
            object_id=referral.pk,
        )
    return referral


def _check_decider(referral: Referral, by: User) -> None:
    profile = getattr(by, "clinician", None)
    if (
        profile is None
        or profile.role not in ("nurse", "admin")
        or profile.organisation_id != referral.receiving_organisation_id
    ):
        raise ReferralError("not_receiver", [_("Only the receiving municipality can decide.")])


def _lock_open(referral: Referral) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Referral.Status.SENT:
        raise ReferralError(
            "decided",
            [
                _("This referral has already been decided (%(status)s).")
                % {"status": referral.get_status_display()}
            ],
        )
    return referral


@transaction.atomic
def referral_accept(
    *,
    referral: Referral,
    by: User,
    team: Team,
    questionnaires: Sequence[Questionnaire] = (),
    weekdays: Sequence[int] = (1, 2, 3, 4, 5, 6, 7),
    at: time = time(9, 0),
    schedule_templates: Sequence[ScheduleTemplate] = (),
    create_login: bool = False,
    username: str = "",
) -> Acceptance:
    """Accept: the patient becomes active with the referral's thresholds, the team monitors,
    the referring doctor treats; schedules and the citizen login are created as asked.

    Schedules come from the chosen ``schedule_templates`` (each with its days, times and grace
    window, for the version of its questionnaire published now) and from the hand-picked
    ``questionnaires`` on ``weekdays`` at ``at``; one questionnaire may come from only one of
    them."""
    _check_decider(referral, by)
    referral = _lock_open(referral)
    problems = []
    if team.organisation_id != referral.receiving_organisation_id:
        problems.append(_("Choose one of your municipality's teams."))
    if questionnaires and (not weekdays or any(d not in range(1, 8) for d in weekdays)):
        problems.append(_("Choose at least one weekday for the questionnaires."))
    from_templates, template_problems = _template_schedules(
        referral, schedule_templates, questionnaires
    )
    problems += template_problems
    User = get_user_model()
    username = username.strip()
    existing = Patient.objects.filter(cpr=referral.cpr).select_related("citizen_user").first()
    wants_login = create_login and not (existing and existing.citizen_user_id)
    if wants_login:
        if not username:
            problems.append(_("Enter a username for the citizen's login."))
        elif User.objects.filter(username__iexact=username).exists():
            problems.append(_("The username “%(name)s” is taken.") % {"name": username})
    if problems:
        raise ReferralError("invalid", problems)

    now = timezone.now()
    if existing is None:
        patient = Patient.objects.create(
            cpr=referral.cpr,
            first_name=referral.first_name,
            last_name=referral.last_name,
            copd_group=referral.copd_group,
            state=PatientState.ACTIVE,
            monitoring_started_on=timezone.localdate(),
        )
    else:
        patient = existing
        patient.copd_group = referral.copd_group
        patient.state = PatientState.ACTIVE
        patient.monitoring_started_on = patient.monitoring_started_on or timezone.localdate()
        patient.save(update_fields=["copd_group", "state", "monitoring_started_on"])
    patient = patient_assign_care(
        patient=patient,
        monitoring_team=team,
        treating_doctor=referral.referring_doctor,
        treating_organisation=referral.referring_organisation,
    )

    source = referral.threshold_set
    threshold_set = ThresholdSet.objects.create(
        kind=ThresholdSet.Kind.PATIENT,
        patient=patient,
        copd_group=referral.copd_group,
        version=next_patient_version(patient.pk),
        based_on=source,
        valid_from=now,
        created_by=referral.referring_doctor,
        reason=_("From the referral of %(date)s")
        % {"date": timezone.localtime(referral.created_at).strftime("%d.%m.%Y")},
    )
    rows_copy(source=source, target=threshold_set)

    # A patient monitored already keeps the schedules in force (the team changes them on the
    # patient page); one referred again after monitoring ended gets new ones.
    scheduled = set(
        Schedule.objects.filter(patient=patient)
        .current()
        .values_list("questionnaire_id", flat=True)
    )
    Schedule.objects.bulk_create(
        [
            Schedule(
                patient=patient,
                questionnaire=questionnaire,
                kind=Schedule.Kind.WEEKDAYS,
                weekdays=sorted(set(weekdays)),
                times=[at],
                starts_on=timezone.localdate(),
            )
            for questionnaire in questionnaires
            if questionnaire.pk not in scheduled
        ]
        + [
            Schedule(
                patient=patient,
                questionnaire=questionnaire,
                kind=Schedule.Kind.WEEKDAYS,
                weekdays=sorted(set(template.weekdays)),
                times=sorted(set(template.times)),
                grace_minutes=template.grace_minutes,
                starts_on=timezone.localdate(),
            )
            for template, questionnaire in from_templates
            if questionnaire.pk not in scheduled
        ]
    )

    acceptance = Acceptance(patient=patient, threshold_set=threshold_set)
    if wants_login:
        user = User.objects.create_user(
            username=username, first_name=patient.first_name, last_name=patient.last_name
        )
        # A first-login password: easy to read out, and the citizen must choose their own.
        password = first_login_password_issue(user=user, issued_by=by, now=now)
        patient.citizen_user = user
        patient.save(update_fields=["citizen_user"])
        acceptance.username, acceptance.password = username, password

    referral.status = Referral.Status.ACCEPTED
    referral.patient = patient
    referral.decided_at = now
    referral.decided_by = by
    referral.save(update_fields=["status", "patient", "decided_at", "decided_by"])
    audit_record(
        request=None,
        user=by,
        action="create",
        what="Referral accepted: monitoring started",
        patient_id=patient.pk,
        object_type="referral",
        object_id=referral.pk,
    )
    return acceptance


def _template_schedules(
    referral: Referral,
    templates: Sequence[ScheduleTemplate],
    questionnaires: Sequence[Questionnaire],
) -> tuple[list[tuple[ScheduleTemplate, Questionnaire]], list[str]]:
    """Each chosen template with its questionnaire's published version, and what is wrong."""
    if not templates:
        return [], []
    problems = []
    published = published_questionnaires()
    by_hand = {q.code for q in questionnaires}
    found: list[tuple[ScheduleTemplate, Questionnaire]] = []
    for template in templates:
        if template.organisation_id != referral.receiving_organisation_id or not template.active:
            problems.append(
                _("The schedule template “%(name)s” is not offered by your municipality.")
                % {"name": template.name}
            )
            continue
        questionnaire = published.get(template.questionnaire_code)
        if questionnaire is None:
            problems.append(
                _("The questionnaire of the schedule template “%(name)s” is not published.")
                % {"name": template.name}
            )
        elif questionnaire.code in by_hand:
            problems.append(
                _(
                    "“%(questionnaire)s” is both in the schedule template “%(name)s” and chosen "
                    "by hand: choose one of them."
                )
                % {"questionnaire": questionnaire.title, "name": template.name}
            )
        elif any(q.pk == questionnaire.pk for _t, q in found):
            problems.append(
                _("Two schedule templates ask for “%(questionnaire)s”: choose one of them.")
                % {"questionnaire": questionnaire.title}
            )
        else:
            found.append((template, questionnaire))
    return found, problems


@transaction.atomic
def referral_reject(*, referral: Referral, by: User, reason: str) -> Referral:
    """Reject with a reason the referring doctor sees."""
    _check_decider(referral, by)
    if not reason.strip():
        raise ReferralError("no_reason", [_("Give the doctor a reason for the rejection.")])
    referral = _lock_open(referral)
    referral.status = Referral.Status.REJECTED
    referral.rejection_reason = reason.strip()
    referral.decided_at = timezone.now()
    referral.decided_by = by
    referral.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
    return referral


__all__ = [
    "Acceptance",
    "ReferralError",
    "ThresholdError",
    "referral_accept",
    "referral_create",
    "referral_reject",
]
