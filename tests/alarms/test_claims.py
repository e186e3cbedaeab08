""" "I'm on it": one claim in force per patient, ended by acknowledgement, release or time."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from alarms import services
from alarms.models import Claim, TriageResult
from alarms.outcomes import outcomes_for
from monitoring.models import MeasurementType, Source
from tests.factories import PatientFactory, monitored_patient, record_reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def red_patient(team):
    patient = monitored_patient(team)
    record_reading(patient, "spo2", "83")
    return patient


def in_force(patient):
    return list(services.claims_in_force([patient.pk]))


def test_claim_is_seen_with_who_and_when(red_patient, nurse):
    claim = services.claim_take(patient=red_patient, user=nurse)
    [shown] = in_force(red_patient)
    assert shown.pk == claim.pk and shown.claimed_by == nurse
    minutes = red_patient.monitoring_team.organisation.claim_minutes
    assert claim.expires_at - claim.claimed_at == timedelta(minutes=minutes)


def test_a_colleague_cannot_claim_too_but_can_take_over(red_patient, nurse, colleague):
    services.claim_take(patient=red_patient, user=nurse)
    with pytest.raises(services.ClaimError) as refused:
        services.claim_take(patient=red_patient, user=colleague)
    assert refused.value.code == "claimed" and refused.value.claim.claimed_by == nurse
    assert [c.claimed_by for c in in_force(red_patient)] == [nurse]

    services.claim_take(patient=red_patient, user=colleague, take_over=True)
    assert [c.claimed_by for c in in_force(red_patient)] == [colleague]
    ended = Claim.objects.get(claimed_by=nurse)
    assert ended.end == Claim.End.TAKEN_OVER and ended.ended_by == colleague


def test_claiming_again_renews_ones_own_claim(red_patient, nurse):
    first = services.claim_take(patient=red_patient, user=nurse)
    later = timezone.now() + timedelta(minutes=30)
    again = services.claim_take(patient=red_patient, user=nurse, now=later)
    assert again.pk == first.pk and again.expires_at > first.expires_at
    assert Claim.objects.count() == 1


def test_release_ends_only_ones_own_claim(red_patient, nurse, colleague):
    services.claim_take(patient=red_patient, user=nurse)
    with pytest.raises(services.ClaimError):
        services.claim_release(patient=red_patient, user=colleague)
    assert in_force(red_patient)
    services.claim_release(patient=red_patient, user=nurse)
    assert not in_force(red_patient)
    assert Claim.objects.get().end == Claim.End.RELEASED


def test_claim_expires_after_the_organisations_time(red_patient, nurse, colleague):
    organisation = red_patient.monitoring_team.organisation
    organisation.claim_minutes = 20
    organisation.save()
    services.claim_take(patient=red_patient, user=nurse)
    assert in_force(red_patient)
    later = timezone.now() + timedelta(minutes=21)
    assert not list(services.claims_in_force([red_patient.pk], now=later))
    # The colleague can claim once it has run out; the old one is closed as expired.
    services.claim_take(patient=red_patient, user=colleague, now=later)
    assert Claim.objects.get(claimed_by=nurse).end == Claim.End.EXPIRED


def test_acknowledging_the_last_open_result_ends_the_claim(red_patient, nurse, colleague):
    services.claim_take(patient=red_patient, user=nurse)
    result = TriageResult.objects.get(patient=red_patient)
    outcome = outcomes_for(red_patient.monitoring_team.organisation_id).get(code="contacted_gp")
    services.result_acknowledge(result=result, user=colleague, outcome=outcome)
    claim = Claim.objects.get()
    assert claim.end == Claim.End.ACKNOWLEDGED and claim.ended_by == colleague
    assert not in_force(red_patient)


def test_acknowledging_one_of_two_keeps_the_claim(red_patient, nurse):
    pulse = MeasurementType.objects.get(key="pulse")
    services.measurements_record(
        patient=red_patient,
        readings=[services.Reading(pulse, Decimal("130"), timezone.now())],
        source=Source.DEVICE,
    )
    services.claim_take(patient=red_patient, user=nurse)
    first = TriageResult.objects.filter(patient=red_patient).first()
    assert first is not None
    outcome = outcomes_for(None).get(code="advised_by_phone")
    services.result_acknowledge(result=first, user=nurse, outcome=outcome)
    assert in_force(red_patient)


def test_nothing_open_cannot_be_claimed(team, nurse):
    patient = PatientFactory(monitoring_team=team)
    with pytest.raises(services.ClaimError) as refused:
        services.claim_take(patient=patient, user=nurse)
    assert refused.value.code == "nothing_open"
    assert not Claim.objects.exists()
