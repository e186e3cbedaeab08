"""Reading what a citizen typed: numbers with a decimal comma, plausible ranges, and the
"far from your recent values, please measure again" rule. Pure: no ORM, no clock.

The citizen's own words come back in the message, so they can see what went wrong
("You typed 870. Oxygen saturation is between 50 and 100 %."). A value outside the physical
limits of its type (MeasurementType.plausible_min/max) is refused; a plausible value far from
the patient's recent values is not refused but must be confirmed, because a misplaced finger on
the oximeter or a typo (78 for 87) is far more common than a real jump.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from statistics import median

from django.utils import translation
from django.utils.translation import gettext as _

from telemed import display

# Up to three decimals are stored (monitoring.models: decimal_places=3).
STORED_QUANTUM = Decimal("0.001")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")

# How far a value may be from the median of the recent values before we ask the citizen to
# measure again: an amount in the type's unit, or for other types a fraction of the median.
# Chosen wide: only a likely typing or measuring error should trigger it; a real fall in
# saturation of 8 points is still accepted once confirmed, and then evaluated as usual.
RECHECK_ABSOLUTE: dict[str, Decimal] = {
    "spo2": Decimal("8"),
    "pulse": Decimal("40"),
    "weight": Decimal("5"),
    "temperature": Decimal("2"),
    "bp_systolic": Decimal("50"),
    "bp_diastolic": Decimal("30"),
    "fev1": Decimal("0.8"),
    "fev6": Decimal("1.0"),
    "crp": Decimal("100"),
    "respiratory_rate": Decimal("15"),
}
RECHECK_FRACTION = Decimal("0.3")
RECHECK_MIN_VALUES = 3


class AnswerError(ValueError):
    """Input that cannot be accepted; ``message`` is translated and meant for the citizen."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TypeLimits:
    """What the parser needs to know about a measurement type."""

    key: str
    name: str
    unit: str
    plausible_min: Decimal
    plausible_max: Decimal
    decimals: int = 0


def _in_language(danish: bool | None) -> translation.override | contextlib.nullcontext[None]:
    """The language to show numbers in: the active one, or Danish/English when told."""
    if danish is None:
        return contextlib.nullcontext()
    return translation.override("da" if danish else "en")


def show(value: Decimal, decimals: int = 0, *, danish: bool | None = None) -> str:
    """A number as the citizen would write it (decimal comma in Danish), ``decimals`` places."""
    with _in_language(danish):
        return display.number(value, decimals)


def parse_decimal(text: str) -> Decimal:
    """``"87,5"``, ``"87.5"``, ``" 87 "`` -> Decimal. Raises AnswerError("not_a_number").

    A single decimal separator, comma or point, is accepted; thousands separators are not
    (nobody types 1.000 for a saturation, and "1.000" would be ambiguous).
    """
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise AnswerError("empty", _("Please type a value."))
    if not _NUMBER.match(cleaned):
        raise AnswerError(
            "not_a_number",
            _("“%(text)s” is not a number. Type digits only, for example 94 or 37,5.")
            % {"text": text.strip()[:40]},
        )
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above rules this out
        raise AnswerError("not_a_number", _("Type digits only.")) from exc
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        value = value.quantize(STORED_QUANTUM)
    return value


def parse_measurement(text: str, limits: TypeLimits, *, danish: bool | None = None) -> Decimal:
    """A typed measurement, refused with a plain message when it cannot be right."""
    try:
        value = parse_decimal(text)
    except AnswerError as error:
        if error.code == "empty":
            raise AnswerError(
                "empty", _("Please type your %(name)s.") % {"name": limits.name.lower()}
            ) from error
        raise
    if not limits.plausible_min <= value <= limits.plausible_max:
        raise AnswerError(
            "implausible",
            _(
                "You typed %(value)s. %(name)s must be between %(low)s and %(high)s %(unit)s. "
                "Please check the number on your device and type it again."
            )
            % {
                "value": text.strip()[:40],
                "name": limits.name,
                "low": show(limits.plausible_min, limits.decimals, danish=danish),
                "high": show(limits.plausible_max, limits.decimals, danish=danish),
                "unit": limits.unit,
            },
        )
    return value


def parse_number(
    text: str, *, minimum: Decimal | None, maximum: Decimal | None, danish: bool | None = None
) -> Decimal:
    """A plain number answer within the item's own range (when it has one)."""
    value = parse_decimal(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        low = show(minimum, 0, danish=danish) if minimum is not None else "–"
        high = show(maximum, 0, danish=danish) if maximum is not None else "–"
        raise AnswerError(
            "out_of_range",
            _("The answer must be between %(low)s and %(high)s.") % {"low": low, "high": high},
        )
    return value


def usual_value(recent: Sequence[Decimal]) -> Decimal | None:
    """The median of the recent values, or None with too few to say what is usual."""
    if len(recent) < RECHECK_MIN_VALUES:
        return None
    return Decimal(median(recent))


def needs_recheck(value: Decimal, recent: Sequence[Decimal], key: str) -> bool:
    """Whether ``value`` is so far from the patient's usual value that we ask to measure again.

    Usual = median of ``recent`` (at least RECHECK_MIN_VALUES values, else never). Far = more
    than RECHECK_ABSOLUTE[key] away in either direction, or for a type not listed there more
    than RECHECK_FRACTION * |usual|.
    """
    usual = usual_value(recent)
    if usual is None:
        return False
    allowed = RECHECK_ABSOLUTE.get(key, RECHECK_FRACTION * abs(usual))
    return abs(value - usual) > allowed


def plain(value: Decimal, *, danish: bool | None = None) -> str:
    """A stored value without trailing zeros or exponent: 87.500 -> "87,5", 95.000 -> "95"."""
    with _in_language(danish):
        return display.number(value)
