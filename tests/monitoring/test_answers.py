"""Reading what the citizen typed (monitoring/answers.py): pure, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from monitoring import answers

SPO2 = answers.TypeLimits(
    key="spo2",
    name="Iltmætning (SpO2)",
    unit="%",
    plausible_min=Decimal(50),
    plausible_max=Decimal(100),
)
TEMP = answers.TypeLimits(
    key="temperature",
    name="Temperatur",
    unit="°C",
    plausible_min=Decimal(30),
    plausible_max=Decimal(45),
    decimals=1,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("87,5", Decimal("87.5")),
        ("87.5", Decimal("87.5")),
        (" 94 ", Decimal("94")),
        ("37,", Decimal("37")),
        (",5", Decimal("0.5")),
        ("1 0 0", Decimal("100")),
        ("37,12345", Decimal("37.123")),
    ],
)
def test_decimal_comma_and_point_are_both_read(typed, expected):
    assert answers.parse_decimal(typed) == expected


@pytest.mark.parametrize("typed", ["abc", "87,5,1", "1.000,5", "9O", "--3", "87%", "½"])
def test_text_that_is_not_a_number_is_refused_with_what_was_typed(typed):
    with translation.override("en"), pytest.raises(answers.AnswerError) as error:
        answers.parse_decimal(typed)
    assert error.value.code == "not_a_number"
    assert typed.strip() in error.value.message


def test_empty_measurement_asks_for_the_value_by_name():
    with translation.override("en"), pytest.raises(answers.AnswerError) as error:
        answers.parse_measurement("  ", SPO2)
    assert error.value.code == "empty"
    assert "iltmætning" in error.value.message


def test_spo2_of_870_is_refused_in_plain_danish():
    with translation.override("da"), pytest.raises(answers.AnswerError) as error:
        answers.parse_measurement("870", SPO2)
    assert error.value.code == "implausible"
    assert "870" in error.value.message
    assert "50" in error.value.message and "100" in error.value.message


def test_range_in_the_message_uses_the_reader_decimal_separator():
    with translation.override("da"), pytest.raises(answers.AnswerError) as error:
        answers.parse_measurement("47,5", TEMP, danish=True)
    assert "30,0" in error.value.message and "45,0" in error.value.message


@pytest.mark.parametrize("typed", ["50", "100", "87,5"])
def test_limits_of_the_plausible_range_are_accepted(typed):
    assert answers.parse_measurement(typed, SPO2) == Decimal(typed.replace(",", "."))


@pytest.mark.parametrize("typed", ["49,9", "100,1", "-1"])
def test_just_outside_the_plausible_range_is_refused(typed):
    with pytest.raises(answers.AnswerError):
        answers.parse_measurement(typed, SPO2)


def test_number_answer_respects_the_item_range():
    assert answers.parse_number("3", minimum=Decimal(0), maximum=Decimal(5)) == Decimal(3)
    with pytest.raises(answers.AnswerError) as error:
        answers.parse_number("6", minimum=Decimal(0), maximum=Decimal(5))
    assert error.value.code == "out_of_range"


RECENT = [Decimal(v) for v in ("94", "95", "93", "94", "96")]


def test_a_value_near_the_usual_is_accepted_without_asking_again():
    assert not answers.needs_recheck(Decimal("90"), RECENT, "spo2")


def test_a_plausible_value_far_below_the_usual_asks_to_measure_again():
    # 78 typed for 87, or a cold finger: 16 points under the median of 94.
    assert answers.needs_recheck(Decimal("78"), RECENT, "spo2")


def test_the_recheck_boundary_is_exclusive():
    # SpO2: median 94, allowed distance 8 points.
    assert not answers.needs_recheck(Decimal("86"), RECENT, "spo2")
    assert answers.needs_recheck(Decimal("85.9"), RECENT, "spo2")
    assert answers.needs_recheck(Decimal("102.1"), RECENT, "spo2")


def test_a_type_without_its_own_tolerance_uses_a_fraction_of_the_usual_value():
    # Median 94, allowed 0.3 * 94 = 28.2.
    assert not answers.needs_recheck(Decimal("65.8"), RECENT, "some_new_type")
    assert answers.needs_recheck(Decimal("65.7"), RECENT, "some_new_type")


def test_weight_gain_of_more_than_5_kg_asks_again():
    weights = [Decimal("72"), Decimal("72.4"), Decimal("71.8")]
    assert not answers.needs_recheck(Decimal("77"), weights, "weight")
    assert answers.needs_recheck(Decimal("77.1"), weights, "weight")


def test_too_little_history_never_asks_to_measure_again():
    assert not answers.needs_recheck(Decimal("60"), RECENT[:2], "spo2")
    assert answers.usual_value(RECENT[:2]) is None
