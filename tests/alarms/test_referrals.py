"""Referral state changes: sent -> accepted (patient, thresholds, care, schedules, login) or
rejected with a reason; nothing is decided twice."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate

from alarms.models import ThresholdSet
from alarms.referrals import ReferralError, referral_accept, referral_create, referral_reject
from alarms.threshold_templates import LimitRow, RuleRow, rows_of, template_save
from monitoring.models import Schedule
from patients.access import patients_visible_to
from patients.models import PatientState, Referral
from tests.factories import PatientFactory, measurement_type, questionnaire

pytestmark = pytest.mark.django_db

D = Decimal
NEW_CPR = "0707521234"


@pytest.fixture
def template(org_municipality, org_admin):
    return template_save(
        organisation=org_municipality,
        copd_group="severe",
        limits=[LimitRow(measurement_type("spo2"), D("85"), D("88"))],
        rules=[RuleRow(measurement_type("weight"), "rise", D("2"), 3, "lowest", "red")],
        by=org_admin,
        reason="Standard",
    )


def _refer(doctor, org, **kwargs):
    values = {
        "doctor": doctor,
        "cpr": "070752-1234",
        "first_name": "Grethe",
        "last_name": "Hansen",
        "copd_group": "severe",
        "receiving_organisation": org,
        "limits": [LimitRow(measurement_type("spo2"), D("86"), D("90"))],
        "rules": [RuleRow(measurement_type("weight"), "rise", D("2"), 3, "lowest", "red")],
        "note": "Hyppige exacerbationer.",
    }
    values.update(kwargs)
    return referral_create(**values)


def test_doctor_sends_a_referral_with_adjusted_thresholds(doctor, org_municipality, template):
    referral = _refer(doctor, org_municipality)
    assert referral.status == Referral.Status.SENT
    assert referral.cpr == NEW_CPR and referral.patient is None
    assert referral.referring_organisation == doctor.clinician.organisation
    assert referral.threshold_set.based_on == template
    limits, rules = rows_of(referral.threshold_set)
    assert [(r.red_low, r.yellow_low) for r in limits] == [(D("86"), D("90"))]
    assert len(rules) == 1


def test_bad_referral_says_what_is_wrong_and_stores_nothing(doctor, org_municipality, nurse):
    with pytest.raises(ReferralError) as error:
        _refer(
            doctor,
            org_municipality,
            cpr="3213521234",
            first_name="",
            limits=[LimitRow(measurement_type("spo2"), D("92"), D("90"))],
        )
    assert len(error.value.problems) == 3
    assert not Referral.objects.exists()
    with pytest.raises(ReferralError):
        _refer(nurse, org_municipality)
    with pytest.raises(ReferralError):
        _refer(doctor, doctor.clinician.organisation)  # not a municipality


def test_second_open_referral_for_the_same_cpr_is_refused(doctor, org_municipality):
    _refer(doctor, org_municipality)
    with pytest.raises(ReferralError):
        _refer(doctor, org_municipality)
    assert Referral.objects.count() == 1


def test_accepting_creates_the_patient_with_the_referral_thresholds(
    doctor, nurse, team, org_municipality
):
    referral = _refer(doctor, org_municipality)
    acceptance = referral_accept(
        referral=referral,
        by=nurse,
        team=team,
        questionnaires=[questionnaire("kol")],
        weekdays=[1, 3, 5],
        at=time(8, 30),
        create_login=True,
        username="grethe.hansen",
    )
    patient = acceptance.patient
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.patient == patient
    assert referral.decided_by == nurse and referral.decided_at is not None
    assert patient.state == PatientState.ACTIVE and patient.copd_group == "severe"
    assert (patient.monitoring_team, patient.treating_doctor) == (team, doctor)
    own = ThresholdSet.objects.get(kind="patient", patient=patient)
    assert own.based_on == referral.threshold_set and own.created_by == doctor
    limits, rules = rows_of(own)
    assert [(r.type.key, r.red_low, r.yellow_low) for r in limits] == [("spo2", D("86"), D("90"))]
    assert [(r.type.key, r.amount) for r in rules] == [("weight", D("2"))]
    schedule = Schedule.objects.get(patient=patient)
    assert schedule.weekdays == [1, 3, 5] and schedule.times == [time(8, 30)]
    # Access follows the care relationship.
    assert patient in patients_visible_to(nurse)
    assert patient in patients_visible_to(doctor)
    # The citizen can log in with the password shown once.
    assert (
        authenticate(username="grethe.hansen", password=acceptance.password) == patient.citizen_user
    )


def test_accepting_an_existing_patient_adds_a_new_version(doctor, nurse, team, org_municipality):
    patient = PatientFactory(cpr=NEW_CPR, state=PatientState.DISCHARGED, monitoring_team=None)
    ThresholdSet.objects.create(kind="patient", patient=patient, version=1)
    referral = _refer(doctor, org_municipality)
    assert referral.patient == patient
    acceptance = referral_accept(referral=referral, by=nurse, team=team)
    assert acceptance.patient.pk == patient.pk
    assert acceptance.threshold_set.version == 2
    patient.refresh_from_db()
    assert patient.state == PatientState.ACTIVE


def test_decided_once_and_only_by_the_receiving_municipality(
    doctor, nurse, team, outsider, org_municipality
):
    referral = _refer(doctor, org_municipality)
    with pytest.raises(ReferralError):
        referral_accept(referral=referral, by=outsider, team=team)
    with pytest.raises(ReferralError):
        referral_accept(referral=referral, by=doctor, team=team)
    referral_reject(referral=referral, by=nurse, reason="Borger ønsker ikke monitorering.")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REJECTED
    assert referral.rejection_reason == "Borger ønsker ikke monitorering."
    with pytest.raises(ReferralError):
        referral_accept(referral=referral, by=nurse, team=team)
    assert not ThresholdSet.objects.filter(kind="patient").exists()


def test_rejecting_needs_a_reason(doctor, nurse, org_municipality):
    referral = _refer(doctor, org_municipality)
    with pytest.raises(ReferralError):
        referral_reject(referral=referral, by=nurse, reason="  ")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_taken_username_is_refused_and_nothing_is_accepted(doctor, nurse, team, org_municipality):
    referral = _refer(doctor, org_municipality)
    with pytest.raises(ReferralError):
        referral_accept(referral=referral, by=nurse, team=team, create_login=True, username="nurse")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
