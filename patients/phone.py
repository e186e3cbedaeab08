"""Danish phone numbers: what people type ("20 30 40 50", "+45 20304050", "0045-20-30-40-50")
read as +45 and eight digits, and shown grouped in pairs. Pure, no ORM."""

from __future__ import annotations

import re

COUNTRY = "+45"
_SEPARATORS = re.compile(r"[\s\-./()]")


def normalise(typed: str) -> str:
    """ "+4520304050" for a Danish number typed with or without +45/0045 and separators;
    ValueError when it is not eight digits (the first not 0, as Danish numbers never are)."""
    digits = _SEPARATORS.sub("", typed.strip())
    if digits.startswith("+45"):
        digits = digits[3:]
    elif digits.startswith("0045"):
        digits = digits[4:]
    if not re.fullmatch(r"[1-9][0-9]{7}", digits):
        raise ValueError(typed)
    return COUNTRY + digits


def shown(number: str) -> str:
    """ "+4520304050" → "20 30 40 50"; a number that is not Danish is shown as stored."""
    try:
        local = normalise(number)[3:]
    except ValueError:
        return number
    return " ".join(local[i : i + 2] for i in range(0, 8, 2))


def tel_uri(number: str) -> str:
    """ "tel:+4520304050", for a link a phone dials when tapped ("" for no number)."""
    if not number.strip():
        return ""
    try:
        return f"tel:{normalise(number)}"
    except ValueError:
        return "tel:" + _SEPARATORS.sub("", number)
