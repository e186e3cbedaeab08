"""Threshold templates per COPD group: versioned, validated, never edited in place."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alarms.models import ThresholdSet
from alarms.threshold_templates import (
    LimitRow,
    RuleRow,
    ThresholdError,
    limits_problems,
    rows_of,
    template_current,
    template_save,
    template_versions,
    templates_current,
)
from tests.factories import measurement_type

pytestmark = pytest.mark.django_db

D = Decimal


def spo2(red_low, yellow_low):
    return LimitRow(measurement_type("spo2"), D(red_low), D(yellow_low), None, None)


def test_saving_twice_makes_version_two_and_keeps_version_one(org_municipality, org_admin):
    first = template_save(
        organisation=org_municipality,
        copd_group="moderate",
        limits=[spo2("85", "88")],
        rules=[RuleRow(measurement_type("weight"), "rise", D("2"), 3, "lowest", "red")],
        by=org_admin,
        reason="Standard",
    )
    second = template_save(
        organisation=org_municipality,
        copd_group="moderate",
        limits=[spo2("86", "89")],
        by=org_admin,
        reason="Ny regional vejledning",
    )
    assert (first.version, second.version) == (1, 2)
    assert second.based_on == first
    current = template_current(organisation=org_municipality, copd_group="moderate")
    assert current == second
    limits, rules = rows_of(current)
    assert [(r.red_low, r.yellow_low) for r in limits] == [(D("86"), D("89"))]
    assert rules == []
    # The old version still has its own limits and rule.
    old_limits, old_rules = rows_of(ThresholdSet.objects.get(pk=first.pk))
    assert old_limits[0].red_low == D("85") and len(old_rules) == 1
    assert [
        t.version for t in template_versions(organisation=org_municipality, copd_group="moderate")
    ] == [2, 1]


def test_groups_and_organisations_are_versioned_separately(org_municipality, org_admin, outsider):
    template_save(
        organisation=org_municipality,
        copd_group="mild",
        limits=[spo2("88", "92")],
        by=org_admin,
        reason="x",
    )
    severe = template_save(
        organisation=org_municipality,
        copd_group="severe",
        limits=[spo2("85", "88")],
        by=org_admin,
        reason="x",
    )
    assert severe.version == 1
    assert set(templates_current(organisation=org_municipality)) == {"mild", "severe"}
    assert templates_current(organisation=outsider.clinician.organisation) == {}


def test_wrong_order_is_refused_with_a_readable_message_and_nothing_saved(
    org_municipality, org_admin
):
    with pytest.raises(ThresholdError) as error:
        template_save(
            organisation=org_municipality,
            copd_group="moderate",
            limits=[spo2("90", "88")],
            by=org_admin,
            reason="x",
        )
    assert (
        "SpO" in error.value.problems[0]
        or "Saturation" in error.value.problems[0]
        or error.value.problems
    )
    assert not ThresholdSet.objects.filter(kind="template").exists()


def test_a_reason_is_required(org_municipality, org_admin):
    with pytest.raises(ThresholdError):
        template_save(
            organisation=org_municipality,
            copd_group="moderate",
            limits=[spo2("85", "88")],
            by=org_admin,
            reason=" ",
        )


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        (("85", "88", None, None), True),
        (("88", "88", None, None), True),  # red_low may equal yellow_low
        ((None, "88", "88", None), False),  # yellow band cannot be empty
        (("40", "50", "110", "130"), True),
        (("40", "50", "130", "110"), False),
        (("90", None, None, "80"), False),
        (("-5", None, None, None), False),  # outside what can be measured
    ],
)
def test_limits_order_matches_the_database_rule(values, ok):
    row = LimitRow(measurement_type("pulse"), *(None if v is None else D(v) for v in values))
    assert (limits_problems([row]) == []) is ok
