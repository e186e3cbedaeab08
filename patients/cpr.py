"""Danish CPR numbers (personnummer): validation, birth date, formatting and masking.

A CPR number is DDMMYY-SSSS. The first serial digit together with YY gives the century
(CPR-kontoret, "Personnummeret i CPR-systemet", 2008):

    serial digit | YY 00-36 | YY 37-57 | YY 58-99
    0-3          | 1900     | 1900     | 1900
    4, 9         | 2000     | 1900     | 1900
    5-8          | 2000     | 2000     | 1800

The modulus-11 check must never be used to reject a number: since 1 October 2007 numbers are
issued without it (some birth dates ran out of numbers that pass it).

Pure module: no Django imports, so it is trivially unit-tested.
"""

from __future__ import annotations

import re
from datetime import date

_SEPARATORS = re.compile(r"[\s-]")
_TEN_DIGITS = re.compile(r"^[0-9]{10}$")
_SIX_DIGITS = re.compile(r"^[0-9]{6}$")
_ANY_DIGIT = re.compile(r"[0-9]")


class InvalidCpr(ValueError):
    """The text is not a CPR number. ``code`` says why, for a translated message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalize(raw: str) -> str:
    """Strip spaces and the dash: "010150-1234" -> "0101501234". Does not validate."""
    return _SEPARATORS.sub("", raw or "")


def century(year_2: int, serial_digit: int) -> int:
    """The century (1800, 1900 or 2000) for a two-digit year and the first serial digit."""
    if not 0 <= year_2 <= 99 or not 0 <= serial_digit <= 9:
        raise ValueError("year must be 0-99 and serial digit 0-9")
    if serial_digit <= 3:
        return 1900
    if serial_digit in (4, 9):
        return 2000 if year_2 <= 36 else 1900
    return 2000 if year_2 <= 57 else 1800


def birth_date(value: str) -> date:
    """The birth date encoded in a (normalized or formatted) CPR number; raises InvalidCpr."""
    digits = normalize(value)
    if not _TEN_DIGITS.match(digits):
        raise InvalidCpr("format", "A CPR number has 10 digits (DDMMYY-XXXX).")
    day, month, year_2 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    year = century(year_2, int(digits[6])) + year_2
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidCpr(
            "date", "The first six digits of a CPR number are not a real date."
        ) from exc


def validate(raw: str, *, today: date | None = None) -> str:
    """Return the normalized 10-digit CPR number or raise InvalidCpr.

    Checks: ten digits, a real date with the century rule, and not born after ``today``.
    """
    digits = normalize(raw)
    born = birth_date(digits)
    if today is not None and born > today:
        raise InvalidCpr("future", "The birth date in the CPR number is in the future.")
    return digits


def looks_like_cpr(raw: str) -> bool:
    """A search text with a digit in it is meant as a CPR number (names have no digits)."""
    return bool(_ANY_DIGIT.search(raw or ""))


def search_digits(raw: str, *, today: date | None = None) -> str:
    """What to look a patient up by: all ten digits, or the first six (the birth date, DDMMYY).

    The dash and spaces may be typed or not. Six digits say nothing of the century, so they are
    a real date when they are one in 1800, 1900 or 2000 + YY (290200 is: 29 February 2000).
    Raises InvalidCpr ("format", "date", or "future" for ten digits born after ``today``).
    """
    digits = normalize(raw)
    if not _SIX_DIGITS.match(digits):
        return validate(digits, today=today)
    day, month, year_2 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    for hundred in (1800, 1900, 2000):
        try:
            date(hundred + year_2, month, day)
        except ValueError:
            continue
        return digits
    raise InvalidCpr("date", "The first six digits of a CPR number are not a real date.")


def is_valid(raw: str, *, today: date | None = None) -> bool:
    try:
        validate(raw, today=today)
    except InvalidCpr:
        return False
    return True


def format_cpr(value: str) -> str:
    """ "0101501234" -> "010150-1234"."""
    digits = normalize(value)
    return f"{digits[:6]}-{digits[6:]}"


def mask(value: str) -> str:
    """Hide the serial part: "0101501234" -> "010150-XXXX" (the birth date stays readable)."""
    digits = normalize(value)
    return f"{digits[:6]}-XXXX"


def age(value: str, on: date) -> int:
    born = birth_date(value)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_female(value: str) -> bool:
    """Even last digit: female; odd: male (legal sex as registered in CPR)."""
    return int(normalize(value)[-1]) % 2 == 0
