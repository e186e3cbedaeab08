"""Prove the stored daily indicator rows match the source rows, as ``triage_check`` does for the
triage summaries. Exit status 1 when a day differs; ``--fix`` recomputes the days that do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from indicators import daily, services
from indicators.management.commands.indicators_rebuild import parse_day
from indicators.models import IndicatorDay, IndicatorRuleDay


def differences(result: daily.Day) -> list[str]:
    """What differs between the stored rows of ``result.day`` and ``result`` (empty: none)."""
    found: list[str] = []
    stored = {
        (row.organisation_id, row.team_id): row
        for row in IndicatorDay.objects.filter(day=result.day)
    }
    for scope in sorted(set(stored) | set(result.figures), key=lambda s: (s[0], s[1] or 0)):
        computed = result.figures.get(scope, daily.DayFigures())
        row = stored.get(scope)
        if row is None:
            if computed != daily.DayFigures():
                found.append(f"{scope}: no stored row")
            continue
        for name in daily.FIELD_NAMES:
            have = getattr(row, name)
            want = getattr(computed, name)
            if isinstance(want, list):
                have = sorted(have)
            if have != want:
                found.append(f"{scope} {name}: stored {have}, source {want}")
    stored_rules = {
        (r.organisation_id, r.team_id, r.rule, r.severity): (
            r.action,
            r.no_action,
            r.false_alarm,
            r.no_outcome,
        )
        for r in IndicatorRuleDay.objects.filter(day=result.day)
    }
    computed_rules = {
        key: (c.action, c.no_action, c.false_alarm, c.no_outcome) for key, c in result.rules.items()
    }
    for key in sorted(set(stored_rules) | set(computed_rules), key=str):
        if stored_rules.get(key) != computed_rules.get(key):
            found.append(
                f"rule {key}: stored {stored_rules.get(key)}, source {computed_rules.get(key)}"
            )
    return found


class Command(BaseCommand):
    help = "Compare the quality indicators' daily rows with the source rows they sum up."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="First day, YYYY-MM-DD (default: 30 days ago).")
        parser.add_argument("--until", help="Last day, YYYY-MM-DD (default: yesterday).")
        parser.add_argument("--fix", action="store_true", help="Recompute the days that differ.")

    def handle(
        self,
        *args: Any,
        since: str | None = None,
        until: str | None = None,
        fix: bool = False,
        **options: Any,
    ) -> None:
        yesterday = timezone.localdate() - timedelta(days=1)
        first = parse_day(since) if since else yesterday - timedelta(days=29)
        last = min(parse_day(until), yesterday) if until else yesterday
        periods = daily.Periods.load()
        wrong: dict = {}
        checked = 0
        for day in daily.days(first, last):
            result = daily.compute(day, periods)
            found = differences(result)
            checked += 1
            if found:
                wrong[day] = (result, found)
        self.stdout.write(f"Checked {checked} days; {len(wrong)} differ.")
        for day, (_, found) in list(wrong.items())[:20]:
            self.stdout.write(f"  {day}: {len(found)} differences")
            for line in found[:10]:
                self.stdout.write(f"    {line}")
        if wrong and fix:
            for result, _ in wrong.values():
                services.indicators_store(result)
            self.stdout.write(self.style.SUCCESS(f"Recomputed {len(wrong)} days."))
        elif wrong:
            raise CommandError("Indicator rows do not match the source data (run with --fix).")
