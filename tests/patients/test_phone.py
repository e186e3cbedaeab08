"""Danish phone numbers as people type them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patients import phone


@pytest.mark.parametrize(
    "typed",
    ["20304050", "20 30 40 50", "+45 20 30 40 50", "+4520304050", "0045 2030 4050", "20-30-40-50"],
)
def test_danish_numbers_are_read_with_or_without_the_country_code(typed):
    assert phone.normalise(typed) == "+4520304050"
    assert phone.shown(phone.normalise(typed)) == "20 30 40 50"
    assert phone.tel_uri(typed) == "tel:+4520304050"


@pytest.mark.parametrize("typed", ["2030405", "203040501", "02030405", "+46 20304050", "abc"])
def test_other_input_is_refused(typed):
    with pytest.raises(ValueError):
        phone.normalise(typed)


@given(st.integers(min_value=10_000_000, max_value=99_999_999))
def test_every_eight_digit_number_survives_the_round_trip(number):
    stored = phone.normalise(str(number))
    assert phone.normalise(phone.shown(stored)) == stored


def test_a_foreign_number_stored_earlier_is_shown_as_stored():
    assert phone.shown("+46 70 123 45 67") == "+46 70 123 45 67"
