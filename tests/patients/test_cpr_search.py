"""patients/cpr.py: what a typed search text means as a CPR number (search_digits)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patients import cpr


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("120491-1234", "1204911234"),
        ("1204911234", "1204911234"),
        (" 120491 1234 ", "1204911234"),
        ("120491", "120491"),
        ("12 04 91", "120491"),
        ("290200", "290200"),  # 29 February 2000 (or 1800/1900 for other serials): a real date
        ("2902004000", "2902004000"),
    ],
)
def test_ten_digits_or_the_birth_date_are_searched_by(typed: str, digits: str) -> None:
    assert cpr.search_digits(typed) == digits


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("12345", "format"),
        ("1204a91234", "format"),
        ("12049112345", "format"),
        ("1204911", "format"),
        ("12/04/91", "format"),
        ("3102501234", "date"),  # 31 February
        ("1313501234", "date"),
        ("2902001234", "date"),  # serial 1: 1900, not a leap year
        ("290201", "date"),  # no century makes 29 February 01 a leap day
        ("320150", "date"),
        ("011350", "date"),
    ],
)
def test_malformed_text_is_refused_with_a_code(typed: str, code: str) -> None:
    with pytest.raises(cpr.InvalidCpr) as excinfo:
        cpr.search_digits(typed)
    assert excinfo.value.code == code


def test_ten_digits_born_after_today_are_refused() -> None:
    with pytest.raises(cpr.InvalidCpr) as excinfo:
        cpr.search_digits("0101304000", today=date(2025, 1, 1))  # born 1 January 2030
    assert excinfo.value.code == "future"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Hansen", False), ("Anne-Marie Holm", False), ("", False), ("12", True), ("Holm 1", True)],
)
def test_a_digit_makes_the_text_a_cpr_search(typed: str, expected: bool) -> None:
    assert cpr.looks_like_cpr(typed) is expected


@given(st.dates(min_value=date(1858, 1, 1), max_value=date(2036, 12, 31)))
def test_every_real_birth_date_is_searchable_by_its_six_digits(born: date) -> None:
    six = f"{born:%d%m}{born.year % 100:02d}"
    assert cpr.search_digits(six) == six
    assert cpr.search_digits(f"{six[:2]} {six[2:4]} {six[4:]}") == six
