"""factory_boy factories for every model (test-only: factory-boy is a dev dependency).

Users get the password ``PASSWORD`` hashed once per process (hashing is deliberately slow), so
``client.login(username=user.username, password=PASSWORD)`` works for every factory user.
Clinician factories build the ClinicianProfile (the ``user`` attribute gives the login):

    nurse = NurseFactory(organisation=org, teams=[team]).user
"""

from __future__ import annotations

import functools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from alarms import services
from alarms.models import RelativeRule, Threshold, ThresholdSet, TriageResult
from demo.people import make_cpr
from monitoring.models import (
    Answer,
    ItemOption,
    Measurement,
    MeasurementType,
    Questionnaire,
    QuestionnaireItem,
    Schedule,
    Source,
    Submission,
)
from monitoring.severity import Severity
from patients.models import (
    ClinicianProfile,
    CopdGroup,
    Organisation,
    Patient,
    PatientPause,
    PatientState,
    Referral,
    Team,
)

PASSWORD = "demo-password-1"

__all__ = [
    "PASSWORD",
    "AnswerFactory",
    "ClinicianProfileFactory",
    "DoctorFactory",
    "GroupFactory",
    "ItemOptionFactory",
    "MeasurementFactory",
    "NurseFactory",
    "OrgAdminFactory",
    "OrganisationFactory",
    "PatientFactory",
    "PatientPauseFactory",
    "QuestionnaireFactory",
    "QuestionnaireItemFactory",
    "ReferralFactory",
    "RelativeRuleFactory",
    "ScheduleFactory",
    "SubmissionFactory",
    "TeamFactory",
    "ThresholdFactory",
    "ThresholdSetFactory",
    "TriageResultFactory",
    "UserFactory",
    "hashed_password",
    "measurement_type",
    "questionnaire",
]


@functools.cache
def hashed_password(raw: str) -> str:
    return make_password(raw)


def measurement_type(key: str) -> MeasurementType:
    """A seeded measurement type by key (spo2, pulse, weight, temperature, crp, cat_score …)."""
    return MeasurementType.objects.get(key=key)


def questionnaire(code: str) -> Questionnaire:
    """The published seeded questionnaire: "kol" (daily) or "cat"."""
    return Questionnaire.objects.get(code=code, status=Questionnaire.Status.PUBLISHED)


def _cpr(n: int) -> str:
    # Distinct valid CPR numbers of people born 1940-1969, one per sequence number.
    born = timezone.datetime(1940, 1, 1).date() + timedelta(days=(n * 37) % 10950)
    return make_cpr(born, n % 1000, female=n % 2 == 0)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Kommune {n}")
    kind = Organisation.Kind.MUNICIPALITY
    sor_code = factory.Sequence(lambda n: f"9{n:014d}")


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"team-{n}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"KOL-team {n}")
    group = factory.SubFactory(GroupFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(lambda: hashed_password(PASSWORD))


class ClinicianProfileFactory(DjangoModelFactory):
    """A clinician: ``teams=[team, ...]`` adds the user to the teams' groups."""

    class Meta:
        model = ClinicianProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = ClinicianProfile.Role.NURSE
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.LazyAttribute(lambda p: str(ClinicianProfile.Role(p.role).label))

    @factory.post_generation
    def teams(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.user.groups.add(*(team.group for team in extracted))


class NurseFactory(ClinicianProfileFactory):
    role = ClinicianProfile.Role.NURSE
    title = "Sygeplejerske"


class DoctorFactory(ClinicianProfileFactory):
    role = ClinicianProfile.Role.DOCTOR
    title = "Praktiserende læge"
    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=Organisation.Kind.GP_CLINIC,
        name=factory.Sequence(lambda n: f"Lægehuset {n}"),
    )
    authorisation_id = factory.Sequence(lambda n: f"{n:05d}")


class OrgAdminFactory(ClinicianProfileFactory):
    role = ClinicianProfile.Role.ADMIN
    title = "Administrator"


class PatientFactory(DjangoModelFactory):
    """An active patient. ``PatientFactory(with_login=True)`` also creates the citizen user."""

    class Meta:
        model = Patient
        skip_postgeneration_save = True

    class Params:
        with_login = factory.Trait(
            citizen_user=factory.SubFactory(
                UserFactory,
                username=factory.Sequence(lambda n: f"citizen{n}"),
                first_name=factory.SelfAttribute("..first_name"),
                last_name=factory.SelfAttribute("..last_name"),
            )
        )

    cpr = factory.Sequence(_cpr)
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    phone = "+45 20 30 40 50"
    address = "Vestergade 1, 8000 Aarhus C"
    copd_group = CopdGroup.MODERATE
    state = PatientState.ACTIVE
    monitoring_team = factory.SubFactory(TeamFactory)
    treating_doctor = None
    treating_organisation = factory.LazyAttribute(
        lambda p: p.treating_doctor.clinician.organisation if p.treating_doctor else None
    )
    monitoring_started_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))

    @factory.post_generation
    def grant_access(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Grant the team and the treating doctor their object permissions (pass False to skip)."""
        if create and extracted is not False:
            from demo.access import grant_care_permissions

            grant_care_permissions([self])


class PatientPauseFactory(DjangoModelFactory):
    class Meta:
        model = PatientPause

    patient = factory.SubFactory(PatientFactory, state=PatientState.PAUSED)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda p: p.starts_at + timedelta(days=7))
    reason = "Indlagt"
    created_by = factory.LazyAttribute(lambda p: NurseFactory().user)


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = Referral

    cpr = factory.Sequence(lambda n: _cpr(n + 5000))
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    copd_group = CopdGroup.MODERATE
    diagnosis_code = "DJ449"
    referring_doctor = factory.LazyAttribute(lambda r: DoctorFactory().user)
    referring_organisation = factory.LazyAttribute(
        lambda r: r.referring_doctor.clinician.organisation
    )
    receiving_organisation = factory.SubFactory(OrganisationFactory)


class ThresholdSetFactory(DjangoModelFactory):
    """A patient's threshold set; ``ThresholdSetFactory(copd=True)`` adds typical COPD limits."""

    class Meta:
        model = ThresholdSet
        skip_postgeneration_save = True

    kind = ThresholdSet.Kind.PATIENT
    patient = factory.SubFactory(PatientFactory)
    version = 1
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=365))

    @factory.post_generation
    def copd(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not (create and extracted):
            return
        limits = {
            "spo2": ("85", "88", None, None),
            "pulse": ("40", "50", "110", "130"),
            "temperature": (None, None, "38", "39"),
        }
        for key, values in limits.items():
            red_low, yellow_low, yellow_high, red_high = (
                Decimal(v) if v is not None else None for v in values
            )
            Threshold.objects.create(
                threshold_set=self,
                type=measurement_type(key),
                red_low=red_low,
                yellow_low=yellow_low,
                yellow_high=yellow_high,
                red_high=red_high,
            )


class ThresholdFactory(DjangoModelFactory):
    class Meta:
        model = Threshold

    threshold_set = factory.SubFactory(ThresholdSetFactory)
    type = factory.LazyFunction(lambda: measurement_type("spo2"))
    red_low = Decimal("85")
    yellow_low = Decimal("88")
    yellow_high = None
    red_high = None


class RelativeRuleFactory(DjangoModelFactory):
    class Meta:
        model = RelativeRule

    threshold_set = factory.SubFactory(ThresholdSetFactory)
    type = factory.LazyFunction(lambda: measurement_type("weight"))
    direction = RelativeRule.Direction.RISE
    amount = Decimal("2")
    window_days = 3
    baseline = RelativeRule.Baseline.LOWEST
    severity = Severity.RED


class QuestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = Questionnaire

    code = factory.Sequence(lambda n: f"test-questionnaire-{n}")
    status = Questionnaire.Status.PUBLISHED
    title_da = factory.Sequence(lambda n: f"Spørgeskema {n}")
    title_en = factory.Sequence(lambda n: f"Questionnaire {n}")
    published_at = factory.LazyFunction(timezone.now)


class QuestionnaireItemFactory(DjangoModelFactory):
    class Meta:
        model = QuestionnaireItem

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    link_id = factory.Sequence(lambda n: f"item-{n}")
    position = factory.Sequence(lambda n: n + 1)
    kind = QuestionnaireItem.Kind.BOOLEAN
    text_da = "Er du mere forpustet end normalt?"
    text_en = "Are you more breathless than usual?"


class ItemOptionFactory(DjangoModelFactory):
    class Meta:
        model = ItemOption

    item = factory.SubFactory(QuestionnaireItemFactory)
    code = factory.Sequence(lambda n: f"option-{n}")
    position = factory.Sequence(lambda n: n + 1)
    text_da = "Ja"
    text_en = "Yes"
    severity = Severity.GREEN


class ScheduleFactory(DjangoModelFactory):
    """Daily at 09:00 local time."""

    class Meta:
        model = Schedule

    patient = factory.SubFactory(PatientFactory)
    questionnaire = factory.LazyFunction(lambda: questionnaire("kol"))
    kind = Schedule.Kind.WEEKDAYS
    weekdays = factory.LazyFunction(lambda: [1, 2, 3, 4, 5, 6, 7])
    times = factory.LazyFunction(lambda: [timezone.datetime(2000, 1, 1, 9, 0).time()])
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class SubmissionFactory(DjangoModelFactory):
    """A bare submission row; use alarms.services.submission_record to store one evaluated."""

    class Meta:
        model = Submission

    patient = factory.SubFactory(PatientFactory)
    questionnaire = factory.LazyFunction(lambda: questionnaire("kol"))
    submitted_at = factory.LazyFunction(timezone.now)
    source = Source.TYPED
    severity = Severity.GREEN


class AnswerFactory(DjangoModelFactory):
    class Meta:
        model = Answer

    submission = factory.SubFactory(SubmissionFactory)
    item = factory.LazyAttribute(lambda a: a.submission.questionnaire.items.first())
    severity = Severity.GREEN


class MeasurementFactory(DjangoModelFactory):
    """A bare measurement row; use alarms.services.measurements_record to store one evaluated."""

    class Meta:
        model = Measurement

    patient = factory.SubFactory(PatientFactory)
    type = factory.LazyFunction(lambda: measurement_type("spo2"))
    value = Decimal("95")
    unit = factory.LazyAttribute(lambda m: m.type.unit)
    measured_at = factory.LazyFunction(timezone.now)
    source = Source.DEVICE


class TriageResultFactory(DjangoModelFactory):
    """An open result for a measurement (pass ``severity`` and, if needed, ``reasons``)."""

    class Meta:
        model = TriageResult

    measurement = factory.SubFactory(MeasurementFactory)
    patient = factory.SelfAttribute("measurement.patient")
    kind = TriageResult.Kind.MEASUREMENT
    severity = Severity.GREEN
    reasons = factory.LazyFunction(list)


# Evaluated readings ---------------------------------------------------------------------


def monitored_patient(team: Any, **kwargs: Any) -> Patient:
    """A patient of ``team`` with the COPD thresholds, so readings are judged as in real use."""
    patient = PatientFactory(monitoring_team=team, **kwargs)
    ThresholdSetFactory(patient=patient, copd=True)
    return patient


def record_reading(
    patient: Patient, key: str, value: str, ago: timedelta = timedelta(0), **kwargs: Any
) -> Any:
    """One device reading ``ago`` in the past, stored and evaluated through the service."""
    at = timezone.now() - ago
    return services.measurements_record(
        patient=patient,
        readings=[services.Reading(measurement_type(key), Decimal(value), at)],
        source=kwargs.pop("source", Source.DEVICE),
        received_at=at,
        **kwargs,
    )
