"""telemed.display: the one place that writes numbers and local times for people."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from telemed import display


@pytest.mark.parametrize(
    ("language", "value", "decimals", "shown"),
    [
        ("da", Decimal("36.5"), 1, "36,5"),
        ("en", Decimal("36.5"), 1, "36.5"),
        ("da", Decimal("36.55"), 1, "36,6"),
        ("da", 1.2, 2, "1,20"),
        ("en", -0.5, 2, "-0.50"),
        ("da", Decimal("94.0"), None, "94"),
        ("da", Decimal("2.50"), None, "2,5"),
        ("en", 97, 0, "97"),
    ],
)
def test_numbers_follow_the_active_language(language, value, decimals, shown):
    with translation.override(language):
        assert display.number(value, decimals) == shown


def test_no_value_is_a_dash_and_text_is_shown_as_typed():
    assert display.number(None) == "–"
    assert display.number("", 1) == "–"
    assert display.number(None, empty="") == ""
    assert display.number("ikke målt") == "ikke målt"


def test_the_decimal_separator_of_each_language():
    with translation.override("da"):
        assert display.decimal_separator() == ","
    with translation.override("en"):
        assert display.decimal_separator() == "."


def test_local_time_is_copenhagen_across_daylight_saving():
    assert display.local(datetime(2026, 1, 15, 12, 0, tzinfo=UTC)).hour == 13  # CET
    assert display.local(datetime(2026, 7, 15, 12, 0, tzinfo=UTC)).hour == 14  # CEST


@pytest.mark.parametrize(
    ("stored", "danish", "english"),
    [("87.50", "87,50", "87.50"), ("80.0", "80,0", "80.0"), ("95", "95", "95"), ("", "–", "–")],
)
def test_as_written_keeps_the_stored_decimals(stored, danish, english):
    with translation.override("da"):
        assert display.as_written(stored) == danish
    with translation.override("en"):
        assert display.as_written(stored) == english


def test_as_written_leaves_text_that_is_not_a_number():
    assert display.as_written("ukendt") == "ukendt"
