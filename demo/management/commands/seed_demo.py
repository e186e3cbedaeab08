"""``manage.py seed_demo``: demo organisations, clinicians and ~200 COPD patients with 90 days
of evaluated measurements and questionnaire answers (demo/seed.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.seed import (
    DEFAULT_PATIENTS,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DemoResetRefused,
    demo_reset,
    demo_seed,
)


class Command(BaseCommand):
    help = "Create reproducible demo data (idempotent: does nothing when it is already there)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--patients", type=int, default=DEFAULT_PATIENTS, help="number of patients"
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo data first (refused once the audit log refers to it)",
        )

    def handle(self, *args: Any, seed: int, patients: int, reset: bool, **options: Any) -> None:
        if patients < 1:
            raise CommandError("--patients must be at least 1.")
        if reset:
            try:
                removed = demo_reset()
            except DemoResetRefused as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Removed the demo data ({removed} patients).")
        result = demo_seed(seed=seed, patients=patients)
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"{result.message} ({result.seconds:.1f} s)"))
            for name, count in result.counts.items():
                self.stdout.write(f"  {name}: {count}")
        else:
            self.stdout.write(self.style.WARNING(result.message))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in result.logins:
            note = f"  ({login.note})" if login.note else ""
            self.stdout.write(f"  {login.role:<20} {login.username}{note}")
