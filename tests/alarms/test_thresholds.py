"""Changing a patient's thresholds: a new version with who/when/why, validated order, history,
and only for the people allowed to."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from alarms import evaluation
from alarms.models import ThresholdSet, TriageResult
from alarms.services import Reading, measurements_record
from alarms.thresholds import ThresholdChangeError, patient_thresholds_change
from monitoring.models import Source
from telemed.models import AuditEvent
from tests.conftest import login
from tests.factories import RelativeRuleFactory, ThresholdSetFactory, measurement_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_set(citizen):
    threshold_set = ThresholdSetFactory(patient=citizen, copd=True, reason="Fra henvisningen")
    RelativeRuleFactory(threshold_set=threshold_set)
    return threshold_set


def spo2(red_low: str | None, yellow_low: str | None) -> evaluation.Limits:
    return evaluation.Limits(
        red_low=None if red_low is None else Decimal(red_low),
        yellow_low=None if yellow_low is None else Decimal(yellow_low),
    )


def test_change_is_a_new_version_copying_the_other_rows(citizen, doctor, first_set):
    new = patient_thresholds_change(
        patient=citizen,
        user=doctor,
        limits={measurement_type("spo2"): spo2("87", "90")},
        reason="Lavere mætning accepteres ikke længere",
    )

    assert new.version == 2 and new.based_on == first_set
    assert new.created_by == doctor and new.reason == "Lavere mætning accepteres ikke længere"
    rows = {t.type.key: t for t in new.thresholds.all()}
    assert (rows["spo2"].red_low, rows["spo2"].yellow_low) == (Decimal("87"), Decimal("90"))
    # Untouched types and the relative rules come along unchanged.
    assert rows["pulse"].red_high == Decimal("130") and "temperature" in rows
    assert new.relative_rules.count() == 1
    # The old version is kept as it was.
    first_set.refresh_from_db()
    assert {t.type.key: t.red_low for t in first_set.thresholds.all()}["spo2"] == Decimal("85")


def test_earlier_results_keep_their_limits_and_later_readings_use_the_new_ones(
    citizen, doctor, first_set
):
    now = timezone.now()
    spo2_type = measurement_type("spo2")
    before = measurements_record(
        patient=citizen,
        readings=[Reading(spo2_type, Decimal("89"), now - timedelta(hours=2))],
        source=Source.DEVICE,
    ).results[0]
    assert before.severity == "green"

    patient_thresholds_change(
        patient=citizen,
        user=doctor,
        limits={spo2_type: spo2("87", "90")},
        reason="Skærpet",
        now=now - timedelta(hours=1),
    )
    after = measurements_record(
        patient=citizen, readings=[Reading(spo2_type, Decimal("89"), now)], source=Source.DEVICE
    ).results[0]

    assert after.severity == "yellow"
    before = TriageResult.objects.get(pk=before.pk)
    assert before.severity == "green"
    assert before.thresholds_snapshot["limits"]["yellow_low"] == "88.000"


@pytest.mark.parametrize(
    ("red_low", "yellow_low", "message"),
    [
        ("90", "88", "“rød under” må ikke være højere end “gul under”"),
        ("88", "88", None),  # equal is allowed: no yellow band below
    ],
)
def test_order_of_limits_is_checked_with_a_danish_message(
    citizen, doctor, first_set, red_low, yellow_low, message
):
    with translation.override("da"):
        if message is None:
            patient_thresholds_change(
                patient=citizen,
                user=doctor,
                limits={measurement_type("spo2"): spo2(red_low, yellow_low)},
                reason="Ens grænser",
            )
            return
        with pytest.raises(ThresholdChangeError) as error:
            patient_thresholds_change(
                patient=citizen,
                user=doctor,
                limits={measurement_type("spo2"): spo2(red_low, yellow_low)},
                reason="Forkert",
            )
    assert message in error.value.errors["spo2"][0]
    assert ThresholdSet.objects.filter(patient=citizen).count() == 1


def test_reason_is_required_and_nothing_changed_is_refused(citizen, doctor, first_set):
    with pytest.raises(ThresholdChangeError) as error:
        patient_thresholds_change(
            patient=citizen,
            user=doctor,
            limits={measurement_type("spo2"): spo2("80", "85")},
            reason="  ",
        )
    assert "reason" in error.value.errors
    with pytest.raises(ThresholdChangeError) as error:
        patient_thresholds_change(
            patient=citizen,
            user=doctor,
            limits={measurement_type("spo2"): spo2("85", "88")},
            reason="Same",
        )
    assert "__all__" in error.value.errors
    assert ThresholdSet.objects.filter(patient=citizen).count() == 1


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "spo2-red_low": "85",
        "spo2-yellow_low": "88",
        "pulse-red_low": "40",
        "pulse-yellow_low": "50",
        "pulse-yellow_high": "110",
        "pulse-red_high": "130",
        "temperature-yellow_high": "38",
        "temperature-red_high": "39",
        "reason": "Borgeren har stabil lav mætning",
    }
    data.update(overrides)
    return data


def test_doctor_changes_a_threshold_with_a_danish_decimal_comma_and_history_shows_it(
    client, citizen, doctor, first_set
):
    login(client, doctor)
    url = reverse("patient:thresholds_change", args=[citizen.pk])
    response = client.post(url, form_data(**{"spo2-yellow_low": "87,5"}), HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 302

    current = ThresholdSet.objects.filter(patient=citizen).order_by("-version").first()
    assert current.version == 2
    assert current.thresholds.get(type__key="spo2").yellow_low == Decimal("87.5")
    assert AuditEvent.objects.filter(patient=citizen, action="update").count() == 1

    page = client.get(reverse("patient:thresholds", args=[citizen.pk]), HTTP_ACCEPT_LANGUAGE="da")
    history = page.content.decode()
    assert "Borgeren har stabil lav mætning" in history
    assert "gul &lt; 88" in history and "gul &lt; 87,5" in history
    assert "Carl Læge" in history


def test_wrong_order_keeps_what_was_typed_and_says_what_is_wrong(
    client, citizen, doctor, first_set
):
    login(client, doctor)
    response = client.post(
        reverse("patient:thresholds_change", args=[citizen.pk]),
        form_data(**{"pulse-yellow_high": "140"}),
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "“gul over” må ikke være højere end “rød over”" in body
    assert 'value="140"' in body and "Borgeren har stabil lav mætning" in body
    assert ThresholdSet.objects.filter(patient=citizen).count() == 1


def test_nurse_sees_thresholds_but_cannot_change_them(client, citizen, nurse, first_set):
    login(client, nurse)
    page = client.get(reverse("patient:thresholds", args=[citizen.pk]))
    assert page.status_code == 200
    assert b"thresholds/change/" not in page.content

    response = client.post(
        reverse("patient:thresholds_change", args=[citizen.pk]), form_data(**{"spo2-red_low": "80"})
    )
    assert response.status_code == 403
    assert ThresholdSet.objects.filter(patient=citizen).count() == 1


def test_outsider_cannot_change_thresholds(client, citizen, outsider, first_set):
    login(client, outsider)
    response = client.post(reverse("patient:thresholds_change", args=[citizen.pk]), form_data())
    assert response.status_code == 404
    assert ThresholdSet.objects.filter(patient=citizen).count() == 1
