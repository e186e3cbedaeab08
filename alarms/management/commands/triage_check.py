"""Prove the stored triage summaries match the source rows (results and measurements).

Exit status 1 when any patient's summary differs; ``--fix`` recomputes those that do.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from alarms import services, summary
from alarms.models import PatientTriage
from patients.models import Patient

CHUNK = 500


class Command(BaseCommand):
    help = "Compare every patient's triage summary with the results and measurements it sums up."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Recompute summaries that differ.")

    def handle(self, *args: Any, fix: bool = False, **options: Any) -> None:
        ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
        wrong: dict[int, list[str]] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            stored = {
                row["patient_id"]: row
                for row in PatientTriage.objects.filter(patient_id__in=chunk).values()
            }
            for patient_id, computed in summary.compute(chunk).items():
                row = stored.get(patient_id)
                if row is None:
                    if computed != summary.Summary():
                        wrong[patient_id] = ["missing summary row"]
                    continue
                fields = summary.differences(row, computed)
                if fields:
                    wrong[patient_id] = fields

        self.stdout.write(f"Checked {len(ids)} patients; {len(wrong)} summaries differ.")
        for patient_id, fields in list(wrong.items())[:50]:
            self.stdout.write(f"  patient {patient_id}: {', '.join(fields)}")
        if wrong and fix:
            with transaction.atomic():
                services.triage_refresh(patient_ids=wrong)
            self.stdout.write(self.style.SUCCESS(f"Recomputed {len(wrong)} summaries."))
        elif wrong:
            raise CommandError("Triage summaries do not match the source data (run with --fix).")
