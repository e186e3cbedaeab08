"""patients/cpr.py: the century rule, real dates, formats, masking and age.

The century table is restated here on purpose (not computed with the code under test), from
CPR-kontoret, "Personnummeret i CPR-systemet" (2008).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patients import cpr

# First serial digit -> century for YY in 00-36, 37-57 and 58-99.
CENTURY_TABLE: dict[int, tuple[int, int, int]] = {
    0: (1900, 1900, 1900),
    1: (1900, 1900, 1900),
    2: (1900, 1900, 1900),
    3: (1900, 1900, 1900),
    4: (2000, 1900, 1900),
    5: (2000, 2000, 1800),
    6: (2000, 2000, 1800),
    7: (2000, 2000, 1800),
    8: (2000, 2000, 1800),
    9: (2000, 1900, 1900),
}


def expected_century(year_2: int, serial_digit: int) -> int:
    band = 0 if year_2 <= 36 else 1 if year_2 <= 57 else 2
    return CENTURY_TABLE[serial_digit][band]


def mod11_passes(digits: str) -> bool:
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


# Century rule ---------------------------------------------------------------------------


@pytest.mark.parametrize("serial_digit", range(10))
@pytest.mark.parametrize("year_2", [0, 1, 36, 37, 50, 57, 58, 99])
def test_century_rule_table(serial_digit: int, year_2: int) -> None:
    assert cpr.century(year_2, serial_digit) == expected_century(year_2, serial_digit)


@pytest.mark.parametrize(
    ("serial_digit", "yy36", "yy37", "yy57", "yy58"),
    [
        (0, 1936, 1937, 1957, 1958),
        (1, 1936, 1937, 1957, 1958),
        (2, 1936, 1937, 1957, 1958),
        (3, 1936, 1937, 1957, 1958),
        (4, 2036, 1937, 1957, 1958),
        (5, 2036, 2037, 2057, 1858),
        (6, 2036, 2037, 2057, 1858),
        (7, 2036, 2037, 2057, 1858),
        (8, 2036, 2037, 2057, 1858),
        (9, 2036, 1937, 1957, 1958),
    ],
)
def test_birth_year_at_the_boundaries(
    serial_digit: int, yy36: int, yy37: int, yy57: int, yy58: int
) -> None:
    for year_2, year in ((36, yy36), (37, yy37), (57, yy57), (58, yy58)):
        number = f"0101{year_2:02d}{serial_digit}123"
        assert cpr.birth_date(number) == date(year, 1, 1), number


@pytest.mark.parametrize(("year_2", "serial_digit"), [(-1, 0), (100, 0), (0, -1), (0, 10)])
def test_century_refuses_out_of_range_arguments(year_2: int, serial_digit: int) -> None:
    with pytest.raises(ValueError):
        cpr.century(year_2, serial_digit)


# Real dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "born"),
    [
        ("2902004000", date(2000, 2, 29)),  # 2000 is a leap year (divisible by 400)
        ("2902961234", date(1996, 2, 29)),
        ("2902805000", date(1880, 2, 29)),
        ("3112991234", date(1999, 12, 31)),
        ("3103501234", date(1950, 3, 31)),
    ],
)
def test_real_dates_are_accepted(number: str, born: date) -> None:
    assert cpr.birth_date(number) == born
    assert cpr.is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "2902001234",  # serial 1 -> 1900, which is not a leap year
        "2902971234",  # 1997
        "3104971234",  # 31 April
        "3106971234",  # 31 June
        "3002961234",  # 30 February
        "0001501234",  # day 0
        "3201501234",  # day 32
        "0100501234",  # month 0
        "0113501234",  # month 13
    ],
)
def test_impossible_dates_are_refused_with_the_date_code(number: str) -> None:
    with pytest.raises(cpr.InvalidCpr) as excinfo:
        cpr.birth_date(number)
    assert excinfo.value.code == "date"
    assert not cpr.is_valid(number)


def test_thirtieth_of_april_is_a_real_date() -> None:
    assert cpr.birth_date("3004971234") == date(1997, 4, 30)


# Formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["0101501234", "010150-1234", "010150 1234", " 010150-1234 ", "010150\t1234", "0101-50-1234"],
)
def test_dash_and_spaces_are_accepted(raw: str) -> None:
    assert cpr.normalize(raw) == "0101501234"
    assert cpr.validate(raw) == "0101501234"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "010150123",  # 9 digits
        "01015012345",  # 11 digits
        "010150-123",
        "01015O-1234",  # letter O for zero
        "010150-12a4",
        "010150/1234",
        "010150.1234",
        "+010150-1234",
        "٠١٠١٥٠١٢٣٤",  # Arabic-Indic digits are digits to str.isdigit, not to CPR
        "0101501234\x00",
    ],
)
def test_anything_but_ten_digits_is_refused_with_the_format_code(raw: str) -> None:
    with pytest.raises(cpr.InvalidCpr) as excinfo:
        cpr.validate(raw)
    assert excinfo.value.code == "format"
    assert not cpr.is_valid(raw)


def test_none_is_refused_as_format() -> None:
    with pytest.raises(cpr.InvalidCpr) as excinfo:
        cpr.validate(None)  # type: ignore[arg-type]
    assert excinfo.value.code == "format"


def test_invalid_cpr_is_a_value_error_with_a_message() -> None:
    with pytest.raises(ValueError, match="10 digits"):
        cpr.validate("123")


# Future birth dates ---------------------------------------------------------------------


def test_birth_date_after_today_is_refused() -> None:
    number = "1506254123"  # 15 June 2025
    with pytest.raises(cpr.InvalidCpr) as excinfo:
        cpr.validate(number, today=date(2025, 6, 14))
    assert excinfo.value.code == "future"
    assert not cpr.is_valid(number, today=date(2025, 6, 14))


def test_born_today_is_accepted() -> None:
    assert cpr.validate("150625-4123", today=date(2025, 6, 15)) == "1506254123"


def test_without_today_there_is_no_future_check() -> None:
    assert cpr.validate("0101554123") == "0101554123"  # 2055


# Modulus 11 is never a reason to refuse -------------------------------------------------


@pytest.mark.parametrize("number", ["0101501234", "1506254000", "0103081235", "0110074321"])
def test_numbers_failing_modulus_11_are_valid(number: str) -> None:
    assert not mod11_passes(number), "pick a number that fails modulus 11"
    assert cpr.is_valid(number, today=date(2026, 1, 1))


def test_numbers_passing_modulus_11_are_valid_too() -> None:
    number = "0101500004"
    assert mod11_passes(number)
    assert cpr.is_valid(number)


# Formatting, masking, sex ---------------------------------------------------------------


@pytest.mark.parametrize("raw", ["0101501234", "010150-1234", "010150 1234"])
def test_format_and_mask(raw: str) -> None:
    assert cpr.format_cpr(raw) == "010150-1234"
    assert cpr.mask(raw) == "010150-XXXX"


@pytest.mark.parametrize(("number", "female"), [("0101501234", True), ("0101501235", False)])
def test_sex_from_the_last_digit(number: str, female: bool) -> None:
    assert cpr.is_female(number) is female


# Age ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2020, 3, 14), 69),
        (date(2020, 3, 15), 70),  # the birthday itself
        (date(2020, 3, 16), 70),
        (date(2021, 3, 14), 70),
        (date(1950, 3, 15), 0),
    ],
)
def test_age_around_the_birthday(on: date, expected: int) -> None:
    assert cpr.age("1503501234", on) == expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2001, 2, 28), 0),  # born 29 February: a year older on 1 March in common years
        (date(2001, 3, 1), 1),
        (date(2004, 2, 28), 3),
        (date(2004, 2, 29), 4),
    ],
)
def test_age_of_someone_born_on_leap_day(on: date, expected: int) -> None:
    assert cpr.age("2902004000", on) == expected


# Properties -----------------------------------------------------------------------------

# Every date the CPR scheme can express: 1858 (YY 58 with 1800) to 2057 (YY 57 with 2000).
cpr_dates = st.dates(min_value=date(1858, 1, 1), max_value=date(2057, 12, 31))
serial_tails = st.from_regex(r"\A[0-9]{3}\Z")


@st.composite
def cpr_for_date(draw: st.DrawFn) -> tuple[str, date]:
    born = draw(cpr_dates)
    year_2 = born.year % 100
    digits = [d for d in range(10) if expected_century(year_2, d) + year_2 == born.year]
    serial_digit = draw(st.sampled_from(digits))
    number = f"{born:%d%m}{year_2:02d}{serial_digit}{draw(serial_tails)}"
    return number, born


@given(cpr_for_date())
def test_any_date_and_compatible_serial_round_trips(case: tuple[str, date]) -> None:
    number, born = case
    assert cpr.birth_date(number) == born
    assert cpr.validate(number, today=born) == number
    assert cpr.birth_date(cpr.format_cpr(number)) == born


ten_digits = st.from_regex(r"\A[0-9]{10}\Z")


@given(ten_digits)
def test_format_normalize_round_trip(digits: str) -> None:
    formatted = cpr.format_cpr(digits)
    assert len(formatted) == 11 and formatted[6] == "-"
    assert cpr.normalize(formatted) == digits
    assert cpr.format_cpr(cpr.normalize(formatted)) == formatted


@given(cpr_for_date(), serial_tails, st.sampled_from("0123456789"))
def test_mask_never_reveals_the_serial(case: tuple[str, date], tail: str, digit: str) -> None:
    number, _ = case
    masked = cpr.mask(number)
    assert masked == f"{number[:6]}-XXXX"
    # The mask depends on the birth date only: any other serial masks the same.
    assert cpr.mask(f"{number[:6]}{digit}{tail}") == masked
    assert cpr.mask(cpr.format_cpr(number)) == masked


def _has_other_character(text: str) -> bool:
    return any(c not in "0123456789-" and not c.isspace() for c in text)


@given(st.text(min_size=1).filter(_has_other_character))
def test_text_with_other_characters_is_never_valid(text: str) -> None:
    assert not cpr.is_valid(text)
