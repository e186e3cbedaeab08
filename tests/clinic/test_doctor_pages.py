"""The doctor's review page: latest values as typed, judged against the thresholds in force."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alarms import evaluation
from alarms.services import Reading, measurements_record
from alarms.threshold_templates import LimitRow
from alarms.thresholds import patient_thresholds_change
from clinic import presenters
from monitoring.models import Source
from tests.conftest import login
from tests.factories import ThresholdSetFactory, measurement_type

pytestmark = pytest.mark.django_db


def test_review_shows_values_with_their_decimals_and_the_verdict_against_new_thresholds(
    client, citizen, doctor
):
    ThresholdSetFactory(patient=citizen, copd=True, reason="Fra henvisningen")
    now = timezone.now()
    spo2, weight = measurement_type("spo2"), measurement_type("weight")
    measurements_record(
        patient=citizen,
        readings=[
            Reading(spo2, Decimal("89"), now - timedelta(hours=2)),
            Reading(weight, Decimal("80.0"), now - timedelta(hours=2)),
        ],
        source=Source.DEVICE,
    )
    patient_thresholds_change(
        patient=citizen,
        user=doctor,
        limits={spo2: evaluation.Limits(red_low=Decimal("87"), yellow_low=Decimal("90"))},
        reason="Skærpet",
        now=now - timedelta(hours=1),
    )

    login(client, doctor)
    response = client.get(reverse("doctor:patient", args=[citizen.pk]), HTTP_ACCEPT_LANGUAGE="da")

    lines = {line.type.key: line for line in response.context["lines"]}
    # Judged green when measured; yellow against the limits the doctor set since.
    assert (lines["spo2"].severity, lines["spo2"].verdict) == ("green", "yellow")
    assert lines["weight"].value_text == "80,0"
    assert lines["spo2"].limit_texts[:2] == ["87", "90"]
    page = response.content.decode()
    assert "80,0" in page and "8E+1" not in page


def test_verdict_follows_the_evaluation_rule_at_the_limits():
    spo2 = measurement_type("spo2")
    row = LimitRow(spo2, red_low=Decimal("85"), yellow_low=Decimal("88"))
    assert presenters.verdict(Decimal("88"), row, spo2) == "green"  # on the limit is inside
    assert presenters.verdict(Decimal("87.5"), row, spo2) == "yellow"
    assert presenters.verdict(Decimal("84"), row, spo2) == "red"
    assert presenters.verdict(None, row, spo2) is None
    assert presenters.verdict(Decimal("84"), None, spo2) is None
