"""CSV downloads that open cleanly in a Danish spreadsheet: UTF-8 with a byte-order mark,
semicolons when the page is in Danish (decimal commas there), commas in English, and text cells a
spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpResponse
from django.utils.translation import get_language

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (CSV injection): a leading
    ``= + - @`` tab or carriage return gets a quote in front."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def danish() -> bool:
    return (get_language() or "da").startswith("da")


def csv_response(filename: str) -> tuple[HttpResponse, Any]:
    """An attachment response and a csv writer on it, delimiter by the active language."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    return response, csv.writer(response, delimiter=";" if danish() else ",")
