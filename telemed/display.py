"""Numbers and local times for people, in the active language (the one place for both).

Numbers go through Django's format machinery (``django.utils.formats.number_format`` with the
active language, so Danish pages show a decimal comma and English pages a point); times through
``django.utils.timezone.localtime`` in ``settings.TIME_ZONE``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language

EMPTY = "–"


def _as_decimal(value: Decimal | float | int | str, decimals: int | None) -> Decimal:
    if isinstance(value, float):
        # The float's shortest repr, or its value with the wanted decimals (as f"{v:.2f}" does).
        return Decimal(f"{value:.{decimals}f}" if decimals is not None else repr(value))
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if decimals is not None:
        return number.quantize(Decimal(1).scaleb(-decimals))
    return number.normalize()


def number(
    value: Decimal | float | int | str | None, decimals: int | None = None, *, empty: str = EMPTY
) -> str:
    """``value`` for people in the active language: rounded to ``decimals`` places when given,
    otherwise without trailing zeros; ``empty`` when there is no value (or it is not a number)."""
    if value is None or value == "":
        return empty
    try:
        shown = _as_decimal(value, decimals)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not shown.is_finite():
        return str(value)
    places = decimals if decimals is not None else max(0, -shown.as_tuple().exponent)  # type: ignore[operator]  # finite: int
    return str(number_format(shown, places, use_l10n=True))


def as_written(value: Decimal | str, *, empty: str = EMPTY) -> str:
    """A stored number with exactly the decimals it was stored with ("87.50" -> "87,50" in
    Danish), so a value is shown as typed; text that is not a number comes back unchanged."""
    try:
        number_value = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return empty if value in (None, "") else str(value)
    exponent = number_value.as_tuple().exponent
    return number(number_value, max(0, -exponent) if isinstance(exponent, int) else None)


def decimal_separator() -> str:
    """The active language's decimal separator ("," in Danish, "." in English)."""
    return str(get_format("DECIMAL_SEPARATOR", get_language(), use_l10n=True))


def local(moment: datetime) -> datetime:
    """An aware moment in the project's time zone (``settings.TIME_ZONE``)."""
    return timezone.localtime(moment, timezone.get_default_timezone())
