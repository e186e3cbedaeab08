"""Recompute the daily indicator rows from a date up to yesterday (or ``--until``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from indicators import services


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = "Recompute the quality indicators' daily rows from the source rows (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--until", help="Last day, YYYY-MM-DD (default: yesterday).")

    def handle(self, *args: Any, since: str, until: str | None = None, **options: Any) -> None:
        first = parse_day(since)
        yesterday = timezone.localdate() - timedelta(days=1)
        last = parse_day(until) if until else yesterday
        if first > last:
            raise CommandError("--since is after the last day (a day is computed once over).")
        written = services.indicators_rebuild(first=first, last=last)
        self.stdout.write(self.style.SUCCESS(f"Recomputed {written} days from {first}."))
